"""``lzb_status_many`` (all Stichtage in one pass) equals separate ``lzb_status`` calls and the brute-force
reference (day sets, tests/indicators/reference.py) at every monthly Stichtag of random datasets."""

from __future__ import annotations

from datetime import date

import pytest

from zielwerk.domain.calendar import Month, stichtag
from zielwerk.indicators.engine import lzb_status, lzb_status_many

from .randomdata import random_dataset
from .reference import Ref

COLUMNS = ["person_id", "jobcenter_id", "municipality_id", "elb_days_730", "is_lzb", "lzb_from"]


def _brute_force(ref: Ref, t: int) -> list[dict]:
    """Rows of the status table at S_t, counted day by day: stock and unit (C2), days in the window and
    LZB (C3), and ``lzb_from``: the first monthly Stichtag C ≥ S_t at which the person, staying eLb from
    S_t on, has at least the minimum days in the window (the regulation in force at S_t)."""
    s = ref.S(t)
    reg = ref.reg(t)
    n, w = reg.lzb_min_days, reg.lzb_window_days
    rows = []
    for p, sp in ref.stock(t).items():
        have = {d for d in ref.days[p] if d <= s}
        days0 = sum(1 for d in range(s - w + 1, s + 1) if d in have)
        lzb_from = None
        for k in range(40):
            c = ref.S(t + k)
            if sum(1 for d in range(c - w + 1, c + 1) if d in have or s < d <= c) >= n:
                lzb_from = date.fromordinal(c)
                break
        rows.append({"person_id": p, "jobcenter_id": ref.jc_of[sp["municipality_id"]],
                     "municipality_id": sp["municipality_id"], "elb_days_730": days0, "is_lzb": days0 >= n,
                     "lzb_from": lzb_from})
    return sorted(rows, key=lambda r: (r["jobcenter_id"], r["municipality_id"], r["person_id"]))


@pytest.mark.parametrize(("seed", "day"), [(1, 15), (3, 31), (4, 1)])
def test_many_equals_single_calls_and_brute_force(seed, day):
    ds = random_dataset(seed, n_persons=18, stichtag_day=day)
    first, last = Month(2015, 6), Month.of(ds.as_of) - 1
    ref = Ref(ds, first, last, day=day)
    months = [first + i for i in range(last.index - first.index + 1)]
    days = [stichtag(m, day) for m in months]
    many = lzb_status_many(ds, days)
    assert sorted(many) == sorted(days)
    stocked = 0
    for m, d in zip(months, days):
        got = many[d]
        assert got.column_names == COLUMNS
        assert got.to_pylist() == lzb_status(ds, d).to_pylist(), d
        assert got.to_pylist() == _brute_force(ref, m.index), d
        stocked += got.num_rows
    assert stocked > 0  # the datasets do have an eLb stock


def test_any_order_duplicates_and_off_month_days():
    ds = random_dataset(7, n_persons=18)
    days = [date(2018, 3, 15), date(2016, 1, 2), date(2018, 3, 15), date(2017, 11, 30)]
    many = lzb_status_many(ds, days)
    assert sorted(many) == sorted(set(days))
    for d in set(days):
        assert many[d].to_pylist() == lzb_status(ds, d).to_pylist()
    assert lzb_status_many(ds, []) == {}
