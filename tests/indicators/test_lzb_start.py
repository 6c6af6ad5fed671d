"""The LZB stock (C3) for persons whose current eLb interval has earlier intervals within the
730-day window: the engine derives the first LZB day per merged interval (closed form for one
earlier interval, candidate Stichtage for several); here every Stichtag is counted day by day."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month, stichtag
from zielwerk.indicators import compute_kennzahlen


def _dataset(seed: int, n: int = 120) -> tuple[Dataset, dict[str, list[tuple[date, date]]]]:
    rng = random.Random(seed)
    persons, spells, intervals = [], [], {}
    for i in range(n):
        pid = f"P{i:03d}"
        persons.append({"person_id": pid, "birth_date": date(1980, 1, 1), "sex": "f"})
        # one or two earlier intervals, gaps around the thresholds (93 days: the window loses the
        # earlier interval at the rate the current one gains; 730 days: out of reach)
        cur = date(2014, 1, 1) + timedelta(days=rng.randint(0, 400))
        ivs = []
        for k in range(rng.choice([2, 2, 3])):
            length = rng.choice([0, rng.randint(1, 40), rng.randint(40, 300), rng.randint(300, 700)])
            ivs.append((cur, cur + timedelta(days=length)))
            cur = cur + timedelta(days=length + rng.choice([2, rng.randint(2, 120), rng.randint(80, 110),
                                                           rng.randint(100, 800)]))
        ivs[-1] = (ivs[-1][0], date(2018, 12, 31))  # the current interval runs through the period
        intervals[pid] = ivs
        for k, (s, e) in enumerate(ivs):
            spells.append({"person_id": pid, "bg_id": f"B{i}-{k}", "municipality_id": "M1", "status": "elb",
                           "role": "head", "start": s, "end": e})
    ds = Dataset.from_rows({
        "jobcenters": [{"jobcenter_id": "J1", "name": "Jobcenter", "form": "gE"}],
        "municipalities": [{"municipality_id": "M1", "name": "Gemeinde", "jobcenter_id": "J1"}],
        "persons": persons, "elb_spells": spells,
    }, as_of=date(2019, 6, 30))
    return ds, intervals


def _lzb_count(intervals: dict[str, list[tuple[date, date]]], S: date) -> int:
    n = 0
    for ivs in intervals.values():
        if not any(s <= S <= e for s, e in ivs):
            continue
        days = sum(1 for k in range(730) if any(s <= S - timedelta(days=k) <= e for s, e in ivs))
        n += days >= 638
    return n


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_lzb_stock_with_earlier_intervals_in_the_window(seed):
    ds, intervals = _dataset(seed)
    first, last = Month(2016, 1), Month(2017, 12)
    tbl = compute_kennzahlen(ds, first, last, level="jobcenter", indicators=["K3"])
    got = {r["month"]: r["numerator"] for r in tbl.to_pylist() if r["unit_type"] == "total" and r["sex"] == "all"}
    m = first
    while m <= last:
        assert got[str(m)] == _lzb_count(intervals, stichtag(m, 15)), str(m)
        m = m + 1
