"""The two local year-to-date counts, on a hand-made dataset (expected values worked out by hand)."""

from __future__ import annotations

from datetime import date

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.targets.local import childcare_solved, parents_reached


def _ds() -> Dataset:
    people = {"P1": "f", "P2": "m", "P3": "f", "P4": "m", "P5": "f", "P6": "f"}
    spells = [  # person, municipality, start, end
        ("P1", "M1", "2015-01-01", None), ("P2", "M1", "2015-01-01", None), ("P3", "M1", "2016-03-01", None),
        ("P4", "M1", "2015-01-01", None), ("P5", "M1", "2015-06-01", None), ("P6", "X1", "2015-01-01", None),
    ]
    rows = {
        "households": [{"bg_id": "B" + p, "bg_type": "single", "start": "2015-01-01", "end": None} for p in people],
        "payments": [], "employment": [],
        "jobcenters": [{"jobcenter_id": "J1", "name": "JC 1", "form": "gE"},
                       {"jobcenter_id": "J2", "name": "JC 2", "form": "gE"}],
        "municipalities": [{"municipality_id": "M1", "name": "A", "jobcenter_id": "J1"},
                           {"municipality_id": "X1", "name": "X", "jobcenter_id": "J2"}],
        "persons": [{"person_id": p, "birth_date": "1990-01-01", "sex": s} for p, s in people.items()],
        "elb_spells": [{"person_id": p, "bg_id": "B" + p, "municipality_id": m, "status": "elb", "role": "head",
                        "start": s, "end": e} for p, m, s, e in spells],
        "children": [{"person_id": "P1", "child_birth_date": "2015-03-10"},
                     {"person_id": "P2", "child_birth_date": "2016-01-01"},
                     {"person_id": "P3", "child_birth_date": "2014-01-01"},
                     {"person_id": "P4", "child_birth_date": "2013-02-20"},
                     {"person_id": "P4", "child_birth_date": "2016-05-01"},
                     {"person_id": "P5", "child_birth_date": "2014-12-01"},
                     {"person_id": "P6", "child_birth_date": "2015-01-01"}],
        "measures": [{"person_id": p, "instrument": "activation", "start": s, "end": None} for p, s in [
            ("P1", "2016-04-20"),  # youngest 13 months; after S_Apr (15th) → counted in May
            ("P1", "2016-06-01"),  # same person again: once per year
            ("P2", "2016-06-01"),  # youngest 5 months: not in the window
            ("P3", "2016-02-10"),  # 25 months, but not eLb on that day
            ("P4", "2016-01-10"),  # 34 completed months (the child born 2016-05 does not exist yet) → January
            ("P5", "2015-12-20"),  # after S_Dec 2015 → counted in January 2016; 12 months old
            ("P6", "2016-03-01"),  # other Jobcenter
        ]],
        "childcare_needs": [{"person_id": p, "child_birth_date": "2015-03-10", "slots": "late", "start": "2015-06-01",
                             "end": e} for p, e in [
            ("P1", "2016-03-01"),  # solved while eLb → March
            ("P3", "2016-02-20"),  # not eLb then → not counted
            ("P2", "2016-03-20"),  # after S_Mar → April
            ("P4", None),  # still open
            ("P6", "2016-03-01"),  # other Jobcenter
        ]],
    }
    return Dataset.from_rows(rows, as_of=date(2016, 12, 31))


def test_parents_reached_year_to_date():
    got = parents_reached(_ds(), "J1", 2016, Month(2016, 6))
    none6 = [None] * 6
    assert got["all"] == [2, 2, 2, 2, 3, 3] + none6
    assert got["f"] == [1, 1, 1, 1, 2, 2] + none6
    assert got["m"] == [1, 1, 1, 1, 1, 1] + none6


def test_childcare_needs_solved_year_to_date():
    got = childcare_solved(_ds(), "J1", 2016, Month(2016, 12))
    assert got["all"] == [0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    assert got["f"] == got["m"] == got["all"]  # no sex split for this count
