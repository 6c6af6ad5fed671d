"""Year-to-date values (``jahresfortschritt``) against an independent brute-force computation.

The monthly blocks come from the brute-force reference (``reference.Ref.tally``: days as sets, plain
loops); the year-to-date formulas below are written out from the definitions in words
(docs/zielvereinbarung.md, BA practice), not from the declared terms the engine evaluates:

- K2, K2E4, K3E1: the integrations (of all eLb, single parents, LZB) of the months January..m over the
  average stock at the m Stichtage S_{Dec prev. year}..S_{m−1} (literal reading: S_Jan..S_m); percent.
- LZB_JD: the sum of the LZB stocks at S_Jan..S_m over m (the average stock).
- K3_JD: the average LZB stock of January..m against that of the same months of the previous year, in %.
"""

from __future__ import annotations

import math

import pytest

from zielwerk.domain.calendar import Month
from zielwerk.indicators import INDICATORS, jahresfortschritt, jahresfortschritt_years
from zielwerk.indicators.definitions import PERCENT, ROLLING_STOCK, Indicator, Term, YearToDate, YtdTerm

from .randomdata import random_dataset
from .reference import Ref

QUOTAS = {"K2": ("integ", "elb"), "K2E4": ("integ_ae", "ae"), "K3E1": ("integ_lzb", "lzb")}


def brute_force_ytd(ds, year: int, through: Month, literal: bool = False, extra_quotas=None,
                    levels=("jobcenter", "municipality", "total")) -> dict:
    """(unit_type, unit_id, month, indicator, sex) → (numerator, denominator, value)."""
    quotas = {**QUOTAS, **(extra_quotas or {})}
    jan = Month(year, 1).index
    ref = Ref(ds, Month(year, 1), through)
    out = {}
    for level in levels:
        c = ref.tally(level)
        units = {"jobcenter": ref.jcs, "municipality": ref.muns, "total": ["total"]}[level]
        for u in units:
            for sx in ("all", "f", "m"):
                b = c[(u, sx)]
                for t in range(jan, through.index + 1):
                    n = t - jan + 1  # months January..m
                    key = (level, u, str(Month.from_index(t)))
                    for code, (events, stock) in quotas.items():
                        num = sum(b[events][k] for k in range(jan, t + 1))
                        stocks = range(jan, t + 1) if literal else range(jan - 1, t)  # S_Jan..S_m or S_Dec..S_{m−1}
                        den = sum(b[stock][k] for k in stocks) / n
                        out[(*key, code, sx)] = (num, den, num / den * 100 if den else None)
                    total = sum(b["lzb"][k] for k in range(jan, t + 1))
                    out[(*key, "LZB_JD", sx)] = (total, n, total / n)
                    prev = sum(b["lzb"][k] for k in range(jan - 12, t - 12 + 1)) / n
                    cur = total / n
                    out[(*key, "K3_JD", sx)] = (cur, prev, (cur / prev - 1) * 100 if prev else None)
    return out


def _as_dict(tbl) -> dict:
    return {(r["unit_type"], r["unit_id"], r["month"], r["indicator"], r["sex"]):
            (r["numerator"], r["denominator"], r["value"]) for r in tbl.to_pylist()}


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _problems(engine: dict, ref: dict) -> list[str]:
    out = []
    if set(engine) != set(ref):
        out.append(f"keys differ: only engine {sorted(set(engine) - set(ref))[:5]}, "
                   f"only reference {sorted(set(ref) - set(engine))[:5]}")
    for k in sorted(set(engine) & set(ref)):
        if not all(_close(x, y) for x, y in zip(engine[k], ref[k])):
            out.append(f"{k}: engine {engine[k]} reference {ref[k]}")
    return out


# 2018 lies under FKV 2011, 2019 under FKV 2019
@pytest.mark.parametrize("seed,year,through", [(1, 2018, Month(2018, 12)), (2, 2019, Month(2019, 4)),
                                               (3, 2019, Month(2019, 2))])
def test_ytd_matches_bruteforce(seed, year, through):
    ds = random_dataset(seed)
    got = _as_dict(jahresfortschritt(ds, year, through))
    problems = _problems(got, brute_force_ytd(ds, year, through))
    assert not problems, "\n".join(problems[:20])


def test_several_years_from_one_run_match_bruteforce_per_year():
    """One run over 2018..2019-04 (across the 2019 switch): each year's rows equal the brute force of
    that year, in year order."""
    ds = random_dataset(4)
    tbl = jahresfortschritt_years(ds, 2018, Month(2019, 4))
    years = [m[:4] for m in tbl["month"].to_pylist()]
    assert years == sorted(years)  # year order: all of 2018, then 2019
    got = _as_dict(tbl)
    ref = {**brute_force_ytd(ds, 2018, Month(2018, 12)), **brute_force_ytd(ds, 2019, Month(2019, 4))}
    problems = _problems(got, ref)
    assert not problems, "\n".join(problems[:20])


def test_ytd_matches_bruteforce_literal_window_and_month_end_stichtag():
    ds = random_dataset(12, stichtag_day=31)
    got = _as_dict(jahresfortschritt(ds, 2019, Month(2019, 3), literal_window=True))
    problems = _problems(got, brute_force_ytd(ds, 2019, Month(2019, 3), literal=True))
    assert not problems, "\n".join(problems[:20])


def test_long_format_order_and_level_selection():
    ds = random_dataset(4)
    tbl = jahresfortschritt(ds, 2019, Month(2019, 2), level="jobcenter")
    rows = tbl.to_pylist()
    keys = [(r["unit_type"], r["unit_id"], r["month"], r["indicator"], r["sex"]) for r in rows]
    assert keys == sorted(keys)
    assert {r["unit_type"] for r in rows} == {"jobcenter", "total"}
    # 4 units (J1–J3, total) × 2 months × 5 indicators × 3 sexes
    assert len(rows) == 4 * 2 * 5 * 3
    assert {r["indicator"] for r in rows} == {"K2", "K2E4", "K3E1", "LZB_JD", "K3_JD"}


def test_a_new_declared_rule_is_computed_as_declared(monkeypatch):
    """Generic over the catalogue: a year-to-date rule added to a record (here a year-to-date K2E1:
    entries into marginal employment over the average eLb stock) is computed without any other code."""
    base = INDICATORS["K2E1"]
    rule = YearToDate(YtdTerm("marg"), YtdTerm("elb", ROLLING_STOCK, "avg"), PERCENT, "Test")
    monkeypatch.setitem(INDICATORS, "X_MARG", Indicator("X_MARG", "Test", Term("marg", (-11, 0)), base.denominator,
                                                        PERCENT, "", "", "", "", ytd=rule))
    ds = random_dataset(5)
    got = _as_dict(jahresfortschritt(ds, 2019, Month(2019, 3), level="jobcenter", indicators=["X_MARG"]))
    ref = brute_force_ytd(ds, 2019, Month(2019, 3), extra_quotas={"X_MARG": ("marg", "elb")},
                          levels=("jobcenter", "total"))
    ref = {k: v for k, v in ref.items() if k[3] == "X_MARG"}
    problems = _problems(got, ref)
    assert not problems, "\n".join(problems[:20])


def test_bad_requests_are_refused_in_german():
    ds = random_dataset(1)
    with pytest.raises(ValueError, match="Kein Jahresfortschrittswert für: K1E3"):
        jahresfortschritt(ds, 2019, Month(2019, 2), indicators=["K1E3"])
    with pytest.raises(ValueError, match="liegt nicht im Jahr 2019"):
        jahresfortschritt(ds, 2019, Month(2020, 1))
