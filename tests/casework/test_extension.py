"""Issue 15 item 1 wired into the lists (items 2 and 3): status columns, flags and exclusions from the
extension tables, the prevention priority by profile stage, § 16a services kept out of K3E2 and counted
by the local indicator, ELTERN_2J counting recorded contacts — hand-built data, every expected value
worked out by hand in the comments."""

from __future__ import annotations

import pyarrow as pa
import pytest

from zielwerk.casework import ListOptions, build_list
from zielwerk.casework.common import excluded_of
from zielwerk.casework.export import german_value
from zielwerk.domain.calendar import Month

from .helpers import d, make_ds, person, spell

S = d("2016-06-15")
LZB_START = "2013-01-01"  # LZB at S
NEAR_START = "2014-12-01"  # crosses on 15.09.2016 (see test_addressable.py)

PERSONS = [
    person("PUP16", birth="2000-01-10"),  # 16 at S, attends school (school_attendance)
    person("NOSCH", birth="2000-02-10"),  # 16 at S, no school attendance recorded: not a pupil
    person("VOC18", birth="1998-01-01"),  # 18 at S, full-time vocational school
    person("MUM", birth="1988-01-01"),  # exempt: child under 3 (exemptions table)
    person("CARE", birth="1960-01-01"),  # exempt: care of a relative, ended before S
    person("UNE", birth="1980-01-01"),  # registered unemployed at S
    person("EMP", birth="1980-01-01"),  # LZB in svB, not unemployed
    person("PA", birth="1980-01-01"), person("PB", birth="1980-01-01"), person("PC", birth="1980-01-01"),
]
SPELLS = [
    spell("PUP16", NEAR_START), spell("NOSCH", NEAR_START), spell("VOC18", NEAR_START),
    spell("MUM", LZB_START), spell("CARE", LZB_START), spell("UNE", LZB_START), spell("EMP", LZB_START),
    spell("PA", NEAR_START), spell("PB", NEAR_START), spell("PC", NEAR_START),
]
EXTENSION = {
    "school_attendance": [
        {"person_id": "PUP16", "school_type": "general", "start": "2006-08-01", "end": "2017-07-31"},
        {"person_id": "VOC18", "school_type": "vocational", "start": "2014-08-01", "end": "2016-07-31"},
        {"person_id": "NOSCH", "school_type": "general", "start": "2006-08-01", "end": "2016-06-14"},  # left before S
    ],
    "exemptions": [
        {"person_id": "MUM", "reason": "child_under_3", "start": "2015-03-01", "end": "2018-02-28"},
        {"person_id": "CARE", "reason": "care_of_relative", "start": "2014-01-01", "end": "2016-06-14"},
    ],
    "unemployment_spells": [
        {"person_id": "UNE", "start": "2013-01-01", "end": None},
        {"person_id": "EMP", "start": "2013-01-01", "end": "2015-12-31"},
    ],
    # PA, PB, PC cross on the same day with the same chances: the profile stage decides
    # (PA Unterstützungsprofil, PB Marktprofil, PC reassessed: Förderprofil on 01.06.2016 after Entwicklungsprofil;
    # an assessment after S does not count)
    "profile_stages": [
        {"person_id": "PA", "stage": "support", "assessed_on": "2015-01-10"},
        {"person_id": "PB", "stage": "market", "assessed_on": "2015-01-10"},
        {"person_id": "PC", "stage": "development", "assessed_on": "2015-01-10"},
        {"person_id": "PC", "stage": "promotion", "assessed_on": "2016-06-01"},
        {"person_id": "PB", "stage": "support", "assessed_on": "2016-06-16"},
    ],
    "action_plan_periods": [{"person_id": "UNE", "start": "2016-03-01", "end": "2016-08-31"}],
    "employment": [{"person_id": "EMP", "kind": "svb", "subsidy": "none", "start": "2016-01-01", "end": None}],
}


def _ds(extension: bool = True):
    tables = EXTENSION if extension else {"employment": EXTENSION["employment"]}
    return make_ds(PERSONS, SPELLS, **tables)


def _rows(tbl: pa.Table) -> dict[str, dict]:
    return {r["person_id"]: r for r in tbl.to_pylist()}


def _all(name, ds):
    return build_list(name, ds, S, options=ListOptions(include=frozenset({"alle"})))


def test_status_columns_from_the_extension_tables():
    rows = _rows(_all("lzb-ohne-massnahme", _ds()))  # LZB at S: MUM CARE UNE EMP
    assert rows["UNE"]["registered_unemployed"] is True and rows["EMP"]["registered_unemployed"] is False
    assert rows["MUM"]["exemption"] == "child_under_3" and rows["MUM"]["flags"] == "exempt"
    # CARE's exemption ended the day before S
    assert rows["CARE"]["exemption"] == "" and rows["CARE"]["flags"] == ""
    assert rows["UNE"]["action_plan_since"] == d("2016-03-01") and rows["MUM"]["action_plan_since"] is None
    assert rows["EMP"]["flags"] == "employed_svb"
    # German export: recorded values and "keine"
    assert german_value("registered_unemployed", True) == "ja"
    assert german_value("exemption", "child_under_3").startswith("Erziehung eines Kindes unter 3 Jahren")
    assert german_value("exemption", "") == "keine"


def test_without_the_tables_today_and_nicht_erfasst():
    rows = _rows(_all("lzb-praevention", _ds(extension=False)))
    # the age proxy as before: both 16-year-olds flagged school_age, nobody pupil
    assert rows["PUP16"]["flags"] == "school_age" and rows["NOSCH"]["flags"] == "school_age"
    assert rows["VOC18"]["flags"] == ""
    for r in rows.values():
        assert r["registered_unemployed"] is None and r["exemption"] is None and r["profile_stage"] is None
    assert german_value("registered_unemployed", None) == "nicht erfasst"
    assert german_value("profile_stage", None) == "nicht erfasst"
    assert german_value("exemption", None) == "nicht erfasst"


def test_pupil_of_16_by_school_attendance_left_out():
    ds = _ds()
    default = build_list("lzb-praevention", ds, S)
    # crossing within 6 months: PUP16 NOSCH VOC18 PA PB PC; pupils at S by the table: PUP16 (general),
    # VOC18 (vocational, 18); NOSCH left school on 14.06.2016: stays, no proxy flag any more
    assert set(default.column("person_id").to_pylist()) == {"NOSCH", "PA", "PB", "PC"}
    assert excluded_of(default) == {"school_age": 0, "pupil": 2, "pension_age": 0, "total": 2}
    everyone = _rows(_all("lzb-praevention", ds))
    assert everyone["PUP16"]["flags"] == "pupil" and everyone["VOC18"]["flags"] == "pupil"
    assert everyone["NOSCH"]["flags"] == ""
    u25 = build_list("u25-ohne-ausbildung", ds, S)
    assert "PUP16" not in u25.column("person_id").to_pylist()
    assert "NOSCH" in u25.column("person_id").to_pylist()


def test_prevention_priority_uses_profile_stage():
    ds = _ds()
    default = build_list("lzb-praevention", ds, S)
    # same crossing, no employment, no obstacles: profile rank PB market (0), PC promotion (2), PA support (5),
    # then NOSCH without a profile last
    assert default.column("person_id").to_pylist() == ["PB", "PC", "PA", "NOSCH"]
    assert default.column("priority").to_pylist() == [1, 2, 3, 4]
    assert _rows(default)["PC"]["profile_stage"] == "promotion"
    # without the tables: person id order (today's behaviour); the 16-year-olds left out by the age proxy,
    # VOC18 (18) stays
    plain = build_list("lzb-praevention", _ds(extension=False), S)
    assert plain.column("person_id").to_pylist() == ["PA", "PB", "PC", "VOC18"]


def test_exempt_parent_flagged_not_left_out_by_default():
    ds = _ds()
    lzb = build_list("lzb-ohne-massnahme", ds, S)
    assert "MUM" in lzb.column("person_id").to_pylist()
    assert _rows(lzb)["MUM"]["flags"] == "exempt"
    only = build_list("lzb-ohne-massnahme", ds, S, options=ListOptions(include=frozenset({"alle"})))
    assert {r["person_id"] for r in only.to_pylist() if "exempt" in r["flags"].split()} == {"MUM"}


# --- § 16a services: not K3E2, counted by the local indicator -------------------------------------------

def _k3e2_ds(with_16a: bool):
    persons = [person(p) for p in ("A", "B", "C", "D")]
    spells = [spell(p, LZB_START) for p in ("A", "B", "C", "D")]
    measures = [{"person_id": "A", "instrument": "activation", "start": "2016-05-01", "end": "2016-07-31"}]
    if with_16a:
        # B, C, D: only § 16a services running on the Stichtag 15.06.2016
        measures += [
            {"person_id": "B", "instrument": "16a_debt", "start": "2016-05-01", "end": "2016-12-31"},
            {"person_id": "C", "instrument": "16a_addiction", "start": "2016-01-01", "end": None},
            {"person_id": "D", "instrument": "16a_childcare", "start": "2016-06-01", "end": None},
            {"person_id": "D", "instrument": "16a_psychosocial", "start": "2016-02-01", "end": "2016-09-30"},
        ]
    return make_ds(persons, spells, measures=measures)


def test_16a_services_are_not_counted_in_k3e2():
    from zielwerk.indicators import compute_kennzahlen

    out = {}
    for with_16a in (False, True):
        tbl = compute_kennzahlen(_k3e2_ds(with_16a), Month(2016, 6), Month(2016, 6), level="jobcenter",
                                 indicators=["K3E2"])
        row = next(r for r in tbl.to_pylist() if r["sex"] == "all")
        out[with_16a] = (row["numerator"], row["denominator"], row["value"])
    # K3E2 numerator: LZB with an active measure at S — only A, with or without the § 16a services
    assert out[True] == out[False]
    assert out[True][0] == 1
    # and the lists: B, C, D stay in "LZB ohne Maßnahme"
    ids = build_list("lzb-ohne-massnahme", _k3e2_ds(True), S).column("person_id").to_pylist()
    assert sorted(ids) == ["B", "C", "D"]


def test_local_indicator_16a_by_hand():
    from zielwerk.targets.local import LOCAL_FUNCTIONS, kreis_services_started

    persons = [person("A", sex="f"), person("B", sex="m"), person("C", sex="f"), person("X", sex="m")]
    spells = [spell(p, LZB_START) for p in ("A", "B", "C")] + [spell("X", LZB_START, end="2015-12-31")]
    measures = [
        # A: debt counselling started 01.02.2016 (flow window of February: 16.01.–15.02.) and again in
        # May (a second start of the same kind counts again: services, not persons)
        {"person_id": "A", "instrument": "16a_debt", "start": "2016-02-01", "end": "2016-04-30"},
        {"person_id": "A", "instrument": "16a_debt", "start": "2016-05-10", "end": None},
        # B: addiction counselling 20.03.2016 (April window 16.03.–15.04.); psychosocial 15.01.2016 (January)
        {"person_id": "B", "instrument": "16a_addiction", "start": "2016-03-20", "end": None},
        {"person_id": "B", "instrument": "16a_psychosocial", "start": "2016-01-15", "end": None},
        # C: childcare 16.12.2015 belongs to January 2016 (window 16.12.2015–15.01.2016)
        {"person_id": "C", "instrument": "16a_childcare", "start": "2015-12-16", "end": None},
        # C: a § 16 measure is not a § 16a service
        {"person_id": "C", "instrument": "activation", "start": "2016-02-01", "end": None},
        # X is not eLb any more on the start day: not counted
        {"person_id": "X", "instrument": "16a_debt", "start": "2016-03-01", "end": None},
        # 2015: another year
        {"person_id": "A", "instrument": "16a_debt", "start": "2015-06-01", "end": "2015-08-31"},
    ]
    ds = make_ds(persons, spells, measures=measures)
    from .helpers import JC

    total = kreis_services_started(ds, JC, 2016, Month(2016, 6))
    # January: B psychosocial, C childcare = 2; February: A debt = 3; April: B addiction = 4; May: A debt = 5
    assert total["all"][:6] == [2, 3, 3, 4, 5, 5] and total["all"][6:] == [None] * 6
    assert total["f"][:6] == [1, 2, 2, 2, 3, 3] and total["m"][:6] == [1, 1, 1, 2, 2, 2]
    debt = LOCAL_FUNCTIONS["L16A_SB"](ds, JC, 2016, Month(2016, 6))
    assert debt["all"][:6] == [0, 1, 1, 1, 2, 2]
    assert LOCAL_FUNCTIONS["L16A_KB"](ds, JC, 2016, Month(2016, 6))["all"][:6] == [1] * 6
    assert LOCAL_FUNCTIONS["L16A_SUCHT"](ds, JC, 2016, Month(2016, 6))["all"][:6] == [0, 0, 0, 1, 1, 1]
    assert LOCAL_FUNCTIONS["L16A_PSB"](ds, JC, 2016, Month(2016, 6))["all"][:6] == [1] * 6
    assert kreis_services_started(ds, JC, 2015, Month(2015, 12))["all"][11] == 1


# --- ELTERN_2J counts recorded contacts ---------------------------------------------------------------

def test_eltern_2j_counts_recorded_contacts_through_the_agreement_series():
    """The pipeline's series (targets.actuals) pass the store's case records to ELTERN_2J."""
    from zielwerk.casework.records import CaseRecords
    from zielwerk.targets.local import parents_reached

    from .helpers import JC

    persons = [person("M1", sex="f"), person("M2", sex="f"), person("M3", sex="f")]
    spells = [spell(p, LZB_START) for p in ("M1", "M2", "M3")]
    children = [{"person_id": p, "child_birth_date": "2015-01-10"} for p in ("M1", "M2", "M3")]
    ds = make_ds(persons, spells, children=children)
    rec = CaseRecords.from_rows(contacts=[
        # M1: an offer on 10.03.2016 (child 13 months): March window 16.02.–15.03.
        {"person_id": "M1", "caseworker_id": "FM1", "contact_date": "2016-03-10", "kind": "angebot", "outcome": ""},
        # M2: a letter does not count; a telephone counselling on 20.04.2016 (May window 16.04.–15.05.)
        {"person_id": "M2", "caseworker_id": "FM1", "contact_date": "2016-02-01", "kind": "brief", "outcome": ""},
        {"person_id": "M2", "caseworker_id": "FM1", "contact_date": "2016-04-20", "kind": "telefon", "outcome": ""},
        # M3: a contact while the child is 11 months (before the 2nd year) does not count
        {"person_id": "M3", "caseworker_id": "FM1", "contact_date": "2015-12-20", "kind": "persoenlich", "outcome": ""},
    ])
    got = parents_reached(ds, JC, 2016, Month(2016, 6), records=rec)
    assert got["all"][:6] == [0, 0, 1, 1, 2, 2]
    assert parents_reached(ds, JC, 2016, Month(2016, 6))["all"][:6] == [0] * 6
    from zielwerk.targets.actuals import SeriesSet, _fill_local

    class _Agr:
        jobcenter_id = JC

    from zielwerk.targets import catalogue

    out = SeriesSet()
    _fill_local(out, ds, _Agr(), {"ELTERN_2J": catalogue.get("ELTERN_2J")}, 2016, Month(2016, 6), records=rec)
    assert out.values[("ELTERN_2J", "all")][2016][:6] == [0, 0, 1, 1, 2, 2]


@pytest.mark.parametrize("code", ["L16A", "L16A_KB", "L16A_SB", "L16A_PSB", "L16A_SUCHT"])
def test_16a_indicators_in_the_catalogue(code):
    from zielwerk.indicators.definitions import INDICATORS
    from zielwerk.targets import catalogue

    assert INDICATORS[code].computed_by == "zielwerk.targets.local" and not INDICATORS[code].official
    assert catalogue.get(code).source == catalogue.LOCAL


def test_eltern_2j_pipeline_series_count_store_contacts():
    """``pipeline.run.agreement_series`` (the import's monitoring) with the store's records: ELTERN_2J counts
    the recorded offer; without records it does not (no measure starts)."""
    from zielwerk.casework.records import CaseRecords
    from zielwerk.indicators import compute_kennzahlen
    from zielwerk.pipeline.run import agreement_series

    from .helpers import JC

    ds = make_ds([person("M1", sex="f")], [spell("M1", LZB_START)],
                 children=[{"person_id": "M1", "child_birth_date": "2015-01-10"}])
    rec = CaseRecords.from_rows(contacts=[
        {"person_id": "M1", "caseworker_id": "FM1", "contact_date": "2016-03-10", "kind": "angebot", "outcome": ""}])
    kz = compute_kennzahlen(ds, Month(2016, 1), Month(2016, 6), level="all", indicators=["K3"])
    with_rec = agreement_series(ds, kz, (JC,), Month(2016, 6), [], rec)[JC]["values"]
    without = agreement_series(ds, kz, (JC,), Month(2016, 6), [])[JC]["values"]
    assert with_rec["ELTERN_2J|all"]["2016"][:6] == [0, 0, 1, 1, 1, 1]
    assert without["ELTERN_2J|all"]["2016"][:6] == [0] * 6


def test_case_view_and_case_files_show_the_extension_status(tmp_path):
    from zielwerk.casework import case_view
    from zielwerk.casework.casefile import read_case_view, write_case_files

    ds = _ds()
    cv = case_view(ds, "UNE", S)
    assert cv.flags["registered_unemployed"] == "ja" and cv.flags["exemption"] == "keine"
    assert cv.flags["profile_stage"] == "nicht erfasst"  # the table exists, UNE has no assessment
    # the action plan in force since 01.03.2016, named as on the Stichtag (2016: Eingliederungsvereinbarung)
    assert cv.flags["action_plan_since"] == "01.03.2016" and cv.rules["action_plan"] == "Eingliederungsvereinbarung"
    assert case_view(ds, "MUM", S).flags["exemption"].startswith("Erziehung eines Kindes unter 3 Jahren")
    # the web's case files carry the tables the dataset has: the same view from the stored files
    write_case_files(ds, tmp_path / "cv", S)
    stored = read_case_view(tmp_path / "cv", "UNE")
    assert stored.flags == cv.flags
    # without the tables: "nicht erfasst" everywhere
    plain = _ds(extension=False)
    write_case_files(plain, tmp_path / "cv2", S)
    f = read_case_view(tmp_path / "cv2", "UNE").flags
    assert (f["registered_unemployed"], f["exemption"], f["profile_stage"], f["action_plan_since"]) == (
        "nicht erfasst",) * 4


def test_obstacles_without_plan_reads_action_plan_periods():
    from zielwerk.casework.lzb import lzb_obstacles_without_plan

    obstacles = [{"person_id": p, "category": "debt", "start": "2015-01-01", "end": None} for p in ("UNE", "EMP")]
    ds = make_ds(PERSONS, SPELLS, **EXTENSION, obstacles=obstacles)
    # UNE: an Eingliederungsvereinbarung 01.03.–31.08.2016 covers S; EMP has none
    assert lzb_obstacles_without_plan(ds, S).column("person_id").to_pylist() == ["EMP"]
    plain = make_ds(PERSONS, SPELLS, obstacles=obstacles)
    assert lzb_obstacles_without_plan(plain, S).column("person_id").to_pylist() == ["EMP", "UNE"]


def test_exports_say_nicht_erfasst(tmp_path):
    import io

    import openpyxl

    from zielwerk.casework.export import german_csv_bytes, xlsx_bytes

    plain = build_list("lzb-ohne-massnahme", _ds(extension=False), S)
    text = german_csv_bytes(plain).decode("utf-8-sig")
    header = text.splitlines()[0].split(";")
    first = text.splitlines()[1].split(";")
    assert first[header.index("arbeitslos gemeldet")] == "nicht erfasst"
    assert first[header.index("Profillage (4PM)")] == "nicht erfasst"
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(plain, "t", S))).active
    head = [c.value for c in ws[5]]
    assert ws.cell(6, head.index("Befreiung (§ 10 SGB II)") + 1).value == "nicht erfasst"
    full = build_list("lzb-ohne-massnahme", _ds(), S)
    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx_bytes(full, "t", S))).active.iter_rows(min_row=6, values_only=True))
    col = head.index("Befreiung (§ 10 SGB II)")
    # MUM exempt, CARE (ended the day before S) and UNE not; EMP (svB) left out by default
    assert sorted(r[col] for r in rows) == ["Erziehung eines Kindes unter 3 Jahren (§ 10 Abs. 1 Nr. 3 SGB II)",
                                            "keine", "keine"]
