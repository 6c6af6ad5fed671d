"""Issue 14: the role aufsicht (assigned Jobcenters only, aggregates only, C10), the assignment in the
Verwaltung, an agreement monitored on the official series in the matrix, and the peer comparison on the
demo-like setup (Siegen-Wittgenstein among the Jobcenters of its Vergleichstyp).

Fixture (web_helpers): rd1 (aufsicht) is assigned JC1 (agreement "testkreis-2016", own figures) and JC2
(no agreement); JC9 is of another type and not assigned. Official K2 of 2016-09 in type IIb: JC1 20 %,
JC2 30 %, JC3 40 %, JC4 10 %, JC5 2 of 10 persons (C10).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import AGREEMENT_TOML, ROLE_USER, audit_rows, build_app, csrf_of, login

AU = "aufsicht"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


def test_matrix_shows_only_the_assigned_jobcenters(clients):
    html = _main(clients[AU].get("/aufsicht").text)
    text = _text(html)
    assert "Jobcenter Testkreis" in text and "Jobcenter Nachbarkreis" in text
    assert "Großstadt" not in text and "Bergkreis" not in text
    # columns are the goals; JC1's agreement in December 2016: K2 24,0 % against 25,0 % → verfehlt; K3 on plan
    assert "Integration verbessern" in text and "Langzeitbezug vermeiden" in text
    assert re.search(r'class="status bad"[^>]*>verfehlt<', html)
    assert "keine Zielvereinbarung hinterlegt" in text  # JC2
    api = clients[AU].get("/api/aufsicht").json()
    assert [j["jobcenter_id"] for j in api["jobcenters"]] == ["JC1", "JC2"]
    assert api["jobcenters"][0]["goals"]["integration"]["status"] == "verfehlt"
    assert api["jobcenters"][0]["goals"]["lzb"]["status"] in ("erreicht", "im Plan")


def test_no_person_level_data_and_no_links_to_it(web_app, clients):
    c = clients[AU]
    for path in ("/aufsicht", "/aufsicht/JC1", "/vergleich"):
        html = _main(c.get(path).text)
        assert "/fallsteuerung" not in html and "/kennzahlen" not in html and "P1" not in html
    for path in ("/fallsteuerung", "/fallsteuerung/person/P1", "/fallsteuerung/listen/lzb-praevention",
                 "/kennzahlen", "/zielvereinbarung/testkreis-2016", "/berichte", "/daten"):
        assert c.get(path).status_code == 403, path
    assert audit_rows(web_app, username=ROLE_USER[AU], object_id="P1")[-1].outcome == "denied"


def test_unassigned_jobcenter_is_refused_and_audited(web_app, clients):
    for path in ("/aufsicht/JC9", "/vergleich?jobcenter=JC9", "/api/vergleich?jobcenter=JC9"):
        r = clients[AU].get(path)
        assert r.status_code == 403, path
        assert "Großstadt" not in r.text
    entries = audit_rows(web_app, username=ROLE_USER[AU], object_id="JC9")
    assert len(entries) >= 3 and {e.outcome for e in entries} == {"denied"}


def test_peer_comparison_applies_c10_outside_controlling(clients):
    # JC5 has 2 integrations of 10: left out for aufsicht (and every role but controlling)
    sup = clients[AU].get("/api/vergleich?jobcenter=JC1&k=K2&monat=2016-09").json()
    assert sup["current"]["n"] == 4 and "JC5" not in [p["jobcenter_id"] for p in sup["peers"]]
    # 10, 20, 30, 40 → Q1 17,5, median 25, Q3 32,5; JC1 rank 3; 32,5 % of 1.000 = 325 → 125 more
    cur = sup["current"]
    assert (cur["q1"], cur["median"], cur["q3"], cur["rank"], cur["to_best_quartile"]) == (17.5, 25.0, 32.5, 3, 125.0)
    assert sup["previous_year"]["month"] == "2015-09" and sup["previous_year"]["value"] == 19.0
    ctl = clients["controlling"].get("/api/vergleich?jobcenter=JC1&k=K2&monat=2016-09").json()
    assert ctl["current"]["n"] == 5 and "JC5" in [p["jobcenter_id"] for p in ctl["peers"]]
    # the page says it in German
    text = _text(clients[AU].get("/vergleich?jobcenter=JC1&k=K2&monat=2016-09").text)
    assert "125 Integrationen mehr wären das obere Quartil (32,5 %)" in text
    assert "3 von 4" in text and "Vergleichstyp IIb" in text


def test_assigned_jobcenter_without_official_figures_gets_a_message(own_app):
    from sqlalchemy import select

    from zielwerk.store.models import User
    from zielwerk.store.peers import assign

    with own_app.state.sessions.begin() as s:
        assign(s, s.scalar(select(User).where(User.username == "rd1")), ["JC1", "JC7"])
    c = TestClient(own_app, base_url="https://testserver")
    assert login(c, "rd1").status_code == 303
    r = c.get("/vergleich?jobcenter=JC7")
    assert r.status_code == 200 and "Für das Jobcenter JC7 liegen keine amtlichen Kennzahlen vor" in r.text
    assert c.get("/api/vergleich?jobcenter=JC7").status_code == 404
    assert c.get("/vergleich?jobcenter=JC2").status_code == 403  # no longer assigned


def test_peer_selection_errors_are_german(clients):
    r = clients["controlling"].get("/api/vergleich?jobcenter=JC1&k=XX")
    assert r.status_code == 422 and "Ungültige Eingabe" in r.text
    r = clients["controlling"].get("/vergleich?jobcenter=JC1&k=XX")
    assert r.status_code == 422 and "keine amtliche Kennzahl" in r.text
    r = clients["controlling"].get("/api/vergleich?jobcenter=JC1&k=K2&monat=2030-01")
    assert r.status_code == 404 and "keine amtlichen Kennzahlen" in r.text
    # the page's pickers: a month without a value shows the newest one with a note; an indicator without
    # figures a message (the picker offers only the indicators with figures)
    text = _text(clients["controlling"].get("/vergleich?jobcenter=JC1&k=K2&monat=2030-01").text)
    assert "Für Januar 2030 liegt kein amtlicher Wert vor; gezeigt wird September 2016." in text
    r = clients["controlling"].get("/vergleich?jobcenter=JC1&k=K1")
    assert r.status_code == 200 and "Für die Kennzahl K1 liegen für dieses Jobcenter keine amtlichen Werte vor" in r.text
    assert '<option value="K1"' not in r.text and '<option value="K2"' in r.text


@pytest.fixture
def own_app(tmp_path):
    app = build_app(tmp_path / "data")
    yield app
    app.state.engine.dispose()


def test_admin_assigns_jobcenters_and_an_official_series_agreement_joins_the_matrix(own_app):
    from zielwerk.store import agreements

    # JC2 has no person-level data here: its agreement is monitored on the official series
    with own_app.state.sessions.begin() as s:
        agreements.create(s, key="nachbarkreis-2016", title="Zielvereinbarung 2016 Nachbarkreis", jobcenter_id="JC2",
                          year=2016, document=AGREEMENT_TOML.replace('id = "JC1"', 'id = "JC2"')
                          .replace("Testkreis", "Nachbarkreis"), created_by="controlling")
    admin = TestClient(own_app, base_url="https://testserver")
    assert login(admin, "admin").status_code == 303
    token = csrf_of(admin, "/verwaltung")
    bad = admin.post("/verwaltung/benutzer/rd1/aufsicht", data={"jobcenter": "JC1, <x>", "csrf_token": token})
    assert bad.status_code == 422 and "Zugeordnete Jobcenter" in bad.text
    r = admin.post("/verwaltung/benutzer/rd1/aufsicht", data={"jobcenter": "JC2; JC9", "csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 303
    entry = audit_rows(own_app, action="user.supervision")[-1]
    assert entry.before == {"jobcenter": ["JC1", "JC2"]} and entry.after == {"jobcenter": ["JC2", "JC9"]}
    assert "JC2, JC9" in admin.get("/verwaltung").text
    sup = TestClient(own_app, base_url="https://testserver")
    assert login(sup, "rd1").status_code == 303
    rows = sup.get("/api/aufsicht").json()["jobcenters"]
    assert [j["jobcenter_id"] for j in rows] == ["JC2", "JC9"]
    jc2 = rows[0]
    assert jc2["series"] == "amtliche Statistik der BA" and jc2["report_month"] == "2016-09", jc2
    assert set(jc2["goals"]) == {"integration", "lzb"}
    assert sup.get("/aufsicht/JC1").status_code == 403
    page = _text(sup.get("/aufsicht/JC2").text)
    assert "Datengrundlage: amtliche Statistik der BA" in page and "Integrationsquote" in page
    # a new supervision user with assignments from the start
    r = admin.post("/verwaltung/benutzer", data={"username": "rd2", "full_name": "Rita Regional",
                                                 "password": "Sehr-geheim-Passwort-42", "role": "aufsicht",
                                                 "aufsicht_jobcenter": "JC3,JC4", "csrf_token": token},
                   follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert audit_rows(own_app, action="user.create", object_id="rd2")[-1].after["jobcenter"] == ["JC3", "JC4"]
    r = admin.post("/verwaltung/benutzer", data={"username": "x2", "password": "Sehr-geheim-Passwort-42",
                                                 "role": "controlling", "aufsicht_jobcenter": "JC3",
                                                 "csrf_token": token})
    assert r.status_code == 422 and "nur für die Rolle Aufsicht" in r.text


@pytest.mark.slow
def test_demo_setup_shows_siegen_wittgensteins_peers(tmp_path, siegen_dir):
    """The demo's official table (written by ``zielwerk generate``) imported as the demo does, the demo users
    made: the aufsicht user oversees Siegen-Wittgenstein and the Jobcenters of its Vergleichstyp and sees
    its peers."""
    from zielwerk.store import official
    from zielwerk.synth.official import FILE_NAME
    from zielwerk.web import WebConfig, create_app
    from zielwerk.web.provision import ensure_demo_users

    table = siegen_dir / FILE_NAME
    assert table.exists(), "zielwerk generate writes the demo's official table"
    app = create_app(WebConfig(data_dir=tmp_path / "demo"))
    try:
        official.import_file(app.state.sessions, table, username="demo")
        accounts = ensure_demo_users(app.state.sessions, tmp_path / "demo", password=lambda n: f"{n}-Kraeftig-Demo-7")
        name, _, password = next(a for a in accounts if a[1] == AU)
        c = TestClient(app, base_url="https://testserver")
        assert login(c, name, password).status_code == 303
        data = c.get("/api/vergleich?jobcenter=05970&k=K2").json()
        assert data["jobcenter_id"] == "05970" and data["vergleichstyp"] == "IIb"
        assert data["current"]["n"] >= 5 and len(data["peers"]) >= 5
        assert data["current"]["rank"] is not None and data["neighbours"]
        text = _text(c.get("/vergleich?jobcenter=05970").text)
        assert "Siegen-Wittgenstein" in text and "Vergleichstyp IIb" in text
        matrix = c.get("/api/aufsicht").json()["jobcenters"]
        assert matrix[0]["jobcenter_id"] == "05970" or "05970" in [j["jobcenter_id"] for j in matrix]
        assert len(matrix) >= 5
    finally:
        app.state.engine.dispose()


def test_cli_creates_a_supervision_user_with_assignments(tmp_path):
    from typer.testing import CliRunner

    from zielwerk.cli import app
    from zielwerk.store import default_url, open_store
    from zielwerk.store.peers import assigned
    from zielwerk.store.users import by_name

    pw = "Sehr-geheim-Passwort-42\nSehr-geheim-Passwort-42\n"
    res = CliRunner().invoke(app, ["benutzer", "anlegen", "rd9", "--rolle", "aufsicht", "--daten", str(tmp_path),
                                   "--aufsicht-jobcenter", "05970, 05966"], input=pw)
    assert res.exit_code == 0, res.output
    engine, sessions = open_store(default_url(tmp_path))
    with sessions() as s:
        assert assigned(s, by_name(s, "rd9").id) == ["05966", "05970"]
    engine.dispose()
    res = CliRunner().invoke(app, ["benutzer", "anlegen", "x9", "--rolle", "controlling", "--daten", str(tmp_path),
                                   "--aufsicht-jobcenter", "05970"], input=pw)
    assert res.exit_code == 2 and "nur für die Rolle aufsicht" in res.output


def test_web_monthly_report_has_the_vergleich_section(clients):
    # fixture: K2 of 2016-09 in type IIb 10, 20, 30, 40 % (JC5 below 3 persons left out); JC1 20 % → rank 3 of 4
    text = _text(clients["controlling"].get("/berichte/2016-09?format=html").text)
    assert "Vergleich im Vergleichstyp IIb" in text
    assert "125 Integrationen mehr wären das obere Quartil (32,5 %)" in text and "3 von 4" in text
