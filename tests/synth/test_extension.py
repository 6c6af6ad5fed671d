"""The generated extension tables of issue 15 (``zielwerk.synth.extension``, docs/synthetic.md).

The interval helpers are checked against day-by-day brute force; the Siegen-Wittgenstein tables are
read with the ``csv`` module and their prevalences at the Stichtag 15.06.2016 recomputed in plain
Python and held to plausible bounds (sources in docs/synthetic.md, "Extension tables").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import numpy as np
import pytest

from zielwerk.synth.extension import _periods, _sweep

from .conftest import d, read_csv

DAY = date(2016, 6, 15)


def _days_of(p, s, e):
    out = defaultdict(set)
    for a, b, c in zip(p, s, e):
        out[int(a)].update(range(int(b), int(c) + 1))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_sweep_is_ok_days_minus_blocked_days(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 15)), int(rng.integers(0, 15))
    p_ok, s_ok = rng.integers(0, 4, n), rng.integers(0, 60, n)
    e_ok = s_ok + rng.integers(0, 25, n)
    p_bl, s_bl = rng.integers(0, 4, m), rng.integers(0, 60, m)
    e_bl = s_bl + rng.integers(0, 10, m)
    p, s, e = _sweep(p_ok, s_ok, e_ok, p_bl, s_bl, e_bl)
    ok, bl = _days_of(p_ok, s_ok, e_ok), _days_of(p_bl, s_bl, e_bl)
    want = {k: v - bl.get(k, set()) for k, v in ok.items()}
    got = _days_of(p, s, e)
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in want.items() if v}
    # maximal intervals: sorted, disjoint and not adjacent per person
    for i in range(1, len(p)):
        if p[i] == p[i - 1]:
            assert s[i] > e[i - 1] + 1


@pytest.mark.parametrize("seed", range(10))
def test_periods_merge_over_gaps(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    p, s = rng.integers(0, 3, n), rng.integers(0, 200, n)
    e = s + rng.integers(0, 40, n)
    q, a, b, _ = _periods(p, s, e, gap=31)
    # brute force: a day set per person; two periods merge iff fewer than 32 days lie between them
    for person in set(p.tolist()):
        days = sorted(set().union(*(set(range(x, y + 1)) for pp, x, y in zip(p, s, e) if pp == person)))
        runs, start, prev = [], days[0], days[0]
        for x in days[1:]:
            if x - prev > 32:
                runs.append((start, prev))
                start = x
            prev = x
        runs.append((start, prev))
        assert [(int(x), int(y)) for pp, x, y in zip(q, a, b) if pp == person] == runs


@pytest.fixture(scope="module")
def ext(siegen_dir):
    names = ("persons", "elb_spells", "employment", "measures", "unemployment_spells", "school_attendance",
             "exemptions", "profile_stages", "action_plan_periods", "children")
    return {n: read_csv(siegen_dir, n) for n in names}


def _covering(rows, day=DAY):
    return [r for r in rows if d(r["start"]) <= day <= d(r["end"])]


@pytest.fixture(scope="module")
def stock(ext):
    return {r["person_id"] for r in _covering([r for r in ext["elb_spells"] if r["status"] == "elb"])}


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def test_registered_unemployed_share(ext, stock):
    unemployed = {r["person_id"] for r in _covering(ext["unemployment_spells"])}
    # SGB II 2016: about 1.7 of 4.3 million eLb registered unemployed (≈ 40 %)
    share = len(unemployed & stock) / len(stock)
    assert 0.33 <= share <= 0.55, share
    # nobody registered outside receipt on that day, in svB work or at school
    assert unemployed <= stock
    svb = {r["person_id"] for r in _covering(ext["employment"]) if r["kind"] in ("svb", "training")}
    school = {r["person_id"] for r in _covering(ext["school_attendance"])}
    assert not unemployed & svb and not unemployed & school


def test_pupils_among_15_to_17(ext, stock):
    birth = {r["person_id"]: d(r["birth_date"]) for r in ext["persons"]}
    young = {p for p in stock if 15 <= _age(birth[p], DAY) <= 17}
    pupils = {r["person_id"] for r in _covering(ext["school_attendance"])}
    share = len(young & pupils) / len(young)
    assert 0.75 <= share <= 1.0, share  # compulsory schooling to 18 in NRW, incl. vocational school
    assert {r["school_type"] for r in ext["school_attendance"]} == {"general", "vocational"}


def test_exemptions(ext, stock):
    by_reason = Counter()
    for r in _covering(ext["exemptions"]):
        if r["person_id"] in stock:
            by_reason[r["reason"]] += 1
    assert set(by_reason) == {"child_under_3", "care_of_relative", "school_training", "other"}
    # mothers of children under 3 are mostly exempt, fathers rarely: 2–8 % of the stock in all
    assert 0.01 <= by_reason["child_under_3"] / len(stock) <= 0.08
    assert by_reason["care_of_relative"] / len(stock) <= 0.02
    # every child_under_3 exemption lies before the 3rd birthday of a child of that person
    kids = defaultdict(list)
    for r in ext["children"]:
        kids[r["person_id"]].append(d(r["child_birth_date"]))
    for r in ext["exemptions"]:
        if r["reason"] == "child_under_3":
            s = d(r["start"])
            assert any(b <= s and _age(b, s) < 3 for b in kids[r["person_id"]]), r


def test_profile_stages(ext, stock):
    latest = {}
    for r in ext["profile_stages"]:
        day = d(r["assessed_on"])
        if day <= DAY and (r["person_id"] not in latest or latest[r["person_id"]][0] < day):
            latest[r["person_id"]] = (day, r["stage"])
    stages = Counter(latest[p][1] for p in stock if p in latest)
    assert sum(stages.values()) / len(stock) >= 0.9  # nearly everybody is profiled
    complex_ = sum(stages[s] for s in ("development", "stabilisation", "support")) / sum(stages.values())
    # BA statistics: the complex profiles are the majority of the SGB II stock (≈ 55–65 %)
    assert 0.45 <= complex_ <= 0.75, complex_
    assert stages["market"] / sum(stages.values()) <= 0.12
    keys = [(r["person_id"], r["assessed_on"]) for r in ext["profile_stages"]]
    assert len(keys) == len(set(keys))


def test_action_plans_in_force(ext, stock):
    inforce = {r["person_id"] for r in _covering(ext["action_plan_periods"])}
    share = len(inforce & stock) / len(stock)
    assert 0.5 <= share <= 0.85, share
    for r in ext["action_plan_periods"]:
        if r["end"]:
            assert (d(r["end"]) - d(r["start"])).days <= 182  # six months at most (§ 15 SGB II 2016)


def test_16a_services(ext, stock):
    started = Counter(r["instrument"] for r in ext["measures"]
                      if r["instrument"].startswith("16a_") and d(r["start"]).year == 2016)
    assert set(started) == {"16a_childcare", "16a_debt", "16a_psychosocial", "16a_addiction"}
    # a few hundred services a year for about 11,000 eLb: 2–10 starts per 100 eLb
    assert 0.02 <= sum(started.values()) / len(stock) <= 0.10, started


def test_germany_extension_prevalence(tmp_path):
    """The ``germany`` scenario (no obstacles: § 16a services by base rates): the same bounds at 15.06.2016."""
    import pyarrow.parquet as pq

    from zielwerk.synth import germany

    germany.write(tmp_path / "de", seed=1, scale=0.002)
    rows = {n: pq.read_table(tmp_path / "de" / f"{n}.parquet").to_pylist()
            for n in ("elb_spells", "unemployment_spells", "school_attendance", "profile_stages", "measures",
                      "action_plan_periods")}

    def cov(r):
        return r["start"] <= DAY and (r["end"] is None or r["end"] >= DAY)

    stock = {r["person_id"] for r in rows["elb_spells"] if r["status"] == "elb" and cov(r)}
    unemployed = {r["person_id"] for r in rows["unemployment_spells"] if cov(r)}
    assert unemployed <= stock and 0.33 <= len(unemployed) / len(stock) <= 0.55
    plans = {r["person_id"] for r in rows["action_plan_periods"] if cov(r)} & stock
    assert 0.5 <= len(plans) / len(stock) <= 0.85
    # germany keeps action plans from 2015 on (extension.py, detail_from)
    assert min(r["end"] or DAY for r in rows["action_plan_periods"]) >= date(2015, 1, 1)
    started = Counter(r["instrument"] for r in rows["measures"]
                      if r["instrument"].startswith("16a_") and r["start"].year == 2016)
    assert set(started) == {"16a_childcare", "16a_debt", "16a_psychosocial", "16a_addiction"}
    assert 0.02 <= sum(started.values()) / len(stock) <= 0.15
