"""Issue 15 items 5-6 by hand: the local indicators JUNGE_ELTERN_QUALI and HEMMNIS_BEARB, team targets by
caseload share (largest remainder), overrides, team actuals and the small-number rule for teams."""

from __future__ import annotations

from datetime import date

import pytest

from zielwerk.casework.records import CaseRecords
from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.targets.catalogue import COUNT, PERCENT
from zielwerk.targets.local import lzb_obstacles_addressed, young_parents_qualified
from zielwerk.targets.model import TeamBreakdown, TeamOverride
from zielwerk.targets.teams import (
    NO_TEAM,
    SUPPRESSED,
    caseload_at,
    derive_team_targets,
    split_largest_remainder,
    suppress_small,
    team_actuals,
    team_rows,
)

# --- pure logic -----------------------------------------------------------------------------------


def test_split_largest_remainder_by_hand():
    assert split_largest_remainder(10, {"A": 5, "B": 3, "C": 2}) == {"A": 5, "B": 3, "C": 2}
    # 7 · 1/3 = 2.33 each: floors 2+2+2, the one left goes to the first name of equal remainders
    assert split_largest_remainder(7, {"A": 1, "B": 1, "C": 1}) == {"A": 3, "B": 2, "C": 2}
    # 2,601 by 4,188 : 2,382 : 1,430 (total 8,000): 1,361.6 / 774.5 / 464.9 → 1,361 + 774 + 464 = 2,599,
    # the two left go to the largest remainders .9 (C) and .6 (A)
    assert split_largest_remainder(2601, {"A": 4188, "B": 2382, "C": 1430}) == {"A": 1362, "B": 774, "C": 465}
    assert split_largest_remainder(5, {"A": 0}) == {"A": 0}


def test_team_targets_by_caseload_share_quota_unchanged_and_override():
    tb = TeamBreakdown(("lzb", "hemmnis", "eltern"), "fallbestand",
                       (TeamOverride("B", "eltern", 9.0, "Schwerpunkt Eltern"),))
    jc = {"lzb": ("LZB_JD", 2600.6), "hemmnis": ("HEMMNIS_BEARB", 15.0), "eltern": ("ELTERN_2J", 20.0)}
    got = {(t.team, t.target_id): t for t in derive_team_targets(tb, jc, {"A": 4188, "B": 2382, "C": 1430})}
    # 2,600.6 → 2,601 (half up), then split as in the test above
    assert [got[(x, "lzb")].value for x in "ABC"] == [1362, 774, 465]
    assert got[("A", "lzb")].unit == COUNT and got[("A", "lzb")].share == pytest.approx(52.35)
    # a quota is not split: every team has the Jobcenter's 15 %
    assert [got[(x, "hemmnis")].value for x in "ABC"] == [15.0, 15.0, 15.0]
    assert got[("A", "hemmnis")].unit == PERCENT
    # 20 · (0.5235, 0.29775, 0.17875) = 10.47 / 5.955 / 3.575 → 10 + 5 + 3 = 18, +1 to B (.955), +1 to C (.575)
    assert [got[(x, "eltern")].derived for x in "ABC"] == [10, 6, 4]
    b = got[("B", "eltern")]
    assert (b.value, b.derived, b.overridden, b.reason) == (9.0, 6, True, "Schwerpunkt Eltern")
    assert not got[("A", "eltern")].overridden
    # without a resolved Jobcenter target there is no team target
    none = derive_team_targets(TeamBreakdown(("lzb",)), {"lzb": ("LZB_JD", None)}, {"A": 1})
    assert [t.value for t in none] == [None]


def test_small_number_rule_for_teams():
    # primary: 1 or 2 persons; 0 reveals nobody
    assert suppress_small({"A": (10, None), "B": (0, None), "C": (5, None)}) == set()
    assert suppress_small({"A": (10, None), "B": (2, None), "C": (1, None)}) == {"B", "C"}
    # secondary: exactly one suppressed → the smallest positive other one too (total − rest reveals it)
    assert suppress_small({"A": (10, None), "B": (2, None), "C": (4, None), "D": (0, None)}) == {"B", "C"}
    # a quota: the denominator counts as well
    assert suppress_small({"A": (0, 2), "B": (5, 50), "C": (6, 60)}) == {"A", "B"}


# --- hand-built dataset ---------------------------------------------------------------------------


def _ds() -> Dataset:
    # H*: obstacle share (LZB: eLb since 2013); Y*: young parents' qualification
    people = {  # person: (sex, birth date, vocational degree)
        "H1": ("f", "1970-01-01", "none"), "H2": ("m", "1970-01-01", "none"), "H3": ("f", "1970-01-01", "none"),
        "H4": ("f", "1970-01-01", "none"), "H5": ("m", "1970-01-01", "none"), "H6": ("f", "1970-01-01", "none"),
        "H7": ("m", "1970-01-01", "none"), "H8": ("m", "1970-01-01", "none"),
        "S1": ("f", "1970-01-01", "none"), "S2": ("m", "1970-01-01", "none"),
        "Y1": ("f", "1995-01-01", "none"), "Y2": ("f", "1995-01-01", "vocational"),
        "Y3": ("m", "1985-01-01", "none"), "Y4": ("m", "1996-01-01", "none"), "Y5": ("m", "1996-01-01", "none"),
        "Y6": ("f", "1995-01-01", "none"), "Y7": ("f", "1991-03-01", "none"), "Y8": ("f", "1991-03-02", "none"),
    }
    start = {p: "2013-01-01" for p in people}
    start["H7"] = "2015-06-01"  # not LZB in 2016
    rows = {
        "households": [{"bg_id": "B" + p, "bg_type": "single", "start": "2013-01-01", "end": None} for p in people],
        "payments": [],
        "jobcenters": [{"jobcenter_id": "J1", "name": "JC 1", "form": "gE"}],
        "municipalities": [{"municipality_id": "M1", "name": "A", "jobcenter_id": "J1"}],
        "persons": [{"person_id": p, "birth_date": b, "sex": s, "vocational_degree": v}
                    for p, (s, b, v) in people.items()],
        "elb_spells": [{"person_id": p, "bg_id": "B" + p, "municipality_id": "M1", "status": "elb", "role": "head",
                        "start": start[p], "end": None} for p in people],
        "children": [{"person_id": p, "child_birth_date": b} for p, b in [
            ("Y1", "2015-01-01"), ("Y2", "2015-01-01"), ("Y3", "2015-01-01"), ("Y5", "2016-05-01"),
            ("Y6", "2015-01-01"), ("Y7", "2015-01-01"), ("Y8", "2015-01-01")]],
        "employment": [{"person_id": p, "kind": "training", "subsidy": "none", "start": s, "end": None} for p, s in [
            ("Y5", "2016-04-01"),  # child not born yet: not a parent on that day
            ("Y5", "2016-06-01"),  # now a parent → June (S_May 15.05. < 01.06. ≤ S_Jun 15.06.)
        ]],
        "measures": [{"person_id": p, "instrument": i, "start": s, "end": e} for p, i, s, e in [
            ("Y1", "vocational_further_training", "2016-02-01", None),  # → February
            ("Y2", "vocational_further_training", "2016-02-01", None),  # has a vocational degree
            ("Y3", "vocational_further_training", "2016-02-01", None),  # 31 years old
            ("Y4", "vocational_further_training", "2016-02-01", None),  # no child
            ("Y6", "activation", "2016-02-01", None),  # not a qualification
            ("Y7", "vocational_further_training", "2016-03-01", None),  # 25th birthday that day: not under 25
            ("Y8", "vocational_further_training", "2016-03-01", None),  # one day short of 25 → March
            ("H1", "activation", "2015-06-01", None),  # running at every Stichtag
            ("H2", "16f", "2015-10-01", "2015-11-01"),  # started within 6 months before Jan–Mar Stichtage
            ("H3", "activation", "2015-08-01", "2015-08-31"),  # within 6 months only of S_Jan (15.01.)
            ("H8", "placement_budget", "2015-06-01", None),  # a payment, not a step
            ("S1", "16a_addiction", "2015-06-01", None),  # § 16a addiction counselling on an addiction obstacle
            ("S2", "16a_debt", "2015-06-01", None),  # debt counselling is no step on an addiction obstacle
        ]],
        "obstacles": [{"person_id": p, "category": c, "start": "2015-01-01", "end": e} for p, c, e in [
            ("H1", "health_mental", None), ("H2", "addiction", None), ("H3", "health_physical", None),
            ("H4", "childcare", None), ("H5", "debt", None), ("H6", "childcare", "2016-02-01"),
            ("H7", "health_physical", None), ("H8", "addiction", None), ("S1", "addiction", None),
            ("S2", "addiction", None)]],
        "childcare_needs": [{"person_id": "H4", "child_birth_date": "2014-01-01", "slots": "late",
                             "start": "2016-01-01", "end": None}],
        "caseworkers": [{"caseworker_id": "C1", "name": "Fall A", "team": "Team A", "jobcenter_id": "J1"},
                        {"caseworker_id": "C2", "name": "Fall B", "team": "Team B", "jobcenter_id": "J1"}],
        "assignments": [{"person_id": p, "caseworker_id": c, "start": "2014-01-01", "end": None} for p, c in [
            ("H1", "C1"), ("H2", "C1"), ("H3", "C1"), ("H5", "C1"), ("H6", "C1"), ("H4", "C2"), ("H8", "C2"),
            ("Y1", "C2"), ("Y8", "C2"), ("Y5", "C1")]],
    }
    return Dataset.from_rows(rows, as_of=date(2016, 12, 31))


def test_young_parents_qualified_by_hand():
    got = young_parents_qualified(_ds(), "J1", 2016, Month(2016, 6))
    assert got["all"] == [0, 1, 2, 2, 2, 3] + [None] * 6  # Y1 Feb, Y8 Mar, Y5 Jun
    assert got["f"] == [0, 1, 2, 2, 2, 2] + [None] * 6
    assert got["m"] == [0, 0, 0, 0, 0, 1] + [None] * 6


def test_lzb_obstacles_addressed_by_hand():
    got = lzb_obstacles_addressed(_ds(), "J1", 2016, Month(2016, 3))
    # January (S 15.01.): base H1 H2 H3 H4 H6 H8 S1 S2 (H5 debt only, H7 not LZB), addressed H1 H2 H3 H4 and
    # S1 (addiction counselling); S2's debt counselling is no step on the addiction obstacle → 5/8
    # February/March: H6's obstacle ended, H3's measure left the 6-month window → 4/7
    assert got["all"][:3] == pytest.approx([500 / 8, 400 / 7, 400 / 7]) and got["all"][3:] == [None] * 9
    assert got["f"][2] == pytest.approx(75.0)  # H1, H4, S1 of H1, H3, H4, S1
    assert got["m"][2] == pytest.approx(100 / 3)  # H2 of H2, H8, S2
    # an action plan agreed after the obstacle started takes it up: H8 addressed too (5/7)
    rec = CaseRecords.from_rows(action_plans=[{"person_id": "H8", "agreed_on": date(2016, 1, 10),
                                               "reviewed_on": None, "ended_on": None}])
    assert lzb_obstacles_addressed(_ds(), "J1", 2016, Month(2016, 3), rec)["all"][2] == pytest.approx(500 / 7)


def test_team_actuals_and_rows_by_hand():
    ds = _ds()
    assert caseload_at(ds, "J1", date(2016, 3, 15)) == {"Team A": 6, "Team B": 4}
    act = team_actuals(ds, "J1", Month(2016, 3))
    # LZB at S_Jan..S_Mar: Team A H1 H2 H3 H5 H6 (5), Team B H4 H8 (2); Y* (eLb since 2013) are LZB too:
    # Y5 in Team A, Y1 Y8 in Team B; the unassigned Y2 Y3 Y4 Y6 Y7 S1 S2 have no team
    assert act["LZB_JD"]["Team A"]["value"] == 6.0 and act["LZB_JD"]["Team B"]["value"] == 4.0
    assert act["LZB_JD"][NO_TEAM]["value"] == 7.0
    assert act["HEMMNIS_BEARB"]["Team A"] == {"value": pytest.approx(200 / 3), "numerator": 2.0, "denominator": 3.0}
    assert act["HEMMNIS_BEARB"]["Team B"] == {"value": 50.0, "numerator": 1.0, "denominator": 2.0}
    assert act["JUNGE_ELTERN_QUALI"] == {"Team B": {"value": 2.0, "numerator": 2.0, "denominator": None}}
    tb = TeamBreakdown(("h", "q"))
    targets = derive_team_targets(tb, {"h": ("HEMMNIS_BEARB", 15.0), "q": ("JUNGE_ELTERN_QUALI", 5.0)},
                                  {"Team A": 6, "Team B": 4})
    rows = team_rows(targets, act)
    # both obstacle shares rest on groups below 3 → suppressed; qualification: Team B has 2 (primary),
    # Team A 0 reveals nobody and stays
    assert [(r.team, r.actual, r.suppressed) for r in rows["h"]] == [
        ("Team A", SUPPRESSED, True), ("Team B", SUPPRESSED, True)]
    assert [(r.team, r.actual) for r in rows["q"]] == [("Team A", 0.0), ("Team B", SUPPRESSED)]
    assert [r.target.value for r in rows["q"]] == [3, 2]  # 5 · 0.6 / 0.4
    # controlling sees the figures
    assert [r.actual for r in team_rows(targets, act, unsuppressed=True)["q"]] == [0.0, 2.0]


def test_pipeline_team_results_per_agreement_year():
    from zielwerk.pipeline.teams_step import agreement_years, team_results

    ds = _ds()
    got = team_results(ds, [("J1", 2015), ("J1", 2016), ("J1", 2017), ("J9", 2016)], Month(2016, 3))
    # 2015: December (the year's report month), 2016: the data's last month; 2017 and the unknown J9: nothing
    assert set(got) == {"J1"} and set(got["J1"]) == {"2015", "2016"}
    assert (got["J1"]["2015"]["month"], got["J1"]["2015"]["day"]) == ("2015-12", "2015-12-15")
    assert (got["J1"]["2016"]["month"], got["J1"]["2016"]["day"]) == ("2016-03", "2016-03-15")
    assert got["J1"]["2016"]["caseload"] == {"Team A": 6, "Team B": 4}
    assert got["J1"]["2016"]["actuals"] == team_actuals(ds, "J1", Month(2016, 3))
    assert agreement_years(None) == []  # without a store there is no agreement to break down


def test_report_sections_by_hand():
    """The report's Arbeitskreis and team sections on the hand-built dataset (C10, problems named)."""
    from types import SimpleNamespace

    from zielwerk.reports.sections import arbeitskreis_section, teams_section
    from zielwerk.targets.model import Agreement, Arbeitskreis, Goal, MunicipalTarget, Participant, Target

    ds = _ds()
    goal = Goal("q", "Qualifizierung", ("agentur",), None, "", (Target("quali", "JUNGE_ELTERN_QUALI", "absolut",
                                                                       value=5.0),))
    ak = Arbeitskreis("AK", "", (Participant("M1", "A", "Erika Beispiel", "Bürgermeisterin"),
                                 Participant("M9", "Nirgendwo")), ("K2", "L_U25_AUSB"),
                      (MunicipalTarget("m1-k2", "M1", "K2", "Integrationen", 20.0),))
    tb = TeamBreakdown(("quali",), "fallbestand", (TeamOverride("Team X", "quali", 1.0),))
    a = Agreement(2016, "J1", "JC 1", (), (goal,), arbeitskreis=ak, teams=tb)
    month = Month(2016, 6)
    sec = arbeitskreis_section(ds, a, month)
    m1 = sec["municipalities"][0]
    assert (m1["name"], m1["person"]) == ("A", "Bürgermeisterin Erika Beispiel")
    # the only integration (into training) up to June 2016 is Y5's (01.06.2016): one person → "*" (C10),
    # in K2 and in the U25 training count; the goal's status cannot be shown
    assert [(line["code"], line["value"], line["numerator"]) for line in m1["lines"]] == [
        ("K2", "*", "*"), ("L_U25_AUSB", "*", "*")]
    assert [(g["actual"], g["status"]) for g in m1["goals"]] == [("*", "–")]
    assert sec["problems"] == ["Gemeinde Nirgendwo (M9) ist nicht in den Daten."]
    mon = SimpleNamespace(targets=[SimpleNamespace(target=goal.targets[0], resolved=SimpleNamespace(end=5.0))])
    teams = teams_section(ds, a, month, mon)
    rows = teams["blocks"][0]["rows"]
    # caseload at 15.06.2016: Team A 6, Team B 4 → 5 · 0.6 / 0.4 = 3 / 2; actuals (Y1 Feb, Y8 Mar: Team B 2,
    # Y5 Jun: Team A 1) both below 3 → "*"
    assert [(r["team"], r["target"], r["actual"]) for r in rows] == [("Team A", "3", "*"), ("Team B", "2", "*")]
    assert teams["problems"] == [("Vorgabe für das Team „Team X“ (quali): kein solches Team im Fallbestand am "
                                  "15.06.2016.")]
