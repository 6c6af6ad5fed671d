"""Hand-worked checks beside the legal case files: names by version, C11, output shape, errors,
validity, year-to-date values; and the small dataset builder ``make`` other tests use.

The cases of conventions C1–C9 and C12 are TOML files in ``cases/`` (run by test_cases.py). Every
expected number is worked out by hand in the comment next to it.
"""

from __future__ import annotations

from datetime import date

import pytest

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.indicators import INDICATORS, OFFICIAL_CODES, compute_kennzahlen, jahresfortschritt

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


# The hand-worked cases of conventions C1–C9 and C12 are legal case files in ``cases/`` (test_cases.py).


# --- names by regulation version -------------------------------------------------------------------

def test_names_follow_the_regulation_version():
    # § 4 Abs. 1, § 5 Abs. 2 Nr. 3, § 6 SGB2§48aFKV in the versions of 2011 and 2019 (bundestag/gesetze)
    assert INDICATORS["K1"].name_for(Month(2016, 1)) == (
        "Veränderung der Summe der Leistungen zum Lebensunterhalt (ohne Leistungen für Unterkunft und Heizung)")
    assert INDICATORS["K2E3"].name_for(Month(2019, 1)) == "Kontinuierliche Beschäftigung nach Integration"
    assert INDICATORS["K2E3"].name_for(Month(2018, 12)) == "Nachhaltigkeit der Integrationen"
    assert INDICATORS["K3"].name_for(Month(2018, 12)) == "Veränderung des Bestands an Langzeitleistungsbeziehern"
    assert INDICATORS["K3"].name_for(Month(2019, 1)) == "Veränderung des Bestands an Langzeitleistungsbeziehenden"
    assert INDICATORS["K3E2"].name_for(Month(2018, 12)) == "Aktivierungsquote der Langzeitleistungsbezieher"
    assert INDICATORS["K3E4"].name_for(Month(2019, 1)) == "Durchschnittliche Abgangsrate der Langzeitleistungsbeziehenden"


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


def test_validity_of_an_indicator_is_enforced(monkeypatch):
    # an indicator asked for outside its valid_from..valid_to is refused with a German error
    import dataclasses

    from zielwerk.indicators import definitions

    ds = make([("p1", "b1", "A1", "2015-01-01", None)])
    k2e3 = dataclasses.replace(INDICATORS["K2E3"], valid_to=Month(2018, 12))
    monkeypatch.setitem(definitions.INDICATORS, "K2E3", k2e3)
    with pytest.raises(ValueError, match="Die Kennzahl K2E3 gilt ab 2011-01 bis 2018-12"):
        compute_kennzahlen(ds, Month(2018, 12), Month(2019, 1), indicators=["K2E3"])
    assert compute_kennzahlen(ds, Month(2018, 11), Month(2018, 12), indicators=["K2E3"]).num_rows > 0
    k2e3 = dataclasses.replace(INDICATORS["K2E3"], valid_from=Month(2019, 1), valid_to=None)
    monkeypatch.setitem(definitions.INDICATORS, "K2E3", k2e3)
    with pytest.raises(ValueError, match="gilt ab 2019-01 ohne Ende"):
        compute_kennzahlen(ds, Month(2018, 12), Month(2019, 1), indicators=["K2E3"])


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
