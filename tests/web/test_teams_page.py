"""Issue 15 item 6: the Teamziele page — team targets by caseload share (edited ones marked), team actuals
from the import's ``results/teams.json``, who sees which teams, and the small-number rule (C10) for teams."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import AGREEMENT_TOML, build_app, login

from zielwerk.store import agreements
from zielwerk.web.results import results_dir

TEAMS = '''
[[ziele]]
id = "eltern"
titel = "Eltern begleiten"
traeger = ["agentur"]

[[ziele.zielwerte]]
id = "eltern-erreicht"
kennzahl = "ELTERN_2J"
form = "absolut"
wert = 10.0

[[ziele.zielwerte]]
id = "hemmnis"
kennzahl = "HEMMNIS_BEARB"
form = "absolut"
wert = 15.0

[arbeitskreis]
kennzahlen = ["K2"]

[[arbeitskreis.teilnehmer]]
gemeinde = "05970040"
gemeinde_name = "Bad Berleburg"
name = "Erika Beispiel"
funktion = "Bürgermeisterin"

[[arbeitskreis.teilnehmer]]
gemeinde = "05970008"
gemeinde_name = "Klein-Dorf"

[[arbeitskreis.gemeindeziele]]
id = "klein-k2"
gemeinde = "05970008"
kennzahl = "K2"
titel = "Integrationsquote mindestens 12 %"
wert = 12.0

[teams]
zielwerte = ["eltern-erreicht", "hemmnis", "k2"]

[[teams.vorgaben]]
team = "T2"
zielwert = "hemmnis"
wert = 20.0
begruendung = "Schwerpunktteam"
'''

#: T1 reached 5 parents, T2 2 (below 3: suppressed outside controlling, and T1 with it: total − T2 = T1)
TEAM_DATA = {"JC1": {"2016": {"month": "2016-12", "day": "2016-12-15", "caseload": {"T1": 2, "T2": 1},
                              "actuals": {"ELTERN_2J": {"T1": {"value": 5.0, "numerator": 5.0, "denominator": None},
                                                        "T2": {"value": 2.0, "numerator": 2.0, "denominator": None}},
                                          "HEMMNIS_BEARB": {"T1": {"value": 25.0, "numerator": 10.0, "denominator": 40.0},
                                                            "T2": {"value": 50.0, "numerator": 5.0, "denominator": 10.0}}}}}}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("teams"))
    # the goals section must precede the links of the fixture document: insert before [[verknuepfungen]]
    head, tail = AGREEMENT_TOML.split("[[verknuepfungen]]", 1)
    goals, sections = TEAMS.split("[arbeitskreis]")
    doc = head + goals + "[[verknuepfungen]]" + tail + "\n[arbeitskreis]" + sections
    with app.state.sessions.begin() as s:
        a = agreements.get(s, "testkreis-2016")
        agreements.add_version(s, a, doc, reason="Teamziele", created_by="controlling")
    (results_dir(app.state.config.data_dir) / "teams.json").write_text(json.dumps(TEAM_DATA), "utf-8")
    yield app
    app.state.engine.dispose()


def _page(app, user: str):
    c = TestClient(app, base_url="https://testserver")
    assert login(c, user).status_code == 303
    return c.get("/fallsteuerung/teams")


def _rows(html: str, caption: str) -> list[list[str]]:
    table = html[html.index(caption):]
    table = table[:table.index("</table>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.DOTALL)]
            for tr in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL) if "<td" in tr]


def test_controlling_sees_every_team_unsuppressed(app):
    r = _page(app, "controlling")
    assert r.status_code == 200, r.text
    # ELTERN_2J target 10 by caseload 2 : 1 = 6.67 / 3.33 → 6 + 3, the one left to T1 (remainder .67)
    assert _rows(r.text, "Erreichte Eltern") == [["T1", "2", "66,7 %", "7", "5"], ["T2", "1", "33,3 %", "3", "2"]]
    # a quota applies unchanged; T2's agreed 20 % replaces it, the derived value is shown
    assert _rows(r.text, "LZB mit bearbeitetem") == [
        ["T1", "2", "66,7 %", "15,0 %", "25,0 %"],
        ["T2", "1", "33,3 %", "20,0 % (vereinbart, abgeleitet 15,0 %: Schwerpunktteam)", "50,0 %"]]
    assert "Nicht auf Teams aufteilbar" in r.text  # K2: an official quota per Jobcenter


def test_management_sees_every_team_with_the_small_number_rule(app):
    r = _page(app, "gf")
    assert r.status_code == 200
    # T2's 2 persons are suppressed, and T1 too (total − T1 would reveal T2)
    assert [row[-1] for row in _rows(r.text, "Erreichte Eltern")] == ["*", "*"]
    assert [row[-1] for row in _rows(r.text, "LZB mit bearbeitetem")] == ["25,0 %", "50,0 %"]
    assert "Gruppen unter 3 Personen" in r.text


@pytest.mark.parametrize("user", ["tl1", "fm1"])
def test_team_lead_and_case_manager_see_their_team_only(app, user):
    r = _page(app, user)
    assert r.status_code == 200
    assert _rows(r.text, "Erreichte Eltern") == [["T1", "2", "66,7 %", "7", "*"]]
    assert "T2" not in r.text


@pytest.mark.parametrize("user", ["kommune", "admin", "traeger"])
def test_roles_without_casework_are_refused(app, user):
    assert _page(app, user).status_code == 403


def test_without_team_results_the_targets_show_and_the_page_says_why(tmp_path):
    app = build_app(tmp_path)
    try:
        r = _page(app, "controlling")
        assert r.status_code == 200
        assert "teilt keine Ziele auf Teams auf" in r.text
    finally:
        app.state.engine.dispose()


def test_web_report_has_the_arbeitskreis_and_team_sections(app):
    c = TestClient(app, base_url="https://testserver")
    assert login(c, "gf").status_code == 303
    r = c.get("/berichte/2016-12?format=html")
    assert r.status_code == 200, r.text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))
    # fixture K2 of 12/2016: Bad Berleburg (05970040) 212 of 1,000 = 21.2 %; Klein-Dorf 7 of 70 = 10.0 %
    assert "Bad Berleburg – Bürgermeisterin Erika Beispiel" in text
    assert "K2 Integrationsquote 21,2 % 212" in text
    assert "K2 Integrationsquote 10,0 % 7" in text
    assert "Integrationsquote mindestens 12 % (K2) mindestens 12,0 % 10,0 % nicht erreicht" in text
    # teams: the cached report is the same for every role, so C10 always applies (T2's 2 parents, T1 with it)
    assert "Ziele der Teams" in text
    assert "T1 2 66,7 % 7 * T2 1 33,3 % 3 *" in text
    r9 = c.get("/berichte/2016-09?format=html")
    assert "Ist-Werte je Team liegen für 12/2016 vor, nicht für 09/2016." in re.sub(r"<[^>]+>", " ", r9.text)
