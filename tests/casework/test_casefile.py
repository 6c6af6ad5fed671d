"""The case files the web batch writes (``casework.casefile``): one person read back with a filter
gives the case view worked out by hand on a small dataset."""

from __future__ import annotations

from datetime import date

import pyarrow.parquet as pq

from zielwerk.casework.casefile import read_case_view, write_case_files

from .helpers import d, make_ds, person, spell


def dataset():
    # Anna (A) heads BG-1 with her son (K, child role) since 01.03.2016; before that she was alone in BG-A.
    # Bert (B) is in another BG and must not appear in Anna's household.
    return make_ds(
        [person("A", "1990-05-10"), person("K", "2010-02-01", sex="m"), person("B", "1970-01-01", sex="m")],
        [spell("A", "2014-01-01", "2016-02-29", bg="BG-A"),
         spell("A", "2016-03-01", bg="BG-1"),
         {**spell("K", "2016-03-01", bg="BG-1"), "role": "child", "status": "nef"},
         spell("B", "2015-01-01", bg="BG-B")],
        as_of="2017-06-30",
        households=[{"bg_id": "BG-A", "bg_type": "single", "start": "2014-01-01", "end": "2016-02-29"},
                    {"bg_id": "BG-1", "bg_type": "single_parent", "start": "2016-03-01", "end": None},
                    {"bg_id": "BG-B", "bg_type": "single", "start": "2015-01-01", "end": None}],
        obstacles=[{"person_id": "A", "category": "childcare", "start": "2016-03-01", "end": None},
                   {"person_id": "A", "category": "debt", "start": "2014-02-01", "end": "2015-01-31"},
                   {"person_id": "B", "category": "addiction", "start": "2015-01-01", "end": None}],
        measures=[{"person_id": "A", "instrument": "activation", "start": "2017-05-01", "end": "2017-08-31"}],
        employment=[{"person_id": "A", "kind": "marginal", "subsidy": "none", "start": "2016-09-01", "end": None}],
        children=[{"person_id": "A", "child_birth_date": "2010-02-01"}],
        caseworkers=[{"caseworker_id": "CW1", "name": "Frau Eins", "team": "T1", "jobcenter_id": "05970"}],
        assignments=[{"person_id": "A", "caseworker_id": "CW1", "start": "2014-01-01", "end": None}],
    )


def test_person_read_back_from_the_case_files(tmp_path):
    ds = dataset()
    meta = write_case_files(ds, tmp_path / "cv")
    assert meta["day"] == "2017-06-30"
    # sorted by person_id: the filter reads only the person's rows
    assert pq.read_table(tmp_path / "cv" / "elb_spells.parquet")["person_id"].to_pylist() == ["A", "A", "B", "K"]
    cv = read_case_view(tmp_path / "cv", "A")
    assert cv.person["age"] == 27
    assert cv.household["bg_id"] == "BG-1" and cv.household["bg_type"] == "single_parent"
    assert [(m["person_id"], m["role"]) for m in cv.household["members"]] == [("A", "head"), ("K", "child")]
    assert [(s["bg_id"], s["start"], s["end"]) for s in cv.spells] == [
        ("BG-A", d("2014-01-01"), d("2016-02-29")), ("BG-1", d("2016-03-01"), None)]
    # open obstacle first, then the closed one; Bert's obstacle is not Anna's
    assert [(o["category"], o["open"]) for o in cv.obstacles] == [("childcare", True), ("debt", False)]
    assert [(m["instrument"], m["open"]) for m in cv.measures] == [("activation", True)]
    assert [(e["kind"], e["open"]) for e in cv.employment] == [("marginal", True)]
    # child born 01.02.2010: 88 completed months on 30.06.2017, turns 3 on 01.02.2013
    assert cv.children == [{"child_birth_date": d("2010-02-01"), "age_months": 88, "turns_3": d("2013-02-01")}]
    assert cv.caseworker == {"caseworker_id": "CW1", "since": d("2014-01-01"), "name": "Frau Eins", "team": "T1"}
    # in receipt since 01.01.2014 without a gap: LZB (more than 21 months in the last 24)
    assert cv.status["is_lzb"] is True


def test_missing_files_and_unknown_person(tmp_path):
    import pytest

    from zielwerk.casework.caseview import PersonNotFound

    assert read_case_view(tmp_path / "none", "A") is None
    write_case_files(dataset(), tmp_path / "cv", day=date(2017, 6, 30))
    with pytest.raises(PersonNotFound):
        read_case_view(tmp_path / "cv", "ZZ")
