"""Parents lists: child age boundaries 11/12/35/36 completed months, youngest child, the day the child
turns 3, young parents' age and degree boundaries."""

from __future__ import annotations

from datetime import date, timedelta

from zielwerk.casework import parents_young_child, young_parents_without_degree
from zielwerk.casework.common import age_months_sql, age_years_sql, query
from zielwerk.casework.parents import third_birthday
from zielwerk.domain.law import age_in_months, age_in_years

from .helpers import d, make_ds, person, spell

S = d("2015-06-15")


def _ds(children, persons=None, employment=()):
    persons = persons or [person(p) for p in sorted({c["person_id"] for c in children})]
    spells = [spell(p["person_id"], "2015-01-01") for p in persons]
    return make_ds(persons, spells, children=children, employment=list(employment))


def _household_ds(children):
    """Each parent heads its own BG; each child is a person with a nef spell (role child) in the parent's
    BG from its birth on — the household the parents list counts (docs/fallsteuerung.md)."""
    parents = sorted({c["person_id"] for c in children})
    persons = [person(p) for p in parents]
    spells = [spell(p, "2015-01-01") for p in parents]
    for i, c in enumerate(children):
        kid = f"K{i}"
        persons.append(person(kid, birth=c["child_birth_date"]))
        spells.append({**spell(kid, max(c["child_birth_date"], "2015-01-01"), bg=f"BG-{c['person_id']}",
                               status="nef"), "role": "child"})
    return make_ds(persons, spells, children=children)


def test_child_age_boundaries():
    children = [
        {"person_id": "P11", "child_birth_date": "2014-07-15"},  # 11 months on 15.06.2015
        {"person_id": "P11b", "child_birth_date": "2014-06-16"},  # one day short of 12 → 11
        {"person_id": "P12", "child_birth_date": "2014-06-15"},  # 12 months exactly
        {"person_id": "P35", "child_birth_date": "2012-07-15"},  # 35 months
        {"person_id": "P35b", "child_birth_date": "2012-06-16"},  # one day short of 36 → 35
        {"person_id": "P36", "child_birth_date": "2012-06-15"},  # 36 months
        # youngest child counts: 24 months and 5 months → youngest 5 → not listed
        {"person_id": "PY", "child_birth_date": "2013-06-15"},
        {"person_id": "PY", "child_birth_date": "2015-01-10"},
        # a child born after the Stichtag is ignored: youngest at S is 20 months
        {"person_id": "PF", "child_birth_date": "2013-10-01"},
        {"person_id": "PF", "child_birth_date": "2015-07-01"},
    ]
    out = parents_young_child(_household_ds(children), S)
    rows = {r["person_id"]: r for r in out.to_pylist()}
    assert set(rows) == {"P12", "P35", "P35b", "PF"}
    assert rows["P12"]["child_age_months"] == 12
    assert rows["P35"]["child_age_months"] == 35
    assert rows["P35"]["child_turns_3"] == d("2015-07-15")
    assert rows["P12"]["child_turns_3"] == d("2017-06-15")
    assert rows["PF"]["child_age_months"] == 20 and rows["PF"]["children"] == 1
    assert rows["PF"]["bg_id"] == "BG-PF" and rows["PF"]["partner_id"] is None
    # sorted by the date the child turns 3
    assert out.column("person_id").to_pylist()[0] == "P35b"


def test_third_birthday_leap_day():
    assert third_birthday(date(2012, 2, 29)) == date(2015, 2, 28)
    assert third_birthday(date(2013, 2, 28)) == date(2016, 2, 28)


def test_parent_not_in_receipt_not_listed():
    children = [{"person_id": "A", "child_birth_date": "2014-01-01"}]
    kid = {**spell("K", "2014-01-01", bg="BG-A", status="nef"), "role": "child"}
    ds = make_ds([person("A"), person("K", birth="2014-01-01")], [spell("A", "2014-01-01", "2015-05-31"), kid],
                 children=children)
    assert parents_young_child(ds, S).num_rows == 0


def test_young_parents_boundaries():
    persons = [
        person("Y24", birth="1990-06-16", voc="none"),  # 24 on 15.06.2015
        person("Y25", birth="1990-06-15", voc="none"),  # 25 on 15.06.2015 → not U25
        person("YV", birth="1995-01-01", voc="vocational"),  # has a degree
        person("YU", birth="1995-01-01", voc=None),  # unknown degree → not listed
        person("YT", birth="1995-01-01", voc="none"),  # in training at S
        person("YN", birth="1995-01-01", voc="none"),  # no child
    ]
    children = [{"person_id": p, "child_birth_date": "2014-01-01"} for p in ("Y24", "Y25", "YV", "YU", "YT")]
    employment = [{"person_id": "YT", "kind": "training", "subsidy": "none", "start": "2014-09-01", "end": "2017-08-31"}]
    ds = _ds(children, persons, employment)
    out = young_parents_without_degree(ds, S)
    assert out.column("person_id").to_pylist() == ["Y24"]
    # configurable age limit: under 26 includes Y25
    assert set(young_parents_without_degree(ds, S, age_limit=26).column("person_id").to_pylist()) == {"Y24", "Y25"}


def test_vectorised_ages_agree_with_law():
    """The SQL ages equal ``law.age_in_months``/``age_in_years`` for every birth day of 2011–2012
    (incl. 29.02.) on month ends, leap days and ordinary days."""
    import pyarrow as pa

    births = [date(2011, 1, 1) + timedelta(days=i) for i in range(731)]
    t = pa.table({"b": pa.array(births, pa.date32())})
    for on in (date(2014, 2, 28), date(2016, 2, 29), date(2015, 4, 30), date(2015, 6, 15), date(2015, 12, 31),
               date(2014, 3, 1), date(2013, 1, 30)):
        r = query({"t": t}, f"SELECT b, {age_months_sql('b', on)} AS m, {age_years_sql('b', on)} AS y FROM t ORDER BY b")
        assert r.column("m").to_pylist() == [age_in_months(b, on) for b in births], on
        assert r.column("y").to_pylist() == [age_in_years(b, on) for b in births], on
