"""Issue 15: who can be addressed (flags, default exclusions, ranking), households in the parents list,
ELTERN_2J, and the dated casework texts — on hand-built data; every expected value worked out by hand
in the comments."""

from __future__ import annotations

import pyarrow as pa

from zielwerk.casework import LISTS, ListOptions, build_list, case_view
from zielwerk.casework.common import casework_texts, dated_text, excluded_of
from zielwerk.domain import law
from zielwerk.domain.calendar import Month
from zielwerk.targets.local import parents_reached

from .helpers import JC, d, make_ds, person, spell

S = d("2016-06-15")
LZB_START = "2013-01-01"  # 1,262 days before S: LZB at S
# A spell from 01.12.2014 has 563 eLb days at S; the 638th day is 29.08.2016 (01.12.2014 + 637 days),
# so the first Stichtag with >= 638 of 730 days is 15.09.2016: crossing in 3 months.
NEAR_START = "2014-12-01"
CROSSING = d("2016-09-15")


def member(pid: str, bg: str, role: str, start: str, status: str = "elb") -> dict:
    return {**spell(pid, start, bg=bg, status=status), "role": role}


def _people() -> tuple[list[dict], list[dict], dict]:
    persons = [
        person("PUP", birth="2000-01-10"),  # 16 at S: probable pupil
        person("OLD", birth="1952-03-01"),  # 64 at S: past the early-pension age 63
        person("OLD2", birth="1952-03-01"),
        person("EMP", birth="1980-01-01"),  # LZB in svB
        person("APP", birth="1995-01-01"),  # LZB in vocational training
        person("MAR", birth="1980-01-01"),  # LZB in marginal employment: shown, not excluded
        person("PUB", birth="1980-01-01"),  # LZB in svB paid as Arbeitsgelegenheit: publicly funded
        person("MUM", birth="1988-01-01"), person("DAD", birth="1987-01-01"),  # couple, BG-F
        person("KID", birth="2015-02-20"),  # DAD's child (partner's child for MUM), 15 months at S
        person("SIB", birth="2010-05-01"),  # older child in BG-F
        person("AWAY", birth="1985-01-01"),  # parent whose child lives elsewhere
        person("OTHER", birth="1960-01-01"),  # the child lives in OTHER's BG
        person("KAWAY", birth="2015-03-01"),
        person("R1"), person("R2"), person("R3"),  # prevention ranking
    ]
    spells = [
        spell("PUP", NEAR_START), spell("OLD", LZB_START), spell("OLD2", NEAR_START),
        spell("EMP", LZB_START), spell("APP", LZB_START), spell("MAR", LZB_START), spell("PUB", LZB_START),
        member("MUM", "BG-F", "head", LZB_START), member("DAD", "BG-F", "partner", LZB_START),
        member("KID", "BG-F", "child", "2015-02-20", "nef"), member("SIB", "BG-F", "child", LZB_START, "nef"),
        spell("AWAY", LZB_START),
        member("OTHER", "BG-X", "head", LZB_START), member("KAWAY", "BG-X", "child", "2015-03-01", "nef"),
        spell("R1", NEAR_START), spell("R2", NEAR_START), spell("R3", NEAR_START),
    ]
    tables = {
        "employment": [
            {"person_id": "EMP", "kind": "svb", "subsidy": "none", "start": "2016-01-01", "end": None},
            {"person_id": "APP", "kind": "training", "subsidy": "none", "start": "2015-09-01", "end": "2018-08-31"},
            {"person_id": "MAR", "kind": "marginal", "subsidy": "none", "start": "2016-02-01", "end": None},
            {"person_id": "PUB", "kind": "svb", "subsidy": "agh", "start": "2016-03-01", "end": "2016-12-31"},
            # R2: 01.01.–31.03.2015 = 31 + 28 + 31 = 90 days of svB in the 730 days before S
            {"person_id": "R2", "kind": "svb", "subsidy": "none", "start": "2015-01-01", "end": "2015-03-31"},
        ],
        # the children table names only DAD as KID's parent; AWAY's child lives in BG-X, not with AWAY
        "children": [
            {"person_id": "DAD", "child_birth_date": "2015-02-20"},
            {"person_id": "AWAY", "child_birth_date": "2015-03-01"},
        ],
        "obstacles": [
            {"person_id": "R3", "category": "debt", "start": "2015-01-01", "end": None},
            {"person_id": "R3", "category": "housing", "start": "2015-01-01", "end": None},
        ],
    }
    return persons, spells, tables


def _ds():
    persons, spells, tables = _people()
    return make_ds(persons, spells, **tables)


def _rows(tbl: pa.Table) -> dict[str, dict]:
    return {r["person_id"]: r for r in tbl.to_pylist()}


def test_flags_status_and_age_group():
    rows = _rows(build_list("lzb-ohne-massnahme", _ds(), S, options=ListOptions(include=frozenset({"alle"}))))
    assert rows["OLD"]["flags"] == "pension_age" and rows["OLD"]["age_group"] == "63+"
    assert rows["EMP"]["flags"] == "employed_svb" and rows["EMP"]["employment_status"] == "svb"
    assert rows["APP"]["flags"] == "apprentice" and rows["APP"]["employment_status"] == "training"
    assert rows["MAR"]["flags"] == "" and rows["MAR"]["employment_status"] == "marginal"
    # svB with subsidy agh is publicly funded (§ 2 Abs. 2 Nr. 3 FKV), not svB
    assert rows["PUB"]["flags"] == "" and rows["PUB"]["employment_status"] == "public_funded"
    # MUM raises her partner's child KID (15 months) in her BG: § 10 Abs. 1 Nr. 3; so does DAD (own child)
    assert rows["MUM"]["flags"] == "child_under_3" and rows["DAD"]["flags"] == "child_under_3"
    # AWAY's child lives in BG-X: no flag for AWAY; OTHER, head of BG-X, raises it there
    assert rows["AWAY"]["flags"] == "" and rows["OTHER"]["flags"] == "child_under_3"
    assert rows["AWAY"]["employment_status"] == "none" and rows["AWAY"]["age_group"] == "25–49"


def test_lzb_without_measure_defaults():
    ds = _ds()
    default = build_list("lzb-ohne-massnahme", ds, S)
    ids = set(default.column("person_id").to_pylist())
    # LZB at S: OLD EMP APP MAR PUB MUM DAD AWAY OTHER (9); excluded by default: OLD (63+), EMP (svB), APP
    assert ids == {"MAR", "PUB", "MUM", "DAD", "AWAY", "OTHER"}
    assert excluded_of(default) == {"employed_svb": 1, "apprentice": 1, "pension_age": 1, "total": 3}
    # the exempt parents stay on the list, flagged
    assert _rows(default)["MUM"]["flags"] == "child_under_3"
    # include one reason back
    some = build_list("lzb-ohne-massnahme", ds, S, options=ListOptions(include=frozenset({"employed_svb"})))
    assert set(some.column("person_id").to_pylist()) == ids | {"EMP"}


def test_prevention_excludes_pupil_and_63_and_ranks():
    ds = _ds()
    default = build_list("lzb-praevention", ds, S)
    # non-LZB crossing within 6 months: PUP OLD2 R1 R2 R3, all on 15.09.2016; PUP (16) and OLD2 (64) excluded
    assert default.column("person_id").to_pylist() == ["R2", "R1", "R3"]
    assert default.column("priority").to_pylist() == [1, 2, 3]
    assert set(default.column("lzb_from").to_pylist()) == {CROSSING}
    # R2 first: 90 employment days; then R1 before R3: no obstacles vs two
    r = _rows(default)
    assert r["R2"]["employment_days_730"] == 90 and r["R1"]["employment_days_730"] == 0
    assert r["R3"]["obstacle_count"] == 2 and r["R1"]["obstacle_count"] == 0
    assert excluded_of(default) == {"school_age": 1, "pupil": 0, "pension_age": 1, "total": 2}
    everyone = build_list("lzb-praevention", ds, S, options=ListOptions(include=frozenset({"alle"})))
    # same crossing, no employment, no obstacles: OLD2, PUP, R1 by person id, after R2; R3 last
    assert everyone.column("person_id").to_pylist() == ["R2", "OLD2", "PUP", "R1", "R3"]
    assert _rows(everyone)["PUP"]["flags"] == "school_age"
    assert _rows(everyone)["PUP"]["age_group"] == "15–17"


def test_u25_excludes_pupils_by_default():
    ds = _ds()
    # U25 at S with degree none, not in training: PUP (16). APP (21) is in training.
    assert build_list("u25-ohne-ausbildung", ds, S).num_rows == 0
    inc = build_list("u25-ohne-ausbildung", ds, S, options=ListOptions(include=frozenset({"school_age"})))
    assert inc.column("person_id").to_pylist() == ["PUP"]


def test_parents_one_entry_per_bg_with_partners_child():
    out = build_list("eltern-kleinkind", _ds(), S).to_pylist()
    by_bg = {r["bg_id"]: r for r in out}
    # BG-F: youngest child KID, 15 completed months (20.02.2015 → 15.06.2016); both parents in one entry
    f = by_bg["BG-F"]
    assert (f["person_id"], f["partner_id"], f["parents"]) == ("MUM", "DAD", 2)
    assert f["child_age_months"] == 15 and f["youngest_child_birth"] == d("2015-02-20")
    assert f["children"] == 2 and f["children_under_3"] == 1
    assert f["child_turns_3"] == d("2018-02-20")
    # BG-X: OTHER with KAWAY (15 months); AWAY (child elsewhere) has no entry of its own
    assert by_bg["BG-X"]["person_id"] == "OTHER" and by_bg["BG-X"]["partner_id"] is None
    assert set(by_bg) == {"BG-F", "BG-X"}
    assert "AWAY" not in {r["person_id"] for r in out} | {r["partner_id"] for r in out}


def test_child_living_elsewhere_not_counted():
    # only the children-table row, no spell of the child in the parent's BG → no entry, no flag
    ds = make_ds([person("A"), person("K", birth="2015-06-01")],
                 [spell("A", LZB_START), {**spell("K", "2015-06-01", bg="BG-ELSE", status="nef"), "role": "child"}],
                 children=[{"person_id": "A", "child_birth_date": "2015-06-01"}])
    assert build_list("eltern-kleinkind", ds, S).num_rows == 0
    row = build_list("lzb-ohne-massnahme", ds, S).to_pylist()
    assert [(r["person_id"], r["flags"]) for r in row] == [("A", "")]


def test_eltern_2j_counts_offers_not_payments():
    persons = [person("P"), person("Q")]
    spells = [spell("P", "2015-01-01"), spell("Q", "2015-01-01")]
    children = [{"person_id": "P", "child_birth_date": "2015-01-20"},
                {"person_id": "Q", "child_birth_date": "2015-01-20"}]
    measures = [
        {"person_id": "P", "instrument": "placement_budget", "start": "2016-03-01", "end": "2016-03-01"},  # a payment
        {"person_id": "Q", "instrument": "activation", "start": "2016-02-01", "end": None},  # 12 months → Feb
    ]
    ds = make_ds(persons, spells, children=children, measures=measures)
    got = parents_reached(ds, JC, 2016, Month(2016, 6))
    assert got["all"][:6] == [0, 1, 1, 1, 1, 1]

    class Records:
        contacts = pa.table({
            "person_id": ["P", "P"], "contact_date": pa.array([d("2016-04-01"), d("2016-05-01")], pa.date32()),
            # a letter is no counselling; the offer on 01.05. lies in (15.04., 15.05.] → May
            "kind": ["schriftlich", "angebot"]})

    got = parents_reached(ds, JC, 2016, Month(2016, 6), records=Records())
    assert got["all"][:6] == [0, 1, 1, 1, 2, 2]


def test_dated_texts_2016_and_2024():
    s16, s24 = d("2016-06-15"), d("2024-06-15")
    assert law.action_plan_term(s16) == "Eingliederungsvereinbarung"
    assert law.action_plan_term(s24) == "Kooperationsplan"
    # boundaries: 30.06.2023 / 01.07.2023 (Bürgergeld-Gesetz); 31.12.2019 / 01.01.2020 (§ 7a BBiG)
    assert law.action_plan_term(d("2023-06-30")) == "Eingliederungsvereinbarung"
    assert law.action_plan_term(d("2023-07-01")) == "Kooperationsplan"
    assert law.casework_rule("part_time_training", d("2019-12-31")).citation == "§ 8 Abs. 1 Satz 2 BBiG"
    assert law.casework_rule("part_time_training", d("2020-01-01")).citation == "§ 7a BBiG"
    assert law.early_pension_age(s16) == 63
    wl = LISTS["lzb-ohne-kooperationsplan"]
    assert wl.title_on(s16) == "LZB mit Handlungsbedarf ohne Eingliederungsvereinbarung"
    assert wl.title_on(s24) == "LZB mit Handlungsbedarf ohne Kooperationsplan"
    assert "Eingliederungsvereinbarungen, deren Überprüfung" in LISTS["ueberpruefung-ueberfaellig"].description_on(s16)
    assert "§ 8 Abs. 1 Satz 2 BBiG" in LISTS["junge-eltern"].description_on(s16)
    assert "§ 7a BBiG" in LISTS["junge-eltern"].description_on(s24)
    assert dated_text("Teilzeitausbildung nach § 7a BBiG", s16) == "Teilzeitausbildung nach § 8 Abs. 1 Satz 2 BBiG"
    assert casework_texts(s16)["action_plan_review"].startswith("Eingliederungsvereinbarung für 6 Monate")
    assert casework_texts(d("2016-09-15"))["action_plan_review"].startswith(
        "Überprüfung der Eingliederungsvereinbarung")
    # the list carries its title in the Stichtag's wording; the case view its texts and flags
    ds = _ds()
    meta = build_list("lzb-ohne-kooperationsplan", ds, S).schema.metadata
    assert meta[b"zielwerk.title"].decode() == "LZB mit Handlungsbedarf ohne Eingliederungsvereinbarung"
    cv = case_view(ds, "MUM", S)
    assert cv.rules["action_plan"] == "Eingliederungsvereinbarung"
    assert cv.rules["part_time_training"].endswith("(§ 8 Abs. 1 Satz 2 BBiG)")
    assert cv.flags["flags"] == ["child_under_3"]
    assert cv.flags["reasons"] == ["Kind unter 3 Jahren in der BG (§ 10 Abs. 1 Nr. 3 SGB II)"]


def test_every_person_list_shows_status_columns():
    ds = _ds()
    for name, wl in LISTS.items():
        if not wl.per_person or name.startswith("randzeiten"):
            continue
        cols = build_list(name, ds, S).column_names
        assert {"age_group", "employment_status", "flags"} <= set(cols), name




def test_goal_text_follows_the_stichtag():
    ds = _ds()
    goal16 = build_list("ueberpruefung-ueberfaellig", ds, S).schema.metadata[b"zielwerk.goal"].decode()
    assert goal16.startswith("Eingliederungsvereinbarung spätestens alle 6 Monate überprüfen")
