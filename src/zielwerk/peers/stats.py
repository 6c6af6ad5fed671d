"""Peer statistics of one indicator, month and sex within a Vergleichstyp (pure: rows in, numbers out).

Input rows are the long format of the official figures (``official_figures``, data contract): dicts
with ``jobcenter_id``, ``jobcenter_name``, ``vergleichstyp``, ``month`` ('YYYY-MM'), ``indicator``,
``sex`` ('all'|'f'|'m'), ``numerator``, ``denominator``, ``value`` (percent, as published).

Definitions (docs/vergleich.md):

* **Quantiles**: linear interpolation between order statistics, "type 7" of Hyndman & Fan (1996) —
  the default of R's ``quantile``, NumPy's ``percentile`` (``method="linear"``), Excel's
  ``QUARTIL.INKL`` and Python's ``statistics.quantiles(method="inclusive")``. For sorted values
  x_1 ≤ … ≤ x_n and p ∈ [0, 1]: h = (n − 1)·p, Q(p) = x_⌊h⌋+1 + (h − ⌊h⌋)·(x_⌊h⌋+2 − x_⌊h⌋+1).
  The median is Q(0,5), the quartiles Q(0,25) and Q(0,75). With this type minimum and maximum are
  Q(0) and Q(1). (The statistics office publishes no quartiles for the Vergleichstypen; we chose the
  most common convention, which ``QUARTIL.INKL`` lets controllers reproduce in Excel.)
* **Rank**: 1 = best, by the indicator's direction (``Indicator.better`` in
  :mod:`zielwerk.indicators.definitions`: HIGHER → descending, LOWER → ascending); ties share the
  best rank ("1, 2, 2, 4"): rank = 1 + number of Jobcenters with a strictly better value. Indicators
  without a direction (K2E2) get no rank and no best quartile.
* **Best quartile**: the quartile on the good side: Q(0,75) for HIGHER, Q(0,25) for LOWER.
* **Distance to the best quartile** in the unit of the numerator (persons; € for K1/K1E1): how much the
  Jobcenter's numerator would have to change, at its own denominator, for its value to reach the best
  quartile. For a rate (value = num/den·100) the needed numerator is q·den/100; for a change rate
  (value = (num/den − 1)·100) it is (1 + q/100)·den. Persons are whole: the distance is rounded up
  (92,1 → 93 more integrations are needed). 0 if the Jobcenter is already in the best quartile.
* Only rows with a numeric value take part (missing or withheld values are left out; ``n`` says how
  many Jobcenters the statistics rest on).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from zielwerk.domain.calendar import Month
from zielwerk.indicators.definitions import CHANGE, HIGHER, INDICATORS, LOWER, MONEY, PERCENT

Row = Mapping[str, Any]


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Type-7 quantile (linear interpolation) of ascending ``sorted_values`` (at least one value)."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("quantile of no values")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must lie in [0, 1], not {p}")
    h = (n - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, n - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


@dataclass(frozen=True)
class Distribution:
    """Minimum, quartiles, median and maximum of the values of ``n`` Jobcenters."""

    n: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Distribution | None:
        xs = sorted(values)
        if not xs:
            return None
        return cls(len(xs), xs[0], quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75), xs[-1])


def _number(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    return float(x) if math.isfinite(x) else None


def rank(value: float, others: Iterable[float], better: str | None) -> int | None:
    """1 + the number of values strictly better than ``value`` (``others`` may include it)."""
    if better == HIGHER:
        return 1 + sum(1 for v in others if v > value)
    if better == LOWER:
        return 1 + sum(1 for v in others if v < value)
    return None


def best_quartile(dist: Distribution, better: str | None) -> float | None:
    if better == HIGHER:
        return dist.q3
    if better == LOWER:
        return dist.q1
    return None


def needed_numerator(code: str, q: float, denominator: float) -> float | None:
    """The numerator that gives the value ``q`` at ``denominator`` (None for value kinds without one)."""
    ind = INDICATORS.get(code)
    kind = ind.value if ind is not None else PERCENT
    if kind == PERCENT:
        return q * denominator / 100.0
    if kind == CHANGE:
        return (1.0 + q / 100.0) * denominator
    return None


def distance_to(code: str, value: float, numerator: float | None, denominator: float | None, q: float | None,
                better: str | None) -> float | None:
    """How much the numerator must change (sign: + more, − fewer) to reach the value ``q``; 0 if the value
    is already at or beyond ``q`` on the good side; None if it cannot be said (no denominator, no
    direction). Counts of persons are rounded up to whole persons, money to whole euros."""
    if q is None or better not in (HIGHER, LOWER):
        return None
    if (better == HIGHER and value >= q) or (better == LOWER and value <= q):
        return 0.0
    if numerator is None or denominator is None or denominator <= 0:
        return None
    target = needed_numerator(code, q, denominator)
    if target is None:
        return None
    delta = target - numerator
    # the smallest whole change that reaches the quartile (never of the wrong sign: the published value
    # is rounded, num/den may already lie a hair beyond it)
    if better == HIGHER:
        return float(max(0, math.ceil(delta - 1e-9)))
    return float(min(0, math.floor(delta + 1e-9)))


@dataclass(frozen=True)
class Entry:
    """One Jobcenter's published figure."""

    jobcenter_id: str
    jobcenter_name: str
    value: float
    numerator: float | None
    denominator: float | None
    rank: int | None = None


@dataclass(frozen=True)
class Position:
    """A Jobcenter among the Jobcenters of its Vergleichstyp for one indicator, month and sex."""

    indicator: str
    month: str
    sex: str
    jobcenter_id: str
    jobcenter_name: str
    vergleichstyp: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    distribution: Distribution | None
    rank: int | None
    better: str | None
    best_quartile: float | None
    #: numerator change to reach the best quartile (persons; € for money indicators); 0 if reached
    to_best_quartile: float | None
    #: the peers, best first (by rank; without a direction by descending value)
    peers: tuple[Entry, ...] = field(default=())

    @property
    def n(self) -> int:
        return self.distribution.n if self.distribution else 0

    @property
    def unit(self) -> str:
        """Unit of :attr:`to_best_quartile`: "€" for money indicators, else "Personen"."""
        ind = INDICATORS.get(self.indicator)
        return "€" if ind is not None and ind.measure == MONEY else "Personen"


def _select(rows: Iterable[Row], indicator: str, month: str, sex: str) -> list[Row]:
    return [r for r in rows if r["indicator"] == indicator and r["month"] == month and r["sex"] == sex]


def position(rows: Iterable[Row], jobcenter_id: str, indicator: str, month: str, sex: str = "all") -> Position:
    """The Jobcenter's position among its Vergleichstyp (rows of any Jobcenters, months, indicators)."""
    chosen = _select(rows, indicator, month, sex)
    own = next((r for r in chosen if r["jobcenter_id"] == jobcenter_id), None)
    vtyp = own.get("vergleichstyp") if own is not None else None
    better = INDICATORS[indicator].better if indicator in INDICATORS else None
    entries = []
    for r in chosen:
        v = _number(r.get("value"))
        if v is None or r.get("vergleichstyp") != vtyp or vtyp is None:
            continue
        entries.append(Entry(r["jobcenter_id"], r.get("jobcenter_name") or r["jobcenter_id"], v,
                             _number(r.get("numerator")), _number(r.get("denominator"))))
    values = [e.value for e in entries]
    ranked = sorted((Entry(e.jobcenter_id, e.jobcenter_name, e.value, e.numerator, e.denominator,
                           rank(e.value, values, better)) for e in entries),
                    key=lambda e: (e.rank if e.rank is not None else 0,
                                   e.value if better == LOWER else -e.value, e.jobcenter_name))
    dist = Distribution.of(values)
    value = _number(own.get("value")) if own is not None else None
    num = _number(own.get("numerator")) if own is not None else None
    den = _number(own.get("denominator")) if own is not None else None
    q = best_quartile(dist, better) if dist is not None else None
    return Position(
        indicator=indicator, month=month, sex=sex, jobcenter_id=jobcenter_id,
        jobcenter_name=(own.get("jobcenter_name") if own is not None else None) or jobcenter_id,
        vergleichstyp=vtyp, value=value, numerator=num, denominator=den, distribution=dist,
        rank=rank(value, values, better) if value is not None and dist is not None else None, better=better,
        best_quartile=q,
        to_best_quartile=distance_to(indicator, value, num, den, q, better) if value is not None else None,
        peers=tuple(ranked))


def previous_year(month: str) -> str:
    return str(Month.parse(month) - 12)


@dataclass(frozen=True)
class Comparison:
    """The position in the month and in the same month of the previous year."""

    current: Position
    previous: Position


def compare(rows: Sequence[Row], jobcenter_id: str, indicator: str, month: str, sex: str = "all") -> Comparison:
    return Comparison(position(rows, jobcenter_id, indicator, month, sex),
                      position(rows, jobcenter_id, indicator, previous_year(month), sex))


@dataclass(frozen=True)
class BandPoint:
    """One month of the band chart: the Jobcenter's value and its type's distribution."""

    month: str
    value: float | None
    distribution: Distribution | None


def band(rows: Iterable[Row], jobcenter_id: str, indicator: str, sex: str = "all") -> list[BandPoint]:
    """Per month (ascending) the Jobcenter's value and the distribution of its Vergleichstyp's values
    (the Jobcenter's type per month as published)."""
    by_month: dict[str, list[Row]] = {}
    for r in rows:
        if r["indicator"] == indicator and r["sex"] == sex:
            by_month.setdefault(r["month"], []).append(r)
    out = []
    for month in sorted(by_month):
        chosen = by_month[month]
        own = next((r for r in chosen if r["jobcenter_id"] == jobcenter_id), None)
        if own is None or own.get("vergleichstyp") is None:
            continue
        vtyp = own["vergleichstyp"]
        values = [v for r in chosen if r.get("vergleichstyp") == vtyp and (v := _number(r.get("value"))) is not None]
        out.append(BandPoint(month, _number(own.get("value")), Distribution.of(values)))
    return out
