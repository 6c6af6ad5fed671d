"""LZB prevention: exact crossing dates (via the engine's lzb_status), horizons, projections,
intensive case-work lists. Expected dates are worked out by hand (comments) and by brute force."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from zielwerk.casework import (
    CaseRecords,
    lzb_obstacles_without_plan,
    lzb_prevention,
    lzb_without_measure,
    projected_crossings,
)

from .helpers import d, make_ds, person, ref_lzb_from, spell

S = d("2015-06-15")

SPELLS = [
    # A: continuous since 2014-01-01. 638th day = 2014-01-01 + 637 = 2015-09-30 → next Stichtag 15.10.2015
    spell("A", "2014-01-01"),
    # B: as A but a 30-day gap in June 2014 (still inside the window): 30 days later → 30.10.2015 → 15.11.2015
    spell("B", "2014-01-01", "2014-05-31"),
    spell("B", "2014-07-01"),
    # C: long receipt 2012–2013, nothing in 2014, back since 2015-01-01. The 2013 days drop out of the
    # window one by one as new days come in, so C's count stays at 365 until the window start passes
    # 31.12.2013 (S_t > 30.12.2015); then only the days since 2015-01-01 count: 638th day 29.09.2016
    # → 15.10.2016 (16 months ahead, although C has 365 days in the window today).
    spell("C", "2012-01-01", "2013-12-31"),
    spell("C", "2015-01-01"),
    # D: already LZB (continuous since 2012): not on the prevention list
    spell("D", "2012-01-01"),
    # E: left receipt before S: not in the stock
    spell("E", "2014-01-01", "2015-05-31"),
    # F: since 2015-06-01, 15 days → crossing 638 days later: 2015-06-01 + 637 = 2017-02-27 → 15.03.2017
    spell("F", "2015-06-01"),
]


@pytest.fixture(scope="module")
def ds():
    persons = [person(p) for p in "ABCDEF"]
    tables = {
        "measures": [{"person_id": "D", "instrument": "activation", "start": "2015-06-01", "end": "2015-08-31"}],
        "obstacles": [{"person_id": "A", "category": "childcare", "start": "2015-01-01", "end": None},
                      {"person_id": "A", "category": "debt", "start": "2014-01-01", "end": "2014-12-31"}],
        "caseworkers": [{"caseworker_id": "CW1", "name": "Frau Muster", "team": "Siegen", "jobcenter_id": "05970"}],
        "assignments": [{"person_id": "A", "caseworker_id": "CW1", "start": "2015-01-01", "end": None}],
    }
    return make_ds(persons, SPELLS, **tables)


def rows_by_person(tbl):
    return {r["person_id"]: r for r in tbl.to_pylist()}


def test_crossing_dates_exact(ds):
    lst = rows_by_person(lzb_prevention(ds, S, horizon_months=24))
    assert lst["A"]["lzb_from"] == d("2015-10-15")
    assert lst["B"]["lzb_from"] == d("2015-11-15")  # the gap delays by one Stichtag
    assert lst["C"]["lzb_from"] == d("2016-10-15")  # old history drops out of the window
    assert "D" not in lst  # already LZB
    assert "E" not in lst  # not in receipt at S
    assert lst["F"]["lzb_from"] == d("2017-03-15") and lst["F"]["months_to_lzb"] == 21
    assert "F" not in rows_by_person(lzb_prevention(ds, S, horizon_months=20))
    for pid in "ABCF":
        assert lst[pid]["lzb_from"] == ref_lzb_from(SPELLS, pid, S)
    assert lst["A"]["months_to_lzb"] == 4 and lst["A"]["horizon"] == 6
    assert lst["C"]["months_to_lzb"] == 16


def test_horizons(ds):
    assert lzb_prevention(ds, S, 3).num_rows == 0  # limit 15.09.2015
    six = rows_by_person(lzb_prevention(ds, S, 6))  # limit 15.12.2015
    assert set(six) == {"A", "B"}
    a = six["A"]
    assert a["obstacles"] == "childcare"  # the ended debt obstacle is not shown
    assert a["caseworker_name"] == "Frau Muster"
    assert a["last_contact"] is None
    with pytest.raises(ValueError):
        lzb_prevention(ds, S, 0)


def test_last_contact_from_records(ds):
    rec = CaseRecords.from_rows(contacts=[
        {"person_id": "A", "caseworker_id": "CW1", "contact_date": "2015-05-02", "kind": "persoenlich"},
        {"person_id": "A", "caseworker_id": "CW1", "contact_date": "2015-06-20", "kind": "telefonisch"},  # after S
    ])
    a = rows_by_person(lzb_prevention(ds, S, 6, rec))["A"]
    assert a["last_contact"] == d("2015-05-02")


def test_projected_crossings(ds):
    proj = projected_crossings(ds, S, months=24)
    by = dict(zip(proj.column("month").to_pylist(), proj.column("projected_crossings").to_pylist()))
    assert proj.column("month").to_pylist()[0] == "2015-07"
    assert by["2015-10"] == 1 and by["2015-11"] == 1 and by["2016-10"] == 1
    assert by["2017-03"] == 1  # F
    assert sum(by.values()) == 4
    assert proj.column("cumulative").to_pylist()[-1] == 4
    assert projected_crossings(ds, S, months=12).column("cumulative").to_pylist()[-1] == 2


def test_lzb_without_measure(ds):
    # D is the only LZB; an activation measure covers S → not listed; at 15.09.2015 it has ended
    assert lzb_without_measure(ds, S).num_rows == 0
    later = lzb_without_measure(ds, d("2015-09-15"))
    assert later.column("person_id").to_pylist() == ["D"]


def test_lzb_obstacles_without_plan():
    spells = [spell("X", "2012-01-01"), spell("Y", "2012-01-01"), spell("Z", "2012-01-01")]
    ds = make_ds([person(p) for p in "XYZ"], spells, obstacles=[
        {"person_id": "X", "category": "addiction", "start": "2014-01-01"},
        {"person_id": "Y", "category": "debt", "start": "2014-01-01"},
    ])
    rec = CaseRecords.from_rows(action_plans=[
        {"person_id": "Y", "agreed_on": "2015-03-01"},  # Y has a plan in force
        {"person_id": "X", "agreed_on": "2014-01-01", "ended_on": "2014-12-31"},  # X's plan ended
    ])
    out = lzb_obstacles_without_plan(ds, S, rec)
    assert out.column("person_id").to_pylist() == ["X"]  # Z has no obstacle
    assert pc.sum(out.column("obstacle_count")).as_py() == 1


def test_projection_check_decomposition_by_hand():
    """From 15.06.2015: A, B, E are projected for 15.10.2015 (since 01.01.2014). A stays and enters;
    B leaves on 31.08.; E pauses 01.–20.08. (20 days) and enters a month later (633 days on 15.10.,
    664 on 15.11.); N is not in receipt on 15.06. (2013-06..2015-05, back from 01.08.) and enters on
    15.08. with 669 days — an entry the projection cannot contain."""
    from zielwerk.casework import projection_check

    spells = [spell("A", "2014-01-01"), spell("B", "2014-01-01", "2015-08-31"),
              spell("E", "2014-01-01", "2015-07-31"), spell("E", "2015-08-21"),
              spell("N", "2013-06-01", "2015-05-31"), spell("N", "2015-08-01"),
              # D: LZB on 15.06. (684 days), out 16.06.–31.07. (exit in July), back 01.08.: 684 days on 15.08.
              spell("D", "2013-08-01", "2015-06-15"), spell("D", "2015-08-01")]
    ds = make_ds([person(p) for p in "ABEND"], spells)
    rows = {r["month"]: r for r in projection_check(ds, S, 6).to_pylist()}
    assert rows["2015-10"]["projected_crossings"] == 3
    assert rows["2015-10"]["realised_from_cohort"] == 1 and rows["2015-10"]["left_or_delayed"] == 2
    assert rows["2015-08"]["lzb_entries"] == 2 and rows["2015-08"]["entries_new"] == 1
    assert rows["2015-08"]["entries_former_lzb"] == 1  # D regained the status
    assert rows["2015-11"]["lzb_entries"] == 1 and rows["2015-11"]["entries_delayed"] == 1
    assert sum(r["lzb_entries"] for r in rows.values()) == 4
