"""The full permission matrix: every route × every role, written out by hand from the issue's role
descriptions (not derived from ``zielwerk.web.permissions``), plus the audited refusals."""

from __future__ import annotations

import pytest
from web_helpers import ROLE_USER, audit_rows, csrf_of

from zielwerk.web import ROUTES

A, G, C, T, K, F = "admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune", "fallmanagement"
TL = "teamleitung"  # role fallmanagement with team T1 and no caseworker id: the team lead of CW1 (P1, P2)
AU = "aufsicht"  # supervising body (issue 14): assigned JC1 and JC2 (web_helpers.SUPERVISED), aggregates only
ROLES = (A, G, C, T, K, F, TL, AU)
LEAD = {G, C}

# (method, path, form data, roles allowed, status for allowed roles)
# POSTs send deliberately incomplete data so that allowed roles get a validation answer and nothing changes.
MATRIX = [
    # "/" is every role's address (issue 13): the overview, or a redirect to the role's own start page
    # (kommune, fallmanagement; tests/web/test_nav_state.py checks where)
    ("GET", "/", None, set(ROLES), (200, 303)),
    ("GET", "/kennzahlen", None, {A, G, C, T, K}, 200),
    ("GET", "/kennzahlen?k=K3&einheit=jobcenter:JC1", None, {A, G, C, T}, 200),
    ("GET", "/kennzahlen?k=K2&einheit=municipality:05970040", None, {A, G, C, T, K}, 200),
    ("GET", "/kennzahlen?k=K2&einheit=municipality:05970008", None, {A, G, C, T}, 200),
    ("GET", "/kennzahlen/download.csv?k=K2", None, {A, G, C, T, K}, 200),
    ("GET", "/kennzahlen/download.xlsx?k=K2", None, {A, G, C, T, K}, 200),
    ("GET", "/kennzahlen/K2/definition", None, {A, G, C, T, K}, 200),
    ("GET", "/kennzahlen/abgleich", None, {A, G, C, T}, 200),  # issue 14: no Jobcenter figures for kommune
    ("GET", "/kennzahlen/abgleich?jobcenter=JC9", None, set(), 0),  # not a Jobcenter of this instance
    ("GET", "/kennzahlen/K2", None, {A, G, C, T, K}, 303),  # a table code: to the Kennzahlen page
    ("GET", "/zielvereinbarung", None, {A, G, C, T}, 200),
    ("GET", "/zielvereinbarung/neu", None, LEAD, 200),
    ("POST", "/zielvereinbarung/neu", {"key": "x"}, LEAD, 422),
    ("GET", "/zielvereinbarung/testkreis-2016", None, {A, G, C, T}, 200),
    ("GET", "/zielvereinbarung/testkreis-2016/bearbeiten", None, LEAD, 200),
    ("POST", "/zielvereinbarung/testkreis-2016/bearbeiten", {"document": "", "reason": ""}, LEAD, 422),
    ("POST", "/zielvereinbarung/testkreis-2016/zielwert", {"target_id": "k2", "value": "abc"}, LEAD, 422),
    ("POST", "/zielvereinbarung/testkreis-2016/unterzeichnen", {"fassung": "999"}, {G, T}, 404),
    ("GET", "/zielvereinbarung/testkreis-2016/unterzeichnen?fassung=999", None, {G, T}, 404),  # confirmation
    ("GET", "/zielvereinbarung/testkreis-2016/vergleich", None, {A, G, C, T}, 200),
    ("GET", "/berichte", None, {A, G, C, T}, 200),
    ("GET", "/berichte/1999-01?format=html", None, {A, G, C, T}, 404),
    ("POST", "/berichte/1999-01/begruendung", {"goal_id": ""}, LEAD, 404),  # deviation comment
    ("GET", "/daten", None, {A, C}, 200),
    ("GET", "/daten/status", None, {A, C}, 200),
    ("POST", "/daten/ordner", {"folder": ""}, {A, C}, 422),
    ("POST", "/daten/hochladen", {}, {A, C}, 422),
    # starts a background recomputation (fails harmlessly: the fixture folder holds no dataset); 409 while running
    ("POST", "/daten/berechnen", {}, {A, C}, (202, 409)),
    ("GET", "/fallsteuerung", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/teams", None, {G, C, F, TL}, 200),  # issue 15 item 6: team targets
    ("GET", "/fallsteuerung?fachkraft=CW2", None, {G, C}, 200),  # CW2 is in team T2
    ("GET", "/fallsteuerung?fachkraft=CW1", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/heute", None, {G, C, F, TL}, 200),  # issue 13 item 5
    ("GET", "/fallsteuerung/listen", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/lzb-praevention", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/fallbelastung", None, {G, C, F, TL}, 200),
    # downloads: the same roles as the list view (case managers get only their caseload, see below)
    ("GET", "/fallsteuerung/listen/lzb-praevention/download.csv", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/lzb-praevention/download.csv?format=kanonisch", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/lzb-praevention/download.xlsx", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/fallbelastung/download.csv", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/listen/fallbelastung/download.xlsx", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/person/P1", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/person/P2", None, {G, C, F, TL}, 200),
    ("GET", "/fallsteuerung/person/P3", None, {G, C}, 200),  # P3 belongs to CW2 (team T2), not to fm1 (CW1) or tl1 (T1)
    ("POST", "/fallsteuerung/person/P1/kontakt", {"outcome": ""}, {F, TL}, 422),
    ("POST", "/fallsteuerung/person/P3/kontakt", {"outcome": ""}, set(), 0),
    ("POST", "/fallsteuerung/person/P1/plan", {"agreed_on": ""}, {F, TL}, 422),
    ("GET", "/verwaltung", None, {A}, 200),
    ("POST", "/verwaltung/benutzer", {"username": "neu", "password": "kurz", "role": "admin"}, {A}, 422),
    ("POST", "/verwaltung/benutzer/niemand/aktiv", {"active": "0"}, {A}, 404),
    ("POST", "/verwaltung/benutzer/niemand/aufsicht", {"jobcenter": "JC1"}, {A}, 404),  # issue 14
    # tokens only for their owner (issue 12): nobody, admin included, mints one for another user
    ("POST", "/verwaltung/benutzer/niemand/token", {"label": "x"}, set(), 0),
    ("GET", "/verwaltung/protokoll", None, {A}, 200),
    ("GET", "/verwaltung/protokoll?seite=99999999999999999999", None, {A}, 404),
    # own account: every role (issue 12); the POSTs fail validation before anything is counted or changed
    ("GET", "/konto", None, set(ROLES), 200),
    ("GET", "/konto/passwort", None, set(ROLES), 200),
    ("POST", "/konto/passwort", {"old": "", "new": "a", "repeat": "b"}, set(ROLES), 422),
    ("POST", "/konto/token/999999/widerrufen", {}, set(ROLES), 404),
    ("POST", "/konto/token", {"label": "Matrix"}, set(ROLES), 200),
    ("GET", "/api/meta", None, {A, G, C, T, K}, 200),
    ("GET", "/api/kennzahlen/katalog", None, {A, G, C, T, K}, 200),
    ("GET", "/api/kennzahlen?k=K2", None, {A, G, C, T, K}, 200),
    ("GET", "/api/kennzahlen?k=K2&einheit=jobcenter:JC1", None, {A, G, C, T}, 200),
    ("GET", "/api/zielvereinbarungen", None, {A, G, C, T}, 200),
    ("GET", "/api/zielvereinbarungen/testkreis-2016", None, {A, G, C, T}, 200),
    ("POST", "/api/zielvereinbarungen/testkreis-2016/fassungen", {"json": {"document": "x =", "reason": "r"}},
     LEAD, 422),
    ("GET", "/api/monitoring", None, {A, G, C, T}, 200),
    # issue 14: peer comparison (the own Jobcenter JC1; JC9 is nobody's), the supervision matrix and a
    # supervised Jobcenter's aggregate overview (JC1 assigned to the aufsicht user, JC9 not)
    ("GET", "/vergleich", None, {A, G, C, T, AU}, 200),
    ("GET", "/vergleich?jobcenter=JC1&k=K3&monat=2016-09&geschlecht=f", None, {A, G, C, T, AU}, 200),
    ("GET", "/vergleich?jobcenter=JC9", None, set(), 0),
    ("GET", "/aufsicht", None, {AU}, 200),
    ("GET", "/aufsicht/JC1", None, {AU}, 200),
    ("GET", "/aufsicht/JC2", None, {AU}, 200),
    ("GET", "/aufsicht/JC9", None, set(), 0),
    ("GET", "/api/vergleich?jobcenter=JC1&k=K2", None, {A, G, C, T, AU}, 200),
    ("GET", "/api/vergleich?jobcenter=JC9", None, set(), 0),
    ("GET", "/api/aufsicht", None, {AU}, 200),
]


def _request(client, method, path, data, csrf):
    if method == "GET":
        return client.get(path, follow_redirects=False)
    headers = {"X-CSRF-Token": csrf}
    if data and "json" in data:
        return client.post(path, json=data["json"], headers=headers, follow_redirects=False)
    return client.post(path, data=data or {}, headers=headers, follow_redirects=False)


@pytest.fixture(scope="module")
def tokens(clients):
    start = {F: "/fallsteuerung", TL: "/fallsteuerung", AU: "/aufsicht"}
    return {role: csrf_of(c, start.get(role, "/kennzahlen")) for role, c in clients.items()}


def test_matrix_covers_every_route():
    covered = {(m, p.split("?")[0]) for m, p, *_ in MATRIX}
    for method, path, _ in ROUTES:
        if path in ("/anmelden", "/abmelden"):
            continue
        concrete = (path.replace("{code}", "K2").replace("{key}", "testkreis-2016").replace("{monat}", "1999-01")
                    .replace("{person_id}", "P1").replace("{username}", "niemand").replace("{token_id}", "999999").replace("{name}", "lzb-praevention")
                    .replace("{jobcenter_id}", "JC1"))
        assert (method, concrete) in covered, f"route {method} {path} missing from the matrix"


@pytest.mark.parametrize("method,path,data,allowed,status", MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(clients, tokens, role, method, path, data, allowed, status):
    r = _request(clients[role], method, path, data, tokens[role])
    if role in allowed:
        expected = status if isinstance(status, tuple) else (status,)
        assert r.status_code in expected, (role, path, r.status_code, r.text[:300])
    else:
        assert r.status_code == 403, (role, path, r.status_code)
        assert "Berechtigung" in r.text


@pytest.mark.parametrize("method,path,data,allowed,status", MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_anonymous_is_sent_to_login_or_gets_401(anon, method, path, data, allowed, status):
    r = _request(anon, method, path, data, "")
    if path.startswith("/api/"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303 and r.headers["location"].startswith("/anmelden")


def test_case_manager_asking_for_another_caseworkers_customer_is_refused_and_audited(web_app, clients):
    def reads():
        return [e for e in audit_rows(web_app, username=ROLE_USER[F], object_id="P3") if e.action == "person.read"]

    before = len(reads())
    r = clients[F].get("/fallsteuerung/person/P3")
    assert r.status_code == 403 and "P3" not in r.text.split("</header>")[1].replace("/P3", "")
    entries = reads()
    assert len(entries) == before + 1
    assert entries[-1].outcome == "denied" and entries[-1].object_type == "person"
    assert all(e.outcome == "denied" for e in entries)


def test_municipality_user_asking_for_person_level_data_is_refused_and_audited(web_app, clients):
    before = len(audit_rows(web_app, username=ROLE_USER[K], object_id="P1"))
    r = clients[K].get("/fallsteuerung/person/P1")
    assert r.status_code == 403
    entries = audit_rows(web_app, username=ROLE_USER[K], object_id="P1")
    assert len(entries) == before + 1
    assert {e.outcome for e in entries} == {"denied"} and entries[-1].action == "person.read"
    r = clients[K].get("/fallsteuerung")
    assert r.status_code == 403
    assert audit_rows(web_app, username=ROLE_USER[K], action="casework.view")[-1].outcome == "denied"


def test_municipality_user_cannot_see_other_units(web_app, clients):
    r = clients[K].get("/kennzahlen?k=K2&einheit=municipality:05970008")
    assert r.status_code == 403
    assert audit_rows(web_app, username=ROLE_USER[K], object_id="municipality:05970008")[-1].outcome == "denied"
    page = clients[K].get("/kennzahlen").text
    assert "Bad Berleburg" in page and "Klein-Dorf" not in page and "Jobcenter Testkreis" not in page


def test_person_reads_are_audited(web_app, clients):
    before = len(audit_rows(web_app, username=ROLE_USER[C], action="person.read"))
    assert clients[C].get("/fallsteuerung/person/P2").status_code == 200
    rows = audit_rows(web_app, username=ROLE_USER[C], action="person.read")
    assert len(rows) == before + 1 and rows[-1].object_id == "P2" and rows[-1].outcome == "ok"


def test_case_manager_sees_only_own_caseload(clients):
    html = clients[F].get("/fallsteuerung").text
    assert "P1" in html and "P2" in html and "P3" not in html
    assert clients[F].get("/fallsteuerung?fachkraft=CW2").status_code == 403


def test_navigation_shows_only_permitted_areas(clients):
    html = clients[K].get("/kennzahlen").text
    assert 'href="/kennzahlen"' in html
    for hidden in ('href="/daten"', 'href="/verwaltung"', 'href="/fallsteuerung"', 'href="/zielvereinbarung"'):
        assert hidden not in html


def test_work_lists_case_manager_sees_only_own_persons_audited(web_app, clients):
    html = clients[F].get("/fallsteuerung/listen/lzb-praevention").text
    body = html.split("<main")[1]
    assert "P1" in body and "P3" not in body
    assert audit_rows(web_app, username=ROLE_USER[F], action="worklist.read")[-1].after == {"zeilen": 1}
    lead = clients[C].get("/fallsteuerung/listen/lzb-praevention").text.split("<main")[1]
    assert "P1" in lead and "P3" in lead
    index = clients[F].get("/fallsteuerung/listen").text
    assert "LZB-Prävention" in index


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    return [line.split(";") for line in response.content.decode("utf-8-sig").splitlines()]


def _xlsx_rows(response) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200 and response.content[:2] == b"PK"
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_work_list_downloads_hold_only_the_case_managers_caseload(web_app, clients):
    # fixture list (web_helpers.write_fixture_lists): P1 (CW1, LZB on 15.02.2017, 45 days), P3 (CW2, 15.04.2017, 104)
    mine = _csv_rows(clients[F].get("/fallsteuerung/listen/lzb-praevention/download.csv"))
    assert mine[0][:2] == ["Person", "Fachkraft (Kennung)"]
    assert mine[1:] == [["P1", "CW1", "15.02.2017", "45"]]
    lead = _csv_rows(clients[G].get("/fallsteuerung/listen/lzb-praevention/download.csv"))
    assert [r[0] for r in lead[1:]] == ["P1", "P3"]
    assert lead[2] == ["P3", "CW2", "15.04.2017", "104"]
    canonical = clients[F].get("/fallsteuerung/listen/lzb-praevention/download.csv?format=kanonisch").text
    import csv

    assert list(csv.reader(canonical.splitlines()))[1:] == [["P1", "CW1", "2017-02-15", "45"]]
    cells = [c for row in _xlsx_rows(clients[F].get("/fallsteuerung/listen/lzb-praevention/download.xlsx"))
             for c in row]
    assert "P1" in cells and "P3" not in cells and "CW2" not in cells
    lead_cells = [c for row in _xlsx_rows(clients[C].get("/fallsteuerung/listen/lzb-praevention/download.xlsx"))
                  for c in row]
    assert "P1" in lead_cells and "P3" in lead_cells
    # the caseload list: a case manager gets only the own row (CW1: 2 persons, key 150)
    load = _csv_rows(clients[F].get("/fallsteuerung/listen/fallbelastung/download.csv"))
    assert [r[0] for r in load[1:]] == ["CW1"]
    assert [r[0] for r in _csv_rows(clients[C].get("/fallsteuerung/listen/fallbelastung/download.csv"))[1:]] == [
        "CW1", "CW2"]
    exports = audit_rows(web_app, username=ROLE_USER[F], action="worklist.export")
    assert exports and exports[-1].object_id == "fallbelastung" and exports[-1].after == {"zeilen": 1, "format": "csv"}


def test_work_list_download_refused_without_casework_permission_and_audited(web_app, clients):
    for role in (K, A, T):
        for kind in ("csv", "xlsx"):
            r = clients[role].get(f"/fallsteuerung/listen/lzb-praevention/download.{kind}")
            assert r.status_code == 403 and "P1" not in r.text
            entry = audit_rows(web_app, username=ROLE_USER[role], object_id="lzb-praevention")[-1]
            assert entry.outcome == "denied" and entry.object_type == "worklist"


def test_team_lead_sees_the_teams_caseload_and_lists_only(web_app, clients):
    """tl1 leads team T1 (CW1: P1, P2); P3 belongs to CW2 of team T2 (fixture caseload)."""
    tl = clients[TL]
    page = tl.get("/fallsteuerung").text
    assert "Fallbestand des Teams T1 (2 Personen)" in page
    assert "/fallsteuerung/person/P1" in page and "/fallsteuerung/person/P2" in page
    assert "/fallsteuerung/person/P3" not in page
    # the prevention list holds P1 (CW1) and P3 (CW2): the team lead sees P1 only, also in the download
    lst = tl.get("/fallsteuerung/listen/lzb-praevention").text
    assert "/fallsteuerung/person/P1" in lst and "/fallsteuerung/person/P3" not in lst and "nur Ihr Team" in lst
    csv = tl.get("/fallsteuerung/listen/lzb-praevention/download.csv?format=kanonisch").text.splitlines()
    assert len(csv) == 2 and csv[1].startswith('"P1",')
    # caseload of the team: CW1's row only (CW2 is in team T2)
    load = tl.get("/fallsteuerung/listen/fallbelastung/download.csv?format=kanonisch").text.splitlines()
    assert [line.split(",")[0] for line in load[1:]] == ['"CW1"']


def test_team_lead_asking_for_another_teams_customer_is_refused_and_audited(web_app, clients):
    def reads():
        return [e for e in audit_rows(web_app, username=ROLE_USER[TL], object_id="P3") if e.action == "person.read"]

    before = len(reads())
    assert clients[TL].get("/fallsteuerung/person/P3").status_code == 403
    entries = reads()
    assert len(entries) == before + 1 and entries[-1].outcome == "denied"
    r = clients[TL].get("/fallsteuerung?fachkraft=CW2")
    assert r.status_code == 403
    assert audit_rows(web_app, username=ROLE_USER[TL], object_id="CW2")[-1].outcome == "denied"
    # the own team's customer is read and audited as a read
    assert clients[TL].get("/fallsteuerung/person/P2").status_code == 200
    assert audit_rows(web_app, username=ROLE_USER[TL], object_id="P2")[-1].outcome == "ok"
