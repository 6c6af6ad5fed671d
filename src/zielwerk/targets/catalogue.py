"""Which indicators a target can refer to, and how the target module reads them.

The § 48a Kennzahlen and the engine's local indicators are defined in :mod:`zielwerk.indicators`
(one place); this module only records, per code usable in an agreement, *where the monthly value
comes from* and *which direction is better*. Two local indicators that the engine does not
provide (parents in the 2nd year reached, off-peak childcare needs solved) are computed in
:mod:`zielwerk.targets.local`.

Sources of a monthly series x_Y(m), m = 1..12, of a target year Y:

- ``jfw``: the engine's year-to-date value (Jahresfortschrittswert, :func:`jahresfortschritt`);
  its December value is the annual result.
- ``monat``: the monthly value of the long table (:func:`compute_kennzahlen`), rolling 12-month
  quotas and rates as published; the December value of a rolling quota is the calendar year's.
- ``lokal``: a year-to-date count computed in :mod:`zielwerk.targets.local`.
"""

from __future__ import annotations

from dataclasses import dataclass

PERCENT = "prozent"
COUNT = "anzahl"

HIGHER = "hoeher"
LOWER = "niedriger"


@dataclass(frozen=True)
class TargetIndicator:
    """An indicator as used in an agreement."""

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
    def seasonal(self) -> str:
        """Seasonal method: ``mult`` (share of the year-end value reached by month m) for counts and
        year-to-date quotas, which grow through the year; ``add`` (distance to the year-end value)
        for rolling quotas, point-in-time quotas and change rates, which move around a level and
        can be zero or negative."""
        return "mult" if self.unit == COUNT or (self.source == "jfw" and self.code in _JFW) else "add"

    @property
    def cumulative(self) -> bool:
        """True for year-to-date counts that start at zero each January."""
        return self.source == "lokal"


def _official() -> dict[str, str]:
    from zielwerk.indicators import INDICATORS

    return {code: ind.name for code, ind in INDICATORS.items()}


# Direction of the 15 official indicators: which way is an improvement (domain.md § 2).
_BETTER = {
    "K1": LOWER, "K1E1": LOWER, "K1E2": LOWER, "K1E3": LOWER, "K1E4": HIGHER,
    "K2": HIGHER, "K2E1": HIGHER, "K2E2": None, "K2E3": HIGHER, "K2E4": HIGHER,
    "K3": LOWER, "K3E1": HIGHER, "K3E2": HIGHER, "K3E3": LOWER, "K3E4": HIGHER,
}
#: quotas for which the engine provides a year-to-date value (Jahresfortschrittswert)
_JFW = {"K2", "K2E4", "K3E1"}
_NO_SEX = {"K1", "K1E1"}


def _build() -> dict[str, TargetIndicator]:
    names = _official()
    out: dict[str, TargetIndicator] = {}
    for code, better in _BETTER.items():
        src = "jfw" if code in _JFW else "monat"
        suffix = " (Jahresfortschrittswert)" if src == "jfw" else ""
        out[code] = TargetIndicator(code, names.get(code, code) + suffix, PERCENT, better, src, code,
                                    by_sex=code not in _NO_SEX)
    out["LZB_JD"] = TargetIndicator(
        "LZB_JD", "Durchschnittlicher Bestand an Langzeitleistungsbeziehenden (Jahresdurchschnitt)", COUNT,
        LOWER, "jfw", "LZB_JD", annual_average=True,
        description="Durchschnitt der LZB-Bestände an den Stichtagen Januar bis Berichtsmonat.")
    out["K3_JD"] = TargetIndicator(
        "K3_JD", "Veränderung des durchschnittlichen LZB-Bestands gegenüber dem Vorjahr", PERCENT, LOWER, "jfw",
        "K3_JD")
    if "L_U25_AUSB" in names:
        out["U25_AUSB"] = TargetIndicator(
            "U25_AUSB", "Integrationen unter 25-Jähriger in Ausbildung", COUNT, HIGHER, "monat", "L_U25_AUSB",
            description="Gleitende 12-Monats-Summe der Kennzahlen-Engine; im Dezember der Jahreswert.")
    out["ELTERN_2J"] = TargetIndicator(
        "ELTERN_2J", "Erreichte Eltern ab dem 2. Erziehungsjahr", COUNT, HIGHER, "lokal", "ELTERN_2J",
        description="eLb mit jüngstem Kind im Alter von 12 bis 35 Monaten, die seit Jahresbeginn eine "
                    "Maßnahme begonnen haben (kumuliert, Personen).")
    out["RANDZEIT"] = TargetIndicator(
        "RANDZEIT", "Gelöste Betreuungsbedarfe in Randzeiten", COUNT, HIGHER, "lokal", "RANDZEIT",
        by_sex=False,
        description="Seit Jahresbeginn beendete Betreuungsbedarfe in Randzeiten (früh, spät, Wochenende, "
                    "Nacht), deren Elternteil beim Ende noch Leistungen bezog (kumuliert).")
    return out


_CACHE: dict[str, TargetIndicator] | None = None


def target_indicators() -> dict[str, TargetIndicator]:
    """Code → :class:`TargetIndicator` for every code an agreement may use."""
    global _CACHE
    if _CACHE is None:
        _CACHE = _build()
    return _CACHE


def get(code: str) -> TargetIndicator:
    return target_indicators()[code]
