"""Monthly actual series for the targets of an agreement, read from the Kennzahlen engine.

For every (indicator, sex) used by a target and every year from ``report.year − history`` to
``report.year`` this gives x_Y(1..12): the value the target is measured on in each month (see
:mod:`zielwerk.targets.catalogue` for the sources). Months after the report month are ``None``.
The engine is the only place indicators are computed; only the two local counts of
:mod:`zielwerk.targets.local` are computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.indicators.definitions import INDICATORS

from . import catalogue
from .local import LOCAL_FUNCTIONS
from .model import Agreement

Key = tuple[str, str]  # (indicator code of the target catalogue, sex)


@dataclass
class SeriesSet:
    """x_Y(m) per (code, sex) and year; ``provisional`` months per C11."""

    values: dict[Key, dict[int, list[float | None]]] = field(default_factory=dict)
    provisional: set[Month] = field(default_factory=set)

    def year(self, key: Key, year: int) -> list[float | None]:
        return self.values.get(key, {}).get(year, [None] * 12)

    def put(self, key: Key, year: int, month: int, value: float | None) -> None:
        self.values.setdefault(key, {}).setdefault(year, [None] * 12)[month - 1] = value


def warmup_months(code: str) -> int:
    """Months of history the indicator of the agreement code ``code`` needs before its first
    meaningful value (the dataset starts with everybody "new"), derived from the windows of its
    declared terms (:attr:`zielwerk.indicators.definitions.Indicator.warmup_months`); for year-to-date
    values the months January must lie after the first month of the data."""
    return catalogue.get(code).warmup_months


def coverage_start(ds: Dataset) -> Month | None:
    """The month of the earliest eLb spell start: values before it plus the warm-up are not meaningful."""
    first = pc.min(ds["elb_spells"]["start"]).as_py()
    return Month.of(first) if first is not None else None


def _blank_warmup(out: SeriesSet, ds: Dataset, specs: dict) -> None:
    start = coverage_start(ds)
    if start is None:
        return
    for (code, _sex), years in out.values.items():
        spec = specs.get(code)
        if spec is None or spec.source == "lokal":
            continue
        valid_from = start + spec.warmup_months
        for year, series in years.items():
            for m in range(1, 13):
                # year-to-date values contain January: the whole year is unusable if January is
                if (Month(year, 1) if spec.source == "jfw" else Month(year, m)) < valid_from:
                    series[m - 1] = None


def _fill(out: SeriesSet, tbl: pa.Table, jobcenter_id: str, by_engine: dict[str, list[str]]) -> None:
    tbl = tbl.filter(pc.and_(pc.equal(tbl["unit_type"], "jobcenter"), pc.equal(tbl["unit_id"], jobcenter_id)))
    for row in tbl.to_pylist():
        m = Month.parse(row["month"])
        if row["provisional"]:
            out.provisional.add(m)
        for code in by_engine.get(row["indicator"], []):
            out.put((code, row["sex"]), m.year, m.month, row["value"])


def series_from_tables(agreement: Agreement, tables: list[pa.Table]) -> SeriesSet:
    """Series from precomputed long tables (outputs of ``compute_kennzahlen`` and ``jahresfortschritt``).

    For callers that already hold the engine's results (the web app reads its batch results). The
    two local counts of :mod:`zielwerk.targets.local` need the dataset and are not filled here.
    """
    jfw, monthly = _engine_codes(agreement)
    out = SeriesSet()
    for tbl in tables:
        codes = set(tbl.column("indicator").unique().to_pylist())
        # a jahresfortschritt table carries the indicators that exist only as year-to-date values
        # (LZB_JD, K3_JD); the quotas in it (K2, …) are year-to-date values too
        is_jfw = any(INDICATORS[c].ytd is not None and not INDICATORS[c].monthly for c in codes if c in INDICATORS)
        _fill(out, tbl, agreement.jobcenter_id, jfw if is_jfw else monthly)
    return out


def _engine_codes(agreement: Agreement) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Engine code → the agreement's indicator codes, for year-to-date ("jfw") and monthly series."""
    jfw: dict[str, list[str]] = {}
    monthly: dict[str, list[str]] = {}
    for _, target in agreement.targets():
        spec = catalogue.get(target.indicator)
        if spec.source == "jfw":
            jfw.setdefault(spec.engine_code, []).append(target.indicator)
        elif spec.source == "monat":
            monthly.setdefault(spec.engine_code, []).append(target.indicator)
    return jfw, monthly


def collect(ds: Dataset, agreement: Agreement, report: Month, history: int = 4) -> SeriesSet:
    """Actual series for every target of ``agreement`` for the years report.year−history..report.year."""
    specs = {t.indicator: catalogue.get(t.indicator) for _, t in agreement.targets()}
    first_year = report.year - history
    out = SeriesSet()
    jfw, monthly = _engine_codes(agreement)
    from zielwerk import indicators as engine

    if monthly:
        tbl = engine.compute_kennzahlen(ds, Month(first_year, 1), report, level="jobcenter",
                                        indicators=sorted(monthly))
        _fill(out, tbl, agreement.jobcenter_id, monthly)
    if jfw:  # every year from one engine run
        _fill(out, engine.jahresfortschritt_years(ds, first_year, report, level="jobcenter"),
              agreement.jobcenter_id, jfw)
    _fill_local(out, ds, agreement, specs, first_year, report)
    _blank_warmup(out, ds, specs)
    return out


def _fill_local(out: SeriesSet, ds: Dataset, agreement: Agreement, specs: dict, first_year: int,
                report: Month, records=None) -> None:
    """The local counts (:data:`LOCAL_FUNCTIONS`) of the agreement's local targets, per year. ``records``:
    case records (the store's contacts and plans, ``casework.records``) for the counts that read them
    (``ELTERN_2J`` counts recorded counselling contacts, issue 15 item 3)."""
    import inspect

    for code, spec in specs.items():
        if spec.source == "lokal":
            fn = LOCAL_FUNCTIONS[code]
            kw = {"records": records} if records is not None and "records" in inspect.signature(fn).parameters else {}
            for year in range(first_year, report.year + 1):
                through = report if year == report.year else Month(year, 12)
                for sex, series in fn(ds, agreement.jobcenter_id, year, through, **kw).items():
                    out.values.setdefault((code, sex), {})[year] = series


def collect_from_tables(ds: Dataset, agreement: Agreement, report: Month, tables: list[pa.Table],
                        history: int = 4, records=None) -> SeriesSet:
    """:func:`collect` with the engine's part read from precomputed tables (no engine run).

    ``tables``: a ``compute_kennzahlen`` table covering January of ``report.year − history`` to
    ``report`` with the monthly codes of the catalogue (any level that includes Jobcenters), and the
    year-to-date table of those years (``jahresfortschritt_years``, through ``report``). The import
    pipeline computes these once for all Jobcenters; the two local counts and the warm-up blanking
    are the same as in :func:`collect`; ``records``: the store's case records for the local counts.
    """
    specs = {t.indicator: catalogue.get(t.indicator) for _, t in agreement.targets()}
    first_year = report.year - history
    out = series_from_tables(agreement, tables)
    for key in list(out.values):
        out.values[key] = {y: v for y, v in out.values[key].items() if first_year <= y <= report.year}
        for y, series in out.values[key].items():
            if y == report.year:
                series[report.month:] = [None] * (12 - report.month)
    _fill_local(out, ds, agreement, specs, first_year, report, records)
    _blank_warmup(out, ds, specs)
    return out
