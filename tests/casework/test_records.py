"""Case records: review due dates (6 months, § 15 (3) SGB II; month-end rule), overdue list,
caseload against the staffing ratios 1:75 / 1:150."""

from __future__ import annotations

from datetime import UTC

import pytest

from zielwerk.casework import (
    CaseRecords,
    CaseRecordsInvalid,
    action_plan_status,
    caseload,
    overdue_reviews,
    review_due,
)
from zielwerk.casework.common import lzb_status

from .helpers import d, make_ds, person, spell


def test_review_due_dates():
    assert review_due(d("2015-01-15")) == d("2015-07-15")
    assert review_due(d("2014-08-31")) == d("2015-02-28")  # no 31 February
    assert review_due(d("2015-08-31")) == d("2016-02-29")  # leap year
    assert review_due(d("2015-01-15"), d("2015-04-02")) == d("2015-10-02")  # from the last review
    assert review_due(d("2015-01-15"), d("2014-12-01")) == d("2015-07-15")  # review older than the plan


def test_overdue_reviews():
    s = d("2015-06-15")
    rec = CaseRecords.from_rows(action_plans=[
        {"person_id": "A", "agreed_on": "2014-12-14"},  # due 14.06.2015 < S → overdue by 1 day
        {"person_id": "B", "agreed_on": "2014-12-15"},  # due 15.06.2015 = S → not yet overdue
        {"person_id": "C", "agreed_on": "2014-06-01", "reviewed_on": "2015-01-10"},  # due 10.07.2015
        {"person_id": "D", "agreed_on": "2014-01-01", "ended_on": "2014-12-31"},  # ended, not in force
        {"person_id": "E", "agreed_on": "2013-01-01"},  # old plan ...
        {"person_id": "E", "agreed_on": "2015-05-01"},  # ... superseded by a new one: due 01.11.2015
        {"person_id": "F", "agreed_on": "2015-07-01"},  # agreed after S: not in force yet
    ])
    out = overdue_reviews(rec.action_plans, s)
    assert out.column("person_id").to_pylist() == ["A"]
    assert out.column("days_overdue").to_pylist() == [1]
    st = {r["person_id"]: r for r in action_plan_status(rec.action_plans, s).to_pylist()}
    assert set(st) == {"A", "B", "C", "E"}
    assert st["C"]["review_due"] == d("2015-07-10")
    assert st["E"]["review_due"] == d("2015-11-01")


def test_case_records_csv_errors(tmp_path):
    (tmp_path / "action_plans.csv").write_text("person_id,agreed_on\nA,2015-01-15\nB,15.13.2015\n", encoding="utf-8")
    with pytest.raises(CaseRecordsInvalid) as e:
        CaseRecords.read(tmp_path)
    assert "action_plans.csv:3:agreed_on: ungültiges Datum" in str(e.value)
    (tmp_path / "action_plans.csv").write_text("person_id,agreed_on\nA,2015-01-15\n", encoding="utf-8")
    rec = CaseRecords.read(tmp_path)
    assert rec.action_plans.num_rows == 1 and rec.contacts.num_rows == 0


def test_caseload_ratios():
    s = d("2015-06-15")
    persons, spells, assignments = [], [], []
    # CW1: 75 under 25 → exactly 100 %; CW2: 150 aged 25+ plus 1 under 25 → 100 % + 1/75
    for i in range(75):
        persons.append(person(f"U{i}", birth="1995-01-01"))
        assignments.append({"person_id": f"U{i}", "caseworker_id": "CW1", "start": "2015-01-01"})
    for i in range(150):
        persons.append(person(f"O{i}", birth="1970-01-01"))
        assignments.append({"person_id": f"O{i}", "caseworker_id": "CW2", "start": "2015-01-01"})
    persons.append(person("B25", birth="1990-06-16"))  # 24 at S → U25
    assignments.append({"person_id": "B25", "caseworker_id": "CW2", "start": "2015-01-01"})
    persons.append(person("GONE", birth="1970-01-01"))  # not in receipt at S → not counted
    assignments.append({"person_id": "GONE", "caseworker_id": "CW2", "start": "2015-01-01"})
    spells = [spell(p["person_id"], "2015-01-01", "2015-05-31" if p["person_id"] == "GONE" else None) for p in persons]
    ds = make_ds(persons, spells, assignments=assignments, caseworkers=[
        {"caseworker_id": "CW1", "name": "A", "team": "U25", "jobcenter_id": "05970"},
        {"caseworker_id": "CW2", "name": "B", "team": "Ü25", "jobcenter_id": "05970"},
        {"caseworker_id": "CW3", "name": "C", "team": "Ü25", "jobcenter_id": "05970"},
    ])
    out = {r["caseworker_id"]: r for r in caseload(ds, lzb_status(ds, s), s).to_pylist()}
    assert out["CW1"]["customers_u25"] == 75 and out["CW1"]["load_percent"] == pytest.approx(100.0)
    assert not out["CW1"]["over_ratio"]
    assert out["CW2"]["customers"] == 151 and out["CW2"]["customers_u25"] == 1
    assert out["CW2"]["load_percent"] == pytest.approx(100.0 + 100.0 / 75)
    assert out["CW2"]["over_ratio"]
    assert out["CW3"]["customers"] == 0 and out["CW3"]["load_percent"] == 0


def test_planned_review_date_and_reviews():
    # an earlier planned review date is binding until a review took place
    assert review_due(d("2015-01-15"), review_on=d("2015-04-01")) == d("2015-04-01")
    # a planned date later than the legal limit cannot extend it
    assert review_due(d("2015-01-15"), review_on=d("2015-09-01")) == d("2015-07-15")
    # after a review the next one is due 6 months later
    assert review_due(d("2015-01-15"), d("2015-03-20"), d("2015-04-01")) == d("2015-09-20")
    rec = CaseRecords.from_rows(action_plans=[
        {"person_id": "A", "agreed_on": "2015-01-15", "review_on": "2015-04-01"},
        {"person_id": "B", "agreed_on": "2015-01-15", "reviewed_on": "2015-07-01"},  # review after S unknown at S
    ])
    st = {r["person_id"]: r for r in action_plan_status(rec.action_plans, d("2015-06-15")).to_pylist()}
    assert st["A"]["overdue"] and st["A"]["days_overdue"] == 75
    assert st["B"]["review_due"] == d("2015-07-15") and st["B"]["reviewed_on"] is None


def test_from_store_rows():
    from datetime import datetime
    from types import SimpleNamespace as NS

    from zielwerk.casework.records import from_store

    rec = from_store(
        [NS(person_id="A", caseworker_id="CW1", at=datetime(2015, 6, 1, 9, 30, tzinfo=UTC),
            channel="telefonisch", outcome="erreicht")],
        [NS(person_id="A", agreed_on=d("2015-01-10"), review_on=d("2015-05-10"), status="aktiv"),
         NS(person_id="B", agreed_on=d("2014-01-10"), review_on=d("2014-07-10"), status="abgeschlossen")],
    )
    assert rec.contacts.column("contact_date").to_pylist() == [d("2015-06-01")]
    out = overdue_reviews(rec.action_plans, d("2015-06-15"))
    assert out.column("person_id").to_pylist() == ["A"]  # B's plan is closed


def test_case_view_by_hand():
    from zielwerk.casework.caseview import PersonNotFound, case_view

    s = d("2015-06-15")
    ds = make_ds(
        [person("A", birth="1990-03-01"), person("K", birth="2013-01-10")],
        [spell("A", "2012-01-01", "2013-12-31", bg="BG1"), spell("A", "2014-01-01", bg="BG2"),
         {**spell("K", "2014-01-01", bg="BG2", status="nef"), "role": "child"}],
        households=[{"bg_id": "BG2", "bg_type": "single_parent", "start": "2014-01-01"}],
        obstacles=[{"person_id": "A", "category": "childcare", "start": "2015-01-01"},
                   {"person_id": "A", "category": "debt", "start": "2013-01-01", "end": "2014-06-30"}],
        children=[{"person_id": "A", "child_birth_date": "2013-01-10"}],
        caseworkers=[{"caseworker_id": "CW1", "name": "Frau Eins", "team": "T1", "jobcenter_id": "05970"}],
        assignments=[{"person_id": "A", "caseworker_id": "CW1", "start": "2014-02-01"}],
    )
    rec = CaseRecords.from_rows(
        contacts=[{"person_id": "A", "caseworker_id": "CW1", "contact_date": "2015-05-04", "kind": "persoenlich"}],
        action_plans=[{"person_id": "A", "agreed_on": "2014-11-20"}, {"person_id": "A", "agreed_on": "2014-02-01"}])
    cv = case_view(ds, "A", s, rec)
    assert cv.person["age"] == 25
    assert cv.status["is_lzb"]  # 2012-01-01 .. with a one-day gap: LZB
    assert cv.household["bg_type"] == "single_parent"
    assert [(m["person_id"], m["status"]) for m in cv.household["members"]] == [("A", "elb"), ("K", "nef")]
    assert [o["category"] for o in cv.obstacles] == ["childcare", "debt"] and not cv.obstacles[1]["open"]
    assert cv.children == [{"child_birth_date": d("2013-01-10"), "age_months": 29, "turns_3": d("2016-01-10")}]
    assert cv.caseworker["name"] == "Frau Eins"
    assert [p["in_force"] for p in cv.action_plans] == [True, False]
    assert cv.action_plans[0]["review_due"] == d("2015-05-20")  # overdue at S
    assert len(cv.contacts) == 1
    with pytest.raises(PersonNotFound):
        case_view(ds, "X", s)
