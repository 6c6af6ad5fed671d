"""Year-to-date values (Jahresfortschrittswerte), computed from the declared year-to-date rules.

Every indicator of the catalogue with a :class:`~zielwerk.indicators.definitions.YearToDate` rule
gets, for each month m = January..``through`` of a year, its numerator and denominator term
evaluated over the months January+a .. m+b of the engine's block cube (``window`` (a, b), C7 for
``ROLLING_STOCK``), and the value computed as declared (percent, change, ratio, count). Nothing
here knows a particular indicator: a new year-to-date rule in ``definitions.py`` is computed as
it is declared.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month

from .definitions import (
    CHANGE,
    COUNT,
    INDICATORS,
    MONTHS,
    PERCENT,
    RATIO,
    YTD_CODES,
    YearToDate,
    YtdTerm,
    resolve_ytd_window,
)
from .engine import _LONG_SCHEMA, LEVELS, SEXES, _check_args, _Cube, _full_back, _prepare, lookback_months


def _ytd_term(cube: _Cube, lvl: str, term: YtdTerm, literal: bool, first: int, last: int) -> np.ndarray:
    """``term`` for the months m = first..last of one year (``first`` = January):
    ``[month, unit, sex]``, aggregated over January+a .. m+b."""
    a, b = resolve_ytd_window(term, literal)
    start, stop = first + a, np.arange(first, last + 1) + b  # months start..stop[k] for month k
    if start < cube.lo or stop[-1] > cube.hi or (stop < start).any():
        raise ValueError(f"Fenster {term.window} von {term.block} reicht über die berechneten Monate hinaus")
    n = (stop - start + 1).astype(np.float64)
    units = len(cube.units[lvl])
    if term.block == MONTHS:
        v = np.broadcast_to(n[:, None, None], (len(n), units, 3)).copy()
    else:
        c = cube.running_sum(lvl, term.block)  # c[k] = sum of the months before lo + k
        v = c[stop - cube.lo + 1] - c[start - cube.lo]
    if term.agg == "avg":
        return v / n[:, None, None]
    if term.agg != "sum":
        raise ValueError(f"Unbekannte Aggregation {term.agg!r}")
    return v


def _ytd_value(kind: str, num: np.ndarray, den: np.ndarray | None) -> np.ndarray:
    if kind == COUNT:
        return num
    if den is None:
        raise ValueError(f"Darstellung {kind!r} braucht einen Nenner")
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
    if kind == PERCENT:
        return q * 100
    if kind == CHANGE:
        return (q - 1) * 100
    if kind == RATIO:
        return q
    raise ValueError(f"Unbekannte Darstellung {kind!r}")


def jahresfortschritt(
    ds: Dataset,
    year: int,
    through: Month | None = None,
    level: str = "all",
    stichtag_day: int | None = None,
    literal_window: bool = False,
    indicators: list[str] | tuple[str, ...] | None = None,
) -> pa.Table:
    """Year-to-date values (Jahresfortschrittswerte) for every month January..``through`` of ``year``.

    Same long format as :func:`~zielwerk.indicators.compute_kennzahlen`, ordered by unit type, unit,
    month, indicator and sex. ``indicators``: codes with a year-to-date rule (default: all of
    :data:`~zielwerk.indicators.definitions.YTD_CODES`: K2, K2E4, K3E1 — events of January..m over
    the average stock at S_{Dec prev. year}..S_{m−1}, ``literal_window`` S_Jan..S_m —, LZB_JD — the
    average LZB stock at S_Jan..S_m as sum of the stocks over the number of months —, and K3_JD —
    that average against the same months of the previous year, as a change in %).
    """
    through = through or Month(year, 12)
    if through.year != year:
        raise ValueError(f"Der Monat {through} liegt nicht im Jahr {year}.")
    return jahresfortschritt_years(ds, year, through, level, stichtag_day, literal_window, indicators)


def jahresfortschritt_years(
    ds: Dataset,
    first_year: int,
    through: Month,
    level: str = "all",
    stichtag_day: int | None = None,
    literal_window: bool = False,
    indicators: list[str] | tuple[str, ...] | None = None,
) -> pa.Table:
    """:func:`jahresfortschritt` of every year ``first_year`` .. ``through.year`` (the last one through
    ``through``, the others through December) from ONE engine run over the whole range, concatenated in
    year order. Each year's rows equal those of its own :func:`jahresfortschritt` call: every block from
    January of ``first_year`` on is computed completely, whatever range the run covers."""
    if through.year < first_year:
        raise ValueError(f"Der Monat {through} liegt vor dem Jahr {first_year}.")
    first = Month(first_year, 1)
    _check_args(first, through, level, stichtag_day)
    codes = list(indicators) if indicators is not None else list(YTD_CODES)
    rules = {c: rule for c in codes if c in INDICATORS and (rule := INDICATORS[c].ytd) is not None}
    missing = [c for c in codes if c not in rules]
    if missing:
        raise ValueError(f"Kein Jahresfortschrittswert für: {', '.join(missing)} "
                         f"(vorhanden: {', '.join(YTD_CODES)})")
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    lo, hi = first.index - lookback_months(first, through), through.index
    # every block is computed from _full_back months before January on; no term may read further back
    reach = min(resolve_ytd_window(term, literal_window)[0] for rule in rules.values() for term in rule.terms)
    if -min(reach, 0) >= _full_back(law.regulations_between(first, through)):
        raise ValueError("Ein Fenster reicht weiter zurück als die berechneten Vormonate")
    ctx, cube = _prepare(ds, lo, hi, day, LEVELS[level], first.index)
    ctx.con.close()
    prov_from = Month.of(ds.as_of).index - law.WAITING_MONTHS + 1
    years = [_long_table(cube, rules, Month(y, 1).index, min(Month(y, 12).index, through.index), literal_window,
                         prov_from) for y in range(first_year, through.year + 1)]
    return years[0] if len(years) == 1 else pa.concat_tables(years)


def _long_table(cube: _Cube, rules: dict[str, YearToDate], first: int, last: int, literal: bool,
                prov_from: int) -> pa.Table:
    months = np.arange(first, last + 1)
    month_texts = np.array([str(Month.from_index(int(t))) for t in months], dtype=object)
    cols: dict[str, list] = {name: [] for name in _LONG_SCHEMA.names}
    for lvl in ("total", "jobcenter", "municipality"):
        if lvl not in cube.data or not cube.units[lvl]:
            continue
        unit_ids = np.array(cube.units[lvl], dtype=object)
        for code, rule in rules.items():
            num = _ytd_term(cube, lvl, rule.numerator, literal, first, last)
            den = None if rule.denominator is None else _ytd_term(cube, lvl, rule.denominator, literal, first, last)
            val = _ytd_value(rule.value, num, den)
            sexes = range(3) if INDICATORS[code].by_sex else range(1)
            # [month, unit, sex] → rows
            t_i, u_i, s_i = (x.reshape(-1) for x in np.meshgrid(np.arange(len(months)), np.arange(len(unit_ids)),
                                                              np.array(list(sexes)), indexing="ij"))
            cols["unit_type"].append(np.full(len(t_i), lvl, dtype=object))
            cols["unit_id"].append(unit_ids[u_i])
            cols["month"].append(month_texts[t_i])
            cols["indicator"].append(np.full(len(t_i), code, dtype=object))
            cols["sex"].append(np.array(SEXES, dtype=object)[s_i])
            cols["numerator"].append(num[t_i, u_i, s_i])
            cols["denominator"].append(np.full(len(t_i), np.nan) if den is None else den[t_i, u_i, s_i])
            cols["value"].append(val[t_i, u_i, s_i])
            cols["provisional"].append(months[t_i] >= prov_from)
    if not cols["unit_type"]:
        return _LONG_SCHEMA.empty_table()
    arrays = []
    for name in _LONG_SCHEMA.names:
        x = np.concatenate(cols[name])
        if name in ("denominator", "value"):
            arrays.append(pa.array(x.astype(np.float64), mask=np.isnan(x.astype(np.float64))))
        else:
            arrays.append(pa.array(x.tolist() if x.dtype == object else x, type=_LONG_SCHEMA.field(name).type))
    tbl = pa.Table.from_arrays(arrays, schema=_LONG_SCHEMA)
    order = pc.sort_indices(tbl, sort_keys=[(k, "ascending") for k in
                                            ("unit_type", "unit_id", "month", "indicator", "sex")])
    return tbl.take(order)
