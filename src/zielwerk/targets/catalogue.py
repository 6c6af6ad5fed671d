"""Which indicators a target can refer to, and how the target module reads them.

Every fact about an indicator (name, by sex, which direction is better, year-to-date rule, unit,
warm-up) is a field of its record in :mod:`zielwerk.indicators.definitions` (one place); this
module only presents the records in the agreement's vocabulary: the code an agreement uses, where
the monthly value comes from, and the German words of the TOML format (``prozent``/``anzahl``,
``hoeher``/``niedriger``). Two local indicators that the engine does not provide (parents in the
2nd year reached, off-peak childcare needs solved) are computed in :mod:`zielwerk.targets.local`.

Sources of a monthly series x_Y(m), m = 1..12, of a target year Y:

- ``jfw``: the engine's year-to-date value (Jahresfortschrittswert, :func:`jahresfortschritt`),
  for every indicator with a year-to-date rule; its December value is the annual result.
- ``monat``: the monthly value of the long table (:func:`compute_kennzahlen`), rolling 12-month
  quotas and rates as published; the December value of a rolling quota is the calendar year's.
- ``lokal``: a year-to-date count computed in :mod:`zielwerk.targets.local`.
"""

from __future__ import annotations

from dataclasses import dataclass

from zielwerk.indicators.definitions import HIGHER as _HIGHER
from zielwerk.indicators.definitions import INDICATORS, UNIT_PERCENT, Indicator
from zielwerk.indicators.definitions import LOWER as _LOWER

PERCENT = "prozent"
COUNT = "anzahl"

HIGHER = "hoeher"
LOWER = "niedriger"

JFW, MONTHLY, LOCAL = "jfw", "monat", "lokal"
_DIRECTION = {_HIGHER: HIGHER, _LOWER: LOWER, None: None}


@dataclass(frozen=True)
class TargetIndicator:
    """An indicator as used in an agreement: a view of its record (:attr:`record`)."""

    code: str
    name: str
    unit: str  # PERCENT | COUNT
    better: str | None  # HIGHER | LOWER | None (no natural direction: monitoring)
    source: str  # "jfw" | "monat" | "lokal"
    engine_code: str  # the code in the engine's table (jfw or long table)
    by_sex: bool = True
    #: the value is an annual average (allows "change of the annual average")
    annual_average: bool = False
    description: str = ""

    @property
    def record(self) -> Indicator:
        """The indicator's record in :data:`zielwerk.indicators.INDICATORS`."""
        return INDICATORS[self.engine_code]

    @property
    def seasonal(self) -> str:
        """Seasonal method: ``mult`` (share of the year-end value reached by month m) for counts and
        year-to-date quotas, which grow through the year; ``add`` (distance to the year-end value)
        for rolling quotas, point-in-time quotas and change rates, which move around a level and
        can be zero or negative."""
        ytd = self.record.ytd
        grows = self.source == JFW and ytd is not None and ytd.grows
        return "mult" if self.unit == COUNT or grows else "add"

    @property
    def cumulative(self) -> bool:
        """True for year-to-date counts that start at zero each January."""
        return self.source == LOCAL

    @property
    def warmup_months(self) -> int:
        """Months after the first month of the data before the value is meaningful; for year-to-date
        values (which contain January) January must lie that far in."""
        return self.record.ytd_warmup_months if self.source == JFW else self.record.warmup_months


def _target(ind: Indicator) -> TargetIndicator:
    if ind.computed_by != "engine":
        source = LOCAL
    elif ind.ytd is not None:
        source = JFW
    else:
        source = MONTHLY
    # an official indicator's year-to-date value is a variant of it: named so
    name = ind.name + (" (Jahresfortschrittswert)" if source == JFW and ind.monthly else "")
    if ind.ytd is not None:
        description = ind.ytd.text
    elif ind.official:
        description = ""
    else:
        description = f"{ind.numerator_text}; {ind.time_logic}."
    return TargetIndicator(
        ind.agreement_code or ind.code, name, PERCENT if ind.unit == UNIT_PERCENT else COUNT,
        _DIRECTION[ind.better], source, ind.code, by_sex=ind.by_sex,
        annual_average=ind.ytd is not None and ind.ytd.annual_average, description=description)


_CACHE: dict[str, TargetIndicator] | None = None


def target_indicators() -> dict[str, TargetIndicator]:
    """Code → :class:`TargetIndicator` for every code an agreement may use (every record of the
    catalogue)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = {t.code: t for t in map(_target, INDICATORS.values())}
    return _CACHE


def get(code: str) -> TargetIndicator:
    return target_indicators()[code]
