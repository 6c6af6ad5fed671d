"""Official figures as the indicator output's long table, and as the actual series of an agreement.

:func:`to_long_table` turns official figures (store rows or :class:`~.figures.OfficialRow`) into the
long format of ``zielwerk kennzahlen`` (data-contract.md "Indicator output": ``unit_type`` = ``jobcenter``,
``unit_id``, ``month``, ``indicator``, ``sex``, ``numerator``, ``denominator``, ``value``, ``provisional``
= false: a published month is final). Everything that reads the engine's table (peer statistics,
:func:`zielwerk.targets.actuals.series_from_tables`) reads it unchanged.

:func:`official_series_set` gives the actual series of an agreement monitored on the official series
(``reihe = "amtlich"``), so a Jobcenter without person-level data can monitor, forecast and report.
The published table has monthly values only. Indicators whose agreement value is a year-to-date value
(Jahresfortschrittswert: K2, K2E4, K3E1) are measured on the published rolling 12-month value of the
same indicator instead: in December both are the calendar year's value (integrations January–December
over the average stock), during the year they differ; the seasonal path is learnt from the same
(rolling) series, so path and actual are comparable. Local indicators (U25_AUSB, LZB_JD, K3_JD,
ELTERN_2J, RANDZEIT) are not published and stay without data ("keine Daten").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from zielwerk.domain.calendar import Month
from zielwerk.indicators.engine import LONG_SCHEMA


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def to_long_table(rows: Iterable[Any], jobcenter_ids: Iterable[str] | None = None) -> pa.Table:
    """Official figures (dicts, store rows or ``OfficialRow``) as the long table, sorted by Jobcenter,
    month, indicator, sex; only the Jobcenters ``jobcenter_ids`` if given."""
    wanted = set(jobcenter_ids) if jobcenter_ids is not None else None
    cols: dict[str, list] = {f.name: [] for f in LONG_SCHEMA}
    keyed = []
    for r in rows:
        jc = _get(r, "jobcenter_id")
        if wanted is not None and jc not in wanted:
            continue
        keyed.append((jc, _get(r, "month"), _get(r, "indicator"), _get(r, "sex"), r))
    keyed.sort(key=lambda k: k[:4])
    for jc, month, ind, sex, r in keyed:
        cols["unit_type"].append("jobcenter")
        cols["unit_id"].append(jc)
        cols["month"].append(month)
        cols["indicator"].append(ind)
        cols["sex"].append(sex)
        for name in ("numerator", "denominator", "value"):
            v = _get(r, name)
            cols[name].append(None if v is None else float(v))
        cols["provisional"].append(False)
    return pa.table(cols, schema=LONG_SCHEMA)


def official_series_set(agreement: Any, table: pa.Table, report: Month, history: int = 4) -> Any:
    """The actual series (:class:`zielwerk.targets.actuals.SeriesSet`) of ``agreement`` on the official
    figures ``table`` (long format, e.g. :func:`to_long_table`) for the years report.year−history ..
    report.year; months after ``report`` are empty. Every target reads the published monthly value of
    its indicator (year-to-date indicators the rolling value, see the module docstring)."""
    import pyarrow.compute as pc

    from zielwerk.targets import catalogue
    from zielwerk.targets.actuals import SeriesSet

    by_code: dict[str, list[str]] = {}
    for _, target in agreement.targets():
        spec = catalogue.get(target.indicator)
        if spec.source in (catalogue.MONTHLY, catalogue.JFW) and spec.record.official and spec.record.monthly:
            by_code.setdefault(spec.engine_code, []).append(target.indicator)
    out = SeriesSet()
    if not by_code or table.num_rows == 0:
        return out
    first, last = str(Month(report.year - history, 1)), str(report)
    mask = pc.and_(pc.equal(table["unit_id"], agreement.jobcenter_id),
                   pc.is_in(table["indicator"], pa.array(sorted(by_code))))
    mask = pc.and_(mask, pc.and_(pc.greater_equal(table["month"], first), pc.less_equal(table["month"], last)))
    for row in table.filter(mask).to_pylist():
        m = Month.parse(row["month"])
        for code in dict.fromkeys(by_code[row["indicator"]]):
            out.put((code, row["sex"]), m.year, m.month, row["value"])
    return out


def series_label(series: str) -> str:
    """The report's line on the data basis: "Datengrundlage: amtliche Statistik der BA" or
    "Datengrundlage: eigene Berechnung"."""
    from zielwerk.targets.model import SERIES

    return f"Datengrundlage: {SERIES.get(series, series)}"
