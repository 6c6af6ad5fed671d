"""Reconciliation: own figures beside official ones per Jobcenter, month, indicator and sex (issue 14 item 4).

For every cell present on both sides (own: the indicator output's long table of ``zielwerk kennzahlen``;
official: the published table, :func:`zielwerk.official.series.to_long_table`) the difference of the values
(own − official, percentage points) and one explanation category, decided in this order:

1. ``vorlaeufig`` – **month still provisional locally**: the own row is marked provisional (C11: within
   three months of the data's as-of date). Late records are still expected locally; no further judgement.
2. ``rundung`` – **rounding**: the own value lies in the range of values consistent with the official
   figures (:func:`~zielwerk.official.reader.value_interval`: numerator and denominator published as whole
   numbers may each be off by 0.5, the value by half a unit of its published decimal). Also where both
   agree exactly.
3. ``nacherfassung`` – **late-recorded data**: the month is final locally, the denominators agree within
   :data:`LATE_DENOMINATOR` (relative) and the numerators differ by at most :data:`LATE_NUMERATOR`
   (relative) or :data:`LATE_MIN_PERSONS` persons: events (integrations, entries, exits, payments) recorded
   after the local extract or corrected later, which the statistics office counts after its waiting period.
4. ``definition`` – **definition or delimitation**: anything larger – a different count of the stock
   (denominator), a structural difference in the numerator (a measure or employment kind counted
   differently, a different Stichtag or window reading, C7), or a value on one side only.

The thresholds are a judgement, documented in docs/official-figures.md; they are parameters of
:func:`reconcile`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .figures import OFFICIAL_CODES
from .reader import value_interval

PROVISIONAL, ROUNDING, LATE, DEFINITION = "vorlaeufig", "rundung", "nacherfassung", "definition"
CATEGORIES = {
    PROVISIONAL: "Monat lokal noch vorläufig",
    ROUNDING: "Rundung",
    LATE: "Nacherfassung",
    DEFINITION: "Abgrenzung/Definition",
}
EXPLANATIONS = {
    PROVISIONAL: "Der Monat liegt lokal noch in der Wartezeit von drei Monaten; spät erfasste Fälle fehlen "
                 "in den eigenen Daten noch.",
    ROUNDING: "Die Abweichung entsteht nur durch die Rundung der Veröffentlichung.",
    LATE: "Zähler weicht leicht ab, Nenner stimmt: nachträglich erfasste oder korrigierte Fälle.",
    DEFINITION: "Größere oder strukturelle Abweichung: Bestand oder Zählweise unterscheiden sich "
                "(Abgrenzung, Definition, Stichtag); bitte prüfen.",
}
#: relative difference of the numerators still explained by late recording, and its floor in persons
LATE_NUMERATOR = 0.05
LATE_MIN_PERSONS = 3.0
#: relative difference of the denominators (stocks) that late recording leaves
LATE_DENOMINATOR = 0.01


@dataclass(frozen=True)
class Reconciled:
    jobcenter_id: str
    month: str
    indicator: str
    sex: str
    own_numerator: float | None
    own_denominator: float | None
    own_value: float | None
    own_provisional: bool
    official_numerator: float | None
    official_denominator: float | None
    official_value: float | None
    #: own − official value (percentage points); None if a value is missing
    difference: float | None
    category: str

    @property
    def label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def explanation(self) -> str:
        return EXPLANATIONS[self.category]


def _rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b) if b else (0.0 if a == b else float("inf"))


def categorise(own_num: float | None, own_den: float | None, own_value: float | None, provisional: bool,
               off_num: float | None, off_den: float | None, off_value: float | None, *,
               late_numerator: float = LATE_NUMERATOR, late_min: float = LATE_MIN_PERSONS,
               late_denominator: float = LATE_DENOMINATOR, value_decimals: int = 1, code: str = "") -> str:
    """The explanation category of one cell (rules in the module docstring)."""
    if provisional:
        return PROVISIONAL
    if own_value is None or off_value is None:
        return DEFINITION
    span = None
    if code and off_num is not None and off_den is not None and off_den > 0:
        span = value_interval(code, off_num, off_den, value_decimals)
    if span is not None:
        if span[0] <= own_value <= span[1]:
            return ROUNDING
    elif abs(own_value - off_value) <= 0.5 * 10.0 ** (-value_decimals) + 1e-9:
        return ROUNDING
    if None not in (own_num, own_den, off_num, off_den):
        assert own_num is not None and own_den is not None and off_num is not None and off_den is not None
        den_ok = _rel(own_den, off_den) <= late_denominator or abs(own_den - off_den) <= 0.5
        num_diff = abs(own_num - off_num)
        num_ok = num_diff <= max(late_min, late_numerator * abs(off_num))
        if den_ok and num_ok:
            return LATE
    return DEFINITION


def _rows(tbl: Any) -> Iterable[dict]:
    if isinstance(tbl, pa.Table):
        return tbl.to_pylist()
    return tbl


def reconcile(own: Any, official: Any, jobcenter_ids: Iterable[str] | None = None,
              **thresholds: Any) -> list[Reconciled]:
    """Every (Jobcenter, month, indicator, sex) present in both tables (long format; ``own`` rows of
    ``unit_type`` 'jobcenter'), sorted; ``thresholds`` as :func:`categorise`'s keywords."""
    wanted = set(jobcenter_ids) if jobcenter_ids is not None else None
    if isinstance(own, pa.Table):
        own = own.filter(pc.equal(own["unit_type"], "jobcenter"))
    off: dict[tuple, dict] = {}
    for r in _rows(official):
        if wanted is None or r["unit_id"] in wanted:
            off[(r["unit_id"], r["month"], r["indicator"], r["sex"])] = r
    out = []
    for r in _rows(own):
        if r.get("unit_type", "jobcenter") != "jobcenter" or r["indicator"] not in OFFICIAL_CODES:
            continue
        key = (r["unit_id"], r["month"], r["indicator"], r["sex"])
        o = off.get(key)
        if o is None:
            continue
        own_v, off_v = r["value"], o["value"]
        cat = categorise(r["numerator"], r["denominator"], own_v, bool(r["provisional"]), o["numerator"],
                         o["denominator"], off_v, code=r["indicator"], **thresholds)
        diff = own_v - off_v if own_v is not None and off_v is not None else None
        out.append(Reconciled(*key, r["numerator"], r["denominator"], own_v, bool(r["provisional"]),
                              o["numerator"], o["denominator"], off_v, diff, cat))
    out.sort(key=lambda x: (x.jobcenter_id, x.month, OFFICIAL_CODES.index(x.indicator), x.sex))
    return out


def summary(rows: Iterable[Reconciled]) -> dict[str, int]:
    """Cells per category (every category present, in the order of :data:`CATEGORIES`)."""
    out = dict.fromkeys(CATEGORIES, 0)
    for r in rows:
        out[r.category] += 1
    return out


def line(r: Reconciled | None, unit: str = "%") -> str:
    """One German line for the report, e.g. "Abgleich 2016-09: eigene 6,3 %, amtlich 6,2 % (+0,10 Pp.;
    Rundung)"; a fixed sentence when no month has both figures."""
    from zielwerk.domain import german

    if r is None:
        return "Abgleich mit der amtlichen Statistik: noch kein Monat mit eigenen und amtlichen Werten."
    own = german.pct(r.own_value, 1) if r.own_value is not None else "–"
    off = german.pct(r.official_value, 1) if r.official_value is not None else "–"
    diff = f"{german.points(r.difference, 2)}; " if r.difference is not None else ""
    return f"Abgleich {r.month}: eigene {own}, amtlich {off} ({diff}{r.label})"
