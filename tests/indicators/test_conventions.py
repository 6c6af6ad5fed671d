"""Hand-worked cases for conventions C1–C9 and C11 (docs/domain.md § 3).

Every expected number is worked out by hand in the comment next to it.
"""

from __future__ import annotations

from datetime import date

import pytest

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.indicators import INDICATORS, OFFICIAL_CODES, compute_kennzahlen, jahresfortschritt, lzb_status

JC = [{"jobcenter_id": "J1", "name": "Jobcenter Eins", "form": "gE"},
      {"jobcenter_id": "J2", "name": "Jobcenter Zwei", "form": "zkT"}]
MUN = [{"municipality_id": "A1", "name": "Aheim", "jobcenter_id": "J1"},
       {"municipality_id": "A2", "name": "Adorf", "jobcenter_id": "J1"},
       {"municipality_id": "B1", "name": "Bstadt", "jobcenter_id": "J2"}]


def make(spells, persons=None, employment=(), measures=(), households=(), payments=(), as_of=date(2020, 12, 31),
         stichtag_day=15) -> Dataset:
    pids = sorted({s[0] for s in spells} | {e[0] for e in employment})
    persons = persons or {}
    rows = {
        "jobcenters": JC, "municipalities": MUN,
        "persons": [{"person_id": p, "birth_date": persons.get(p, ("f", "1980-01-01"))[1],
                     "sex": persons.get(p, ("f", "1980-01-01"))[0]} for p in pids],
        # (person, bg, municipality, start, end[, status[, role]])
        "elb_spells": [{"person_id": s[0], "bg_id": s[1], "municipality_id": s[2], "start": s[3], "end": s[4],
                        "status": s[5] if len(s) > 5 else "elb", "role": s[6] if len(s) > 6 else "head"}
                       for s in spells],
        "employment": [{"person_id": e[0], "kind": e[1], "subsidy": e[2], "start": e[3], "end": e[4]}
                       for e in employment],
        "measures": [{"person_id": m[0], "instrument": m[1], "start": m[2], "end": m[3]} for m in measures],
        "households": [{"bg_id": h[0], "bg_type": h[1], "start": h[2], "end": h[3]} for h in households],
        "payments": [{"bg_id": p[0], "month": p[1], "municipality_id": p[2], "llu": p[3], "luh": p[4]}
                     for p in payments],
        "children": [],
    }
    return Dataset.from_rows(rows, as_of=as_of, stichtag_day=stichtag_day)


def get(tbl, month, ind, unit=("total", "total"), sex="all"):
    for r in tbl.to_pylist():
        if (r["unit_type"], r["unit_id"], r["month"], r["indicator"], r["sex"]) == (*unit, month, ind, sex):
            return r["numerator"], r["denominator"], r["value"]
    raise KeyError((unit, month, ind, sex))


# --- C1 Stichtag -------------------------------------------------------------------------------

def test_c1_spell_ending_the_day_before_the_stichtag_is_not_in_the_stock():
    # p1 in stock at S_2016-02 (15.02.) but ends 14.03., the day before S_2016-03; p2 starts on S_2016-03.
    ds = make([("p1", "b1", "A1", "2016-01-01", "2016-03-14"), ("p2", "b2", "A1", "2016-03-15", None)])
    t = compute_kennzahlen(ds, Month(2017, 2), Month(2017, 3), level="jobcenter")
    # K1E2 in 2017-02: stock S_2017-02 = 1 (p2) over S_2016-02 = 1 (p1) → change 0 %
    assert get(t, "2017-02", "K1E2")[:2] == (1, 1)
    # 2017-03: 1 (p2) over S_2016-03 = 1 (p2 counts from its first day, p1 no longer) → 1/1
    assert get(t, "2017-03", "K1E2")[:2] == (1, 1)
    # K1E4 2017-03: exits in months 2016-04..2017-03 → p1's exit day 15.03.2016 lies in (S_2016-02, S_2016-03]
    # → month 2016-03, outside; numerator 0
    assert get(t, "2017-03", "K1E4")[0] == 0
    assert get(t, "2017-02", "K1E4")[0] == 1


def test_c1_stichtag_day_clamps_to_month_end_in_leap_february():
    # Stichtag day 31: S_2016-02 = 29.02.2016 (leap year). A spell 29.02.–01.03. is in the stock in Feb only.
    ds = make([("p1", "b1", "A1", "2016-02-29", "2016-03-01"), ("p2", "b2", "A1", "2015-01-01", None)],
              stichtag_day=31)
    t = compute_kennzahlen(ds, Month(2017, 2), Month(2017, 2), level="jobcenter")
    # K1E2 2017-02: S_2017-02 = 28.02.2017 → 1 (p2); S_2016-02 = 29.02.2016 → 2 → (1/2 − 1)·100 = −50
    assert get(t, "2017-02", "K1E2") == (1, 2, -50.0)
    t15 = compute_kennzahlen(ds, Month(2017, 2), Month(2017, 2), level="jobcenter", stichtag_day=15)
    assert get(t15, "2017-02", "K1E2") == (1, 1, 0.0)


# --- C2 stock attribution ------------------------------------------------------------------------

def test_c2_overlapping_spells_in_two_bgs_count_once_in_the_latest_started():
    ds = make([("p1", "b1", "A1", "2015-01-01", None), ("p1", "b2", "B1", "2015-06-01", "2016-12-31"),
               # equal start dates: the greater bg_id wins (b9 in A2 over b8 in B1)
               ("p2", "b8", "B1", "2015-03-01", None), ("p2", "b9", "A2", "2015-03-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 6), level="all")
    # S_2016-06: p1 counted once in B1 (J2; spell started later), p2 in A2 (J1)
    assert get(t, "2016-06", "K1E2", ("total", "total"))[0] == 2
    assert get(t, "2016-06", "K1E2", ("jobcenter", "J1"))[0] == 1
    assert get(t, "2016-06", "K1E2", ("jobcenter", "J2"))[0] == 1
    assert get(t, "2016-06", "K1E2", ("municipality", "A2"))[0] == 1
    assert get(t, "2016-06", "K1E2", ("municipality", "A1"))[0] == 0
    assert get(t, "2016-06", "K1E2", ("municipality", "B1"))[0] == 1


# --- C3 LZB ------------------------------------------------------------------------------------

def test_c3_exactly_638_days_is_lzb_637_is_not_across_a_leap_day():
    # S_2016-03 = 15.03.2016; window [17.03.2014, 15.03.2016] holds 29.02.2016 (730 days).
    # p638 from 17.06.2014 covers 638 days to S; p637 from 18.06.2014 covers 637.
    ds = make([("p638", "b1", "A1", "2014-06-17", None), ("p637", "b2", "A1", "2014-06-18", None)])
    st = {r["person_id"]: r for r in lzb_status(ds, date(2016, 3, 15)).to_pylist()}
    assert st["p638"]["elb_days_730"] == 638 and st["p638"]["is_lzb"] is True
    assert st["p637"]["elb_days_730"] == 637 and st["p637"]["is_lzb"] is False
    # p637 becomes LZB the next day → the next monthly Stichtag 15.04.2016
    assert st["p637"]["lzb_from"] == date(2016, 4, 15)
    assert st["p638"]["lzb_from"] == date(2016, 3, 15)
    t = compute_kennzahlen(ds, Month(2016, 3), Month(2016, 4), level="jobcenter")
    # K3E3 2016-03: LZB entries of 2015-04..2016-03 = 1 (p638 in 2016-03); stock at same Stichtage: only
    # S_2016-03 has an LZB → 1/1
    assert get(t, "2016-03", "K3E3")[:2] == (1, 1)
    assert get(t, "2016-04", "K3E3")[:2] == (2, 3)  # p637 enters in 2016-04; stocks 1 + 2


def test_c3_days_count_across_bgs_and_jobcenters_overlaps_once_nef_not():
    # S = 15.01.2019, window [16.01.2017, 15.01.2019].
    ds = make([
        # p1: J1 16.01.2017–30.06.2018 (531 days) and J2 from 01.06.2018 (overlap of 30 days):
        # union = 16.01.2017–15.01.2019 = 730 days → LZB
        ("p1", "b1", "A1", "2017-01-16", "2018-06-30"), ("p1", "b2", "B1", "2018-06-01", None),
        # p2: nef until 30.09.2017, eLb from 01.10.2017 → 472 days (nef days do not count) → not LZB
        ("p2", "b3", "A1", "2016-01-01", "2017-09-30", "nef", "child"), ("p2", "b4", "A1", "2017-10-01", None),
    ])
    st = {r["person_id"]: r for r in lzb_status(ds, date(2019, 1, 15)).to_pylist()}
    assert st["p1"]["elb_days_730"] == 730 and st["p1"]["is_lzb"]
    assert st["p1"]["jobcenter_id"] == "J2" and st["p1"]["municipality_id"] == "B1"
    assert st["p2"]["elb_days_730"] == 472 and not st["p2"]["is_lzb"]
    # p2 needs 166 more days: 472 + 166 = 638 on 30.06.2019 → first Stichtag 15.07.2019
    assert st["p2"]["lzb_from"] == date(2019, 7, 15)


def test_lzb_from_for_a_day_between_stichtage_starts_with_the_same_months_stichtag():
    # Given day 05.03.2016, before S_2016-03 = 15.03.2016; windows start 07.03.2014 and 17.03.2014,
    # before every spell here, so the days are simply counted from the spell start (inclusive).
    # pa from 07.06.2014: 638 days on 05.03.2016 → LZB on the given day itself.
    ds = make([("pa", "b1", "A1", "2014-06-07", None), ("pb", "b2", "A1", "2014-06-20", None)])
    st = {r["person_id"]: r for r in lzb_status(ds, date(2016, 3, 5)).to_pylist()}
    assert st["pa"]["elb_days_730"] == 638 and st["pa"]["lzb_from"] == date(2016, 3, 5)
    # pb: 20.06.2014..05.03.2016 = 625 days; 638 reached on 18.03.2016 → first Stichtag 15.04.2016;
    # at 15.03.2016 it has 635 days (not yet)
    assert st["pb"]["elb_days_730"] == 625 and st["pb"]["lzb_from"] == date(2016, 4, 15)
    ds2 = make([("pc", "b3", "A1", "2014-06-10", None)])
    # pc: at 05.03.2016 635 days; at 15.03.2016 645 days (window start 17.03.2014 is before the spell)
    st2 = {r["person_id"]: r for r in lzb_status(ds2, date(2016, 3, 5)).to_pylist()}
    assert st2["pc"]["elb_days_730"] == 635 and st2["pc"]["lzb_from"] == date(2016, 3, 15)


# --- C4 entries and exits ---------------------------------------------------------------------------

def test_c4_gap_of_7_days_is_merged_8_days_is_exit_and_entry():
    ds = make([
        # p7: gap 01.05.–07.05. (7 days) → one period
        ("p7", "b1", "A1", "2015-01-01", "2016-04-30"), ("p7", "b2", "A1", "2016-05-08", None),
        # p8: gap 01.05.–08.05. (8 days) → exit on 01.05. (month 2016-05), entry on 09.05. (2016-05)
        ("p8", "b3", "A1", "2015-01-01", "2016-04-30"), ("p8", "b4", "A1", "2016-05-09", None),
    ])
    t = compute_kennzahlen(ds, Month(2016, 5), Month(2016, 5), level="all")
    # K1E3 2016-05: entries 2015-06..2016-05 = 1 (p8); K1E4: exits = 1 (p8)
    for unit in (("total", "total"), ("jobcenter", "J1"), ("municipality", "A1")):
        assert get(t, "2016-05", "K1E3", unit)[0] == 1
        assert get(t, "2016-05", "K1E4", unit)[0] == 1


def test_c4_move_between_jobcenters_is_exit_and_entry_but_not_in_the_total():
    ds = make([("p1", "b1", "A1", "2015-01-01", "2016-06-30"), ("p1", "b2", "B1", "2016-07-01", None),
               # move between municipalities of the same Jobcenter
               ("p2", "b3", "A1", "2015-01-01", "2016-06-30"), ("p2", "b4", "A2", "2016-07-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 7), Month(2016, 7), level="all")
    assert get(t, "2016-07", "K1E4", ("jobcenter", "J1"))[0] == 1   # p1 leaves J1 on 01.07.
    assert get(t, "2016-07", "K1E3", ("jobcenter", "J2"))[0] == 1   # p1 enters J2
    assert get(t, "2016-07", "K1E3", ("jobcenter", "J1"))[0] == 0   # p2 stays in J1
    assert get(t, "2016-07", "K1E4", ("municipality", "A1"))[0] == 2  # both leave A1
    assert get(t, "2016-07", "K1E3", ("municipality", "A2"))[0] == 1
    assert get(t, "2016-07", "K1E3", ("total", "total"))[0] == 0
    assert get(t, "2016-07", "K1E4", ("total", "total"))[0] == 0


# --- C5 LZB entries and exits ---------------------------------------------------------------------

def test_c5_move_between_jobcenters_while_lzb_is_neither_entry_nor_exit():
    ds = make([("p1", "b1", "A1", "2013-01-01", "2016-06-30"), ("p1", "b2", "B1", "2016-07-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 7), Month(2016, 7), level="jobcenter")
    for unit in (("jobcenter", "J1"), ("jobcenter", "J2"), ("total", "total")):
        assert get(t, "2016-07", "K3E3", unit)[0] == 0
        assert get(t, "2016-07", "K3E4", unit)[0] == 0
    # the LZB stock moves: K3 J2 2016-07 = 1 over 0 (no LZB a year ago in J2) → value empty
    assert get(t, "2016-07", "K3", ("jobcenter", "J2")) == (1, 0, None)
    assert get(t, "2016-07", "K3", ("jobcenter", "J1")) == (0, 1, -100.0)


def test_c5_lzb_exit_counts_where_the_person_was():
    # LZB person in B1 leaves benefits on 10.03.2016 (last day): LZB at S_02, not at S_03 → exit in 2016-03 at J2
    ds = make([("p1", "b1", "B1", "2013-01-01", "2016-03-10"), ("p2", "b2", "A1", "2013-01-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 3), Month(2016, 3), level="jobcenter")
    assert get(t, "2016-03", "K3E4", ("jobcenter", "J2"))[:2] == (1, 12)   # stocks S_2015-03..S_2016-02: 12 × 1
    assert get(t, "2016-03", "K3E4", ("jobcenter", "J1"))[:2] == (0, 12)


# --- C6 integrations --------------------------------------------------------------------------------

def test_c6_entry_and_integration_in_the_same_month():
    ds = make(
        [("p1", "b1", "A1", "2016-04-20", None),   # enters in (S_04, S_05]
         ("p2", "b2", "A1", "2016-05-20", None),   # enters in (S_05, S_06]
         ("p3", "b3", "A1", "2015-01-01", None)],  # long-term stock
        employment=[
            ("p1", "svb", "none", "2016-05-02", None),   # same window as the entry: counts in 2016-06
            ("p1", "training", "none", "2016-05-20", None),  # second start: at most one per month
            ("p2", "svb", "none", "2016-06-01", None),   # not in stock at S_05 → counts in 2016-07 (rule 2)
            ("p3", "svb", "agh", "2016-05-20", None),    # publicly funded: K2E2, not K2
            ("p3", "marginal", "none", "2016-05-21", None),
        ])
    t = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 7), level="jobcenter", indicators=["K2", "K2E1", "K2E2"])
    # K2 2016-06: integrations 2015-07..2016-06 = 1 (p1); denominator: average stock S_2015-06..S_2016-05
    # = (11 × 1 [p3] + 2 [p3, p1 at S_05]) / 12 = 13/12
    num, den, val = get(t, "2016-06", "K2")
    assert num == 1 and den == pytest.approx(13 / 12) and val == pytest.approx(100 * 12 / 13)
    assert get(t, "2016-07", "K2")[0] == 2  # + p2 in 2016-07
    assert get(t, "2016-06", "K2E2")[0] == 1 and get(t, "2016-06", "K2E1")[0] == 1


def test_c6_16e_new_switches_from_publicly_funded_to_integration_in_2019():
    ds = make([("p1", "b1", "A1", "2015-01-01", None), ("p2", "b2", "A1", "2015-01-01", None)],
              employment=[("p1", "svb", "16e_new", "2018-12-01", None),    # month 2018-12: FKV 2011
                          ("p2", "svb", "16e_new", "2019-01-02", None)])   # month 2019-01: FKV 2019
    t = compute_kennzahlen(ds, Month(2018, 12), Month(2019, 1), level="jobcenter", indicators=["K2", "K2E2"])
    assert get(t, "2018-12", "K2")[0] == 0 and get(t, "2018-12", "K2E2")[0] == 1
    assert get(t, "2019-01", "K2")[0] == 1 and get(t, "2019-01", "K2E2")[0] == 1


def test_c6_lzb_and_single_parent_integrations_use_status_at_previous_stichtag():
    ds = make([("p1", "b1", "A1", "2013-01-01", None, "elb", "head"), ("p2", "b2", "A1", "2016-01-01", None)],
              employment=[("p1", "svb", "none", "2016-05-20", None), ("p2", "svb", "none", "2016-05-20", None)],
              households=[("b1", "single_parent", "2013-01-01", None), ("b2", "single", "2016-01-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 6), level="jobcenter", indicators=["K3E1", "K2E4"])
    assert get(t, "2016-06", "K3E1")[:2] == (1, 1)   # p1 LZB all year; p2 not LZB
    assert get(t, "2016-06", "K2E4")[:2] == (1, 1)   # p1 heads a single-parent BG


# --- C7 rolling quotas ------------------------------------------------------------------------------

def test_c7_ba_practice_and_literal_window_differ_when_the_stock_changes():
    # 12 persons in stock since 2014; 12 more enter on 01.06.2016 (S_06 on); one integration in 2016-06.
    spells = [(f"a{i}", f"ba{i}", "A1", "2014-01-01", None) for i in range(12)]
    spells += [(f"n{i}", f"bn{i}", "A1", "2016-06-01", None) for i in range(12)]
    ds = make(spells, employment=[("a0", "svb", "none", "2016-06-01", None)])
    t = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 6), level="jobcenter", indicators=["K2"])
    assert get(t, "2016-06", "K2") == (1, 12, pytest.approx(100 / 12))     # S_2015-06..S_2016-05: all 12
    lit = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 6), level="jobcenter", indicators=["K2"],
                             literal_window=True)
    assert get(lit, "2016-06", "K2")[1] == 13                             # S_2015-07..S_2016-06: (11·12+24)/12


# --- C8 K2E3 -------------------------------------------------------------------------------------------

def test_c8_k2e3_versions_at_the_switch():
    ds = make([(f"p{i}", f"b{i}", "A1", "2015-01-01", None) for i in range(3)],
              employment=[
                  ("p0", "svb", "none", "2017-06-01", "2018-07-31"),  # integration 2017-06, svB at S_2018-06
                  ("p1", "svb", "none", "2018-03-01", "2018-07-01"),  # integration 2018-03, svB only S_04..S_06
                  ("p2", "svb", "none", "2018-03-01", "2018-09-30"),  # integration 2018-03, svB S_04..S_09
              ])
    t = compute_kennzahlen(ds, Month(2018, 12), Month(2019, 1), level="jobcenter", indicators=["K2E3"])
    # 2018-12, FKV 2011 (L = 12): base months 2017-01..2017-12 → p0; in svB at S_2018-06 → 1/1
    assert get(t, "2018-12", "K2E3") == (1, 1, 100.0)
    # 2019-01, FKV 2019 (L = 6): base 2017-08..2018-07 → p1, p2; each of S_2018-04..S_2018-09 only p2 → 1/2
    assert get(t, "2019-01", "K2E3") == (1, 2, 50.0)
    assert INDICATORS["K2E3"].name_for(Month(2019, 1)) == "Kontinuierliche Beschäftigung nach Integration"
    assert INDICATORS["K2E3"].name_for(Month(2018, 12)) == "Nachhaltigkeit der Integrationen"


# --- C9 sex, K1 ---------------------------------------------------------------------------------------

def test_c9_sex_groups_and_k1_without_sex():
    ds = make([("f1", "b1", "A1", "2015-01-01", None), ("m1", "b2", "A1", "2015-01-01", None),
               ("d1", "b3", "A1", "2015-01-01", None)],
              persons={"f1": ("f", "1980-01-01"), "m1": ("m", "1980-01-01"), "d1": ("d", "1980-01-01")},
              payments=[("b1", "2015-06", "A1", 400.0, 300.0), ("b1", "2016-06", "A1", 500.0, 300.0)])
    t = compute_kennzahlen(ds, Month(2016, 6), Month(2016, 6), level="jobcenter")
    assert get(t, "2016-06", "K1E2", sex="all")[0] == 3
    assert get(t, "2016-06", "K1E2", sex="f")[0] == 1
    assert get(t, "2016-06", "K1E2", sex="m")[0] == 1
    assert get(t, "2016-06", "K1") == (500.0, 400.0, 25.0)     # (500/400 − 1)·100
    assert get(t, "2016-06", "K1E1") == (300.0, 300.0, 0.0)
    with pytest.raises(KeyError):
        get(t, "2016-06", "K1", sex="f")


# --- C11, output shape, errors --------------------------------------------------------------------

def test_c11_provisional_and_output_shape():
    ds = make([("p1", "b1", "A1", "2015-01-01", None)], as_of=date(2016, 12, 31))
    t = compute_kennzahlen(ds, Month(2016, 8), Month(2016, 12), level="all")
    prov = {r["month"]: r["provisional"] for r in t.to_pylist()}
    assert prov == {"2016-08": False, "2016-09": False, "2016-10": True, "2016-11": True, "2016-12": True}
    assert t.column_names == ["unit_type", "unit_id", "month", "indicator", "sex", "numerator", "denominator",
                              "value", "provisional"]
    # 6 units (2 JC, 3 municipalities, total) × 5 months × (13 indicators × 3 sexes + 2 × 1)
    assert t.num_rows == 6 * 5 * (13 * 3 + 2)
    assert {r["indicator"] for r in t.to_pylist()} == set(OFFICIAL_CODES)


def test_errors_are_german_and_clear():
    ds = make([("p1", "b1", "A1", "2015-01-01", None)])
    with pytest.raises(ValueError, match="erst ab 2011-01"):
        compute_kennzahlen(ds, Month(2010, 6), Month(2010, 12))
    with pytest.raises(ValueError, match="Unbekannte Ebene"):
        compute_kennzahlen(ds, Month(2016, 1), Month(2016, 1), level="kreis")
    with pytest.raises(ValueError, match="Unbekannte Kennzahl"):
        compute_kennzahlen(ds, Month(2016, 1), Month(2016, 1), indicators=["K9"])


def test_local_indicator_u25_training():
    ds = make([("y", "b1", "A1", "2015-01-01", None), ("o", "b2", "A1", "2015-01-01", None)],
              persons={"y": ("m", "1992-05-10"), "o": ("f", "1980-01-01")},
              employment=[("y", "training", "none", "2016-05-09", None),  # aged 23 → counts
                          ("o", "training", "none", "2016-05-09", None)])  # aged 36 → not
    t = compute_kennzahlen(ds, Month(2016, 5), Month(2016, 5), level="jobcenter", indicators=["L_U25_AUSB"])
    assert get(t, "2016-05", "L_U25_AUSB") == (1, None, 1)


def test_jahresfortschritt_hand_worked():
    # 10 persons in stock all the time, 2 integrations in 2016-02 (p0) and 2016-03 (p1).
    ds = make([(f"p{i}", f"b{i}", "A1", "2013-01-01", None) for i in range(10)],
              employment=[("p0", "svb", "none", "2016-02-01", None), ("p1", "svb", "none", "2016-03-01", None)])
    j = jahresfortschritt(ds, 2016, Month(2016, 3), level="jobcenter")
    assert get(j, "2016-01", "K2")[:2] == (0, 10)
    assert get(j, "2016-02", "K2") == (1, 10, 10.0)          # 1 over average of S_2015-12, S_2016-01
    assert get(j, "2016-03", "K2") == (2, 10, 20.0)
    assert get(j, "2016-03", "LZB_JD") == (30, 3, 10.0)      # all 10 LZB at S_01..S_03
    assert get(j, "2016-03", "K3_JD") == (10, 10, 0.0)
