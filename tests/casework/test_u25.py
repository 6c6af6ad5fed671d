"""U25 lists: age boundary 24/25, degree and training exclusions; training integrations by month
(C6 windows) and the cumulative year-on-year comparison."""

from __future__ import annotations

from zielwerk.casework import training_comparison, training_integrations_u25, u25_without_training
from zielwerk.domain.calendar import Month

from .helpers import d, make_ds, person, spell

S = d("2015-06-15")


def test_u25_without_training_boundaries():
    persons = [
        person("A24", birth="1990-06-16", voc="none"),  # 24 at S
        person("A25", birth="1990-06-15", voc="none"),  # 25 at S: not U25
        person("AV", birth="1996-01-01", voc="vocational"),
        person("AU", birth="1996-01-01", voc=None),  # unknown degree: listed, flagged
        person("AT", birth="1996-01-01", voc="none"),  # in training at S
        person("AE", birth="1996-01-01", voc="none"),  # training ended before S: listed
    ]
    employment = [
        {"person_id": "AT", "kind": "training", "subsidy": "none", "start": "2014-08-01", "end": None},
        {"person_id": "AE", "kind": "training", "subsidy": "none", "start": "2013-08-01", "end": "2015-06-14"},
    ]
    ds = make_ds(persons, [spell(p["person_id"], "2015-01-01") for p in persons], employment=employment)
    out = {r["person_id"]: r for r in u25_without_training(ds, S).to_pylist()}
    assert set(out) == {"A24", "AU", "AE"}
    assert out["AU"]["degree_unknown"] and not out["A24"]["degree_unknown"]
    assert set(u25_without_training(ds, S, include_unknown=False).column("person_id").to_pylist()) == {"A24", "AE"}


def _emp(pid, start, subsidy="none", kind="training"):
    return {"person_id": pid, "kind": kind, "subsidy": subsidy, "start": start, "end": None}


def test_training_integrations_by_month():
    persons = [person(p, birth="1997-01-01") for p in ("T1", "T2", "T3", "T4", "T5", "T6")]
    persons.append(person("OLD", birth="1989-09-01"))  # 25 on 01.09.2014
    spells = [spell(p, "2013-01-01") for p in ("T1", "T2", "T4", "T5", "OLD")]
    spells.append(spell("T3", "2014-09-10"))  # enters between S_08 and S_09 2014
    spells.append(spell("T6", "2013-01-01", "2014-07-31"))  # left before the start
    employment = [
        _emp("T1", "2014-09-01"),  # in (15.08., 15.09.] → 2014-09, in stock at 15.08. → counts 2014-09
        _emp("T2", "2014-08-16"),  # first day of the 2014-09 window → 2014-09
        _emp("T3", "2014-09-12"),  # not in stock at 15.08., in stock at 15.09. → late rule: 2014-10
        _emp("T4", "2014-09-01", subsidy="agh"),  # publicly funded: never an integration
        _emp("T5", "2014-09-01", kind="svb"),  # not training
        _emp("T6", "2014-09-01"),  # not in receipt
        _emp("OLD", "2014-09-01"),  # 25 on the start day
    ]
    ds = make_ds(persons, spells, employment=employment)
    out = training_integrations_u25(ds, Month(2014, 8), Month(2014, 11))
    assert dict(zip(out.column("month").to_pylist(), out.column("count").to_pylist())) == {
        "2014-08": 0, "2014-09": 2, "2014-10": 1, "2014-11": 0}


def test_training_comparison_cumulative():
    persons = [person(f"P{i}", birth="1998-01-01") for i in range(5)]
    spells = [spell(p["person_id"], "2013-01-01") for p in persons]
    employment = [
        _emp("P0", "2014-02-01"), _emp("P1", "2014-08-20"), _emp("P2", "2014-09-01"),  # last year: Feb, Sep, Sep
        _emp("P3", "2015-03-01"), _emp("P4", "2015-08-01"),  # this year: Mar; Aug is after S
    ]
    ds = make_ds(persons, spells, employment=employment)
    out = training_comparison(ds, S).to_pylist()
    assert [r["last_year"] for r in out] == [0, 1, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0]
    assert out[11]["last_year_cumulative"] == 3
    # this year: complete months Jan..Jun 2015 (S = 15.06. is the June Stichtag)
    assert [r["this_year"] for r in out[:6]] == [0, 0, 1, 0, 0, 0]
    assert out[6]["this_year"] is None and out[6]["difference_cumulative"] is None
    assert out[5]["this_year_cumulative"] == 1 and out[5]["difference_cumulative"] == 0  # 1 vs 1 by June
    # a day before the June Stichtag, June is not complete yet
    early = training_comparison(ds, d("2015-06-14")).to_pylist()
    assert early[5]["this_year"] is None and early[4]["this_year"] == 0
