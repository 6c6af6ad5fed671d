"""Issue 13 items 1–3: navigation, buttons and links per role and object state; signature state shared by
file, web and report; reports per month with agreement; deviation comments; the Überblick's final status.

Fresh apps (function scope) where a test changes state; expected values are worked out by hand from the
fixture (``web_helpers``): K2 of JC1 is 2·m in month m of 2016 (24,0 % in December) against the agreed 25,0 %.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import AGREEMENT_TOML, ROLE_USER, audit_rows, build_app, csrf_of, login

from zielwerk.web.permissions import LANDING, NAVIGATION, PERMISSIONS

KEY = "testkreis-2016"
ALL_ROLES = ("admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune", "fallmanagement", "aufsicht")

SIGNED_TOML = AGREEMENT_TOML.replace('status = "entwurf"', 'status = "unterzeichnet"') + """
[[unterzeichner]]
name = "Erika Landrat"
funktion = "Landrätin"
partei = "kreis"
datum = 2016-03-14

[[unterzeichner]]
name = "Max Agentur"
funktion = "Vorsitzender der Geschäftsführung"
partei = "agentur"
datum = 2016-03-14

[[unterzeichner]]
name = "Gisela Jobcenter"
funktion = "Geschäftsführerin"
partei = "jobcenter"
datum = 2016-03-15
"""


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _client(app, role: str) -> TestClient:
    c = TestClient(app, base_url="https://testserver")
    assert login(c, ROLE_USER[role]).status_code == 303
    return c


@pytest.fixture
def app(tmp_path):
    a = build_app(tmp_path / "data")
    yield a
    a.state.engine.dispose()


def _nav(html: str) -> list[str]:
    block = re.search(r'<nav aria-label="Hauptnavigation">(.*?)</nav>', html, re.DOTALL)
    return re.findall(r'href="([^"]+)"', block.group(1)) if block else []


# --------------------------------------------------------------------------- item 1: navigation


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_logo_and_start_page_follow_the_permission_table(clients, role):
    c = clients[role]
    r = c.get("/", follow_redirects=False)
    if role in PERMISSIONS["overview.view"]:
        assert r.status_code == 200
    else:  # "/" sends the role to its own start page instead of answering 403
        assert r.status_code == 303 and r.headers["location"] == LANDING[role]
    page = c.get(LANDING[role])
    assert page.status_code == 200
    expected = [path for _, path, perm in NAVIGATION if role in PERMISSIONS[perm]]
    assert _nav(page.text) == expected
    assert f'<div class="brand"><a href="{LANDING[role]}">' in page.text


@pytest.mark.parametrize("path", ["/zielvereinbarung/gibt-es-nicht", "/gibt-es-nicht"])
@pytest.mark.parametrize("role", ["kommune", "fallmanagement", "controlling"])
def test_error_pages_keep_the_navigation_and_lead_to_the_own_start_page(clients, role, path):
    r = clients[role].get(path)
    assert r.status_code in (403, 404)
    assert _nav(r.text), "the error page lost the navigation"
    assert f'<a href="{LANDING[role]}">Zur Startseite</a>' in r.text
    assert "Abmelden" in r.text


# --------------------------------------------------------------------------- item 1: buttons per role


@pytest.mark.parametrize("role", ["admin", "geschaeftsfuehrung", "controlling", "traeger"])
def test_agreement_buttons_per_role(clients, role):
    page = clients[role].get(f"/zielvereinbarung/{KEY}").text
    index = clients[role].get("/zielvereinbarung").text
    may_edit = role in ("geschaeftsfuehrung", "controlling")
    assert ("/bearbeiten" in page) is may_edit
    assert ("Neue Zielvereinbarung anlegen" in index) is may_edit
    assert ("unterzeichnen …" in page) is (role in ("geschaeftsfuehrung", "traeger"))


def test_signing_per_party_with_confirmation_and_the_button_goes_away(app):
    gf, tr, ctl = _client(app, "geschaeftsfuehrung"), _client(app, "traeger"), _client(app, "controlling")
    page = gf.get(f"/zielvereinbarung/{KEY}").text
    assert "für Geschäftsführung des Jobcenters unterzeichnen" in page
    # the button leads to the confirmation page (GET), which names the party
    confirm = gf.get(f"/zielvereinbarung/{KEY}/unterzeichnen?fassung=1&partei=jobcenter")
    assert confirm.status_code == 200 and 'name="bestaetigt"' in confirm.text
    token = csrf_of(gf)
    # without the confirmation nothing is signed
    r = gf.post(f"/zielvereinbarung/{KEY}/unterzeichnen", data={"fassung": "1", "partei": "jobcenter",
                                                                "csrf_token": token})
    assert r.status_code == 422 and "bestätigen" in r.text
    r = gf.post(f"/zielvereinbarung/{KEY}/unterzeichnen",
                data={"fassung": "1", "partei": "jobcenter", "bestaetigt": "ja", "csrf_token": token},
                follow_redirects=False)
    assert r.status_code == 303
    page = _text(gf.get(f"/zielvereinbarung/{KEY}").text)
    assert "unterzeichnen …" not in page  # already signed by this party: no button, no 409
    assert "Geschäftsführung des Jobcenters Gf" in page  # the party and the signer's name
    # a carrier may not sign for the Jobcenter, and chooses between Kreis and Agentur
    ttoken = csrf_of(tr)
    assert tr.post(f"/zielvereinbarung/{KEY}/unterzeichnen", data={"fassung": "1", "partei": "jobcenter",
                                                                   "bestaetigt": "ja", "csrf_token": ttoken}
                   ).status_code == 422
    choose = tr.get(f"/zielvereinbarung/{KEY}/unterzeichnen?fassung=1")
    assert choose.status_code == 200
    assert "partei=kreis" in choose.text and "partei=agentur" in choose.text and "partei=jobcenter" not in choose.text
    assert tr.post(f"/zielvereinbarung/{KEY}/unterzeichnen", data={"fassung": "1", "partei": "kreis",
                                                                   "bestaetigt": "ja", "csrf_token": ttoken},
                   follow_redirects=False).status_code == 303
    assert "unterzeichnen …" not in tr.get(f"/zielvereinbarung/{KEY}").text  # this user has signed
    # controlling never sees a sign button; the overview names the missing party
    assert "unterzeichnen …" not in ctl.get(f"/zielvereinbarung/{KEY}").text
    overview = _text(ctl.get("/").text)
    assert "es fehlt: Agentur für Arbeit" in overview
    entries = audit_rows(app, action="agreement.sign")
    assert [(e.username, e.after["partei"]) for e in entries] == [("gf", "jobcenter"), ("traeger", "kreis")]


def test_signatures_of_the_file_are_the_agreements_signatures_everywhere(app):
    from zielwerk.store import agreements

    with app.state.sessions.begin() as s:
        a = agreements.get(s, KEY)
        agreements.add_version(s, a, SIGNED_TOML, reason="unterzeichnete Fassung eingelesen", created_by="controlling")
    gf = _client(app, "geschaeftsfuehrung")
    page = _text(gf.get(f"/zielvereinbarung/{KEY}").text)
    assert "von allen Parteien unterzeichnet" in page
    assert "Erika Landrat" in page and "14.03.2016" in page and "15.03.2016" in page
    assert "unterzeichnen …" not in page and "noch nicht unterzeichnet" not in page
    assert "noch nicht von allen Parteien" not in _text(gf.get("/").text)
    report = gf.get("/berichte/2016-06?format=html")
    assert report.status_code == 200
    assert "Gisela Jobcenter" in report.text and "unterzeichnet am 15.03.2016" in report.text


def test_web_signatures_reach_the_report(app):
    gf = _client(app, "geschaeftsfuehrung")
    gf.post(f"/zielvereinbarung/{KEY}/unterzeichnen",
            data={"fassung": "1", "partei": "jobcenter", "bestaetigt": "ja", "csrf_token": csrf_of(gf)})
    html = gf.get("/berichte/2016-05?format=html").text
    assert "Geschäftsführung des Jobcenters" in html and "Gf" in html


# --------------------------------------------------------------------------- item 3: reports


@pytest.fixture
def app_2017(tmp_path):
    """Indicators through February 2017; the only agreement is for 2016."""
    a = build_app(tmp_path / "data")
    metas = list(Path(tmp_path / "data").rglob("meta.json"))
    for p in metas:
        meta = json.loads(p.read_text())
        if "last_month" in meta:
            meta["last_month"] = "2017-02"
            p.write_text(json.dumps(meta))
    yield a
    a.state.engine.dispose()


def test_reports_list_only_months_with_an_agreement_and_offer_to_create_one(app_2017):
    ctl, tr = _client(app_2017, "controlling"), _client(app_2017, "traeger")
    page = ctl.get("/berichte")
    assert page.status_code == 200
    text = _text(page.text)
    assert "Für das Jahr 2017 ist keine Zielvereinbarung hinterlegt" in text
    assert '<a href="/zielvereinbarung/neu">Zielvereinbarung 2017 anlegen</a>' in page.text
    assert "/berichte/2017-" not in page.text
    # every month of 2016 is linked, newest first, and preselected in the picker
    months = re.findall(r'href="/berichte/(2016-\d\d)\?format=pdf"', page.text)
    assert set(months) == {f"2016-{m:02d}" for m in range(1, 13)}
    assert '<option value="2016-12" selected>' in page.text
    # the picker (GET /berichte?monat=…) selects a month
    picked = ctl.get("/berichte?monat=2016-03")
    assert picked.status_code == 200 and '<option value="2016-03" selected>' in picked.text
    assert ctl.get("/berichte?monat=2017-01").status_code == 404
    # a role that may not create agreements is not offered the link
    assert "/zielvereinbarung/neu" not in tr.get("/berichte").text


def test_deviation_comment_by_controlling_appears_in_the_report(app):
    ctl, tr = _client(app, "controlling"), _client(app, "traeger")
    token = csrf_of(ctl)
    text = "Sondereffekt: Maßnahme X startete erst im Juli."
    r = ctl.post("/berichte/2016-06/begruendung", data={"goal_id": "integration", "text": text, "csrf_token": token},
                 follow_redirects=False)
    assert r.status_code == 303
    assert text in ctl.get("/berichte?monat=2016-06").text
    html = tr.get("/berichte/2016-06?format=html").text
    assert "Begründung: " + text in html  # beside the deviation in the overview table
    assert text not in tr.get("/berichte/2016-07?format=html").text  # per month
    # not for carriers; not without CSRF; an unknown goal is refused
    assert tr.post("/berichte/2016-06/begruendung", data={"goal_id": "integration", "text": "x",
                                                          "csrf_token": csrf_of(tr)}).status_code == 403
    assert ctl.post("/berichte/2016-06/begruendung", data={"goal_id": "integration", "text": "x"}).status_code == 403
    assert ctl.post("/berichte/2016-06/begruendung", data={"goal_id": "nope", "text": "x",
                                                           "csrf_token": token}).status_code == 422
    (entry,) = audit_rows(app, action="report.comment", outcome="ok")
    assert entry.username == "controlling" and entry.after == {"text": text} and entry.before is None


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_deviation_comment_is_in_the_pdf(app, tmp_path):
    ctl = _client(app, "controlling")
    text = "Personalengpass im Jobcenter"
    assert ctl.post("/berichte/2016-04/begruendung", data={"goal_id": "lzb", "text": text,
                                                           "csrf_token": csrf_of(ctl)}).status_code == 200
    pdf = ctl.get("/berichte/2016-04?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    (tmp_path / "b.pdf").write_bytes(pdf.content)
    out = subprocess.run(["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert text in " ".join(out.split())


# --------------------------------------------------------------------------- item 2: overview, indicators


BY_SEX = """id = "k2f"
kennzahl = "K2"
form = "absolut"
geschlecht = "f"
wert = 25.0

[[ziele.zielwerte]]
id = "k2m"
kennzahl = "K2"
form = "absolut"
geschlecht = "m"
wert = 23.0"""


def test_overview_names_women_and_men_and_the_goals_carriers(app):
    from zielwerk.store import agreements

    doc = AGREEMENT_TOML.replace('id = "k2"\nkennzahl = "K2"\nform = "absolut"\nwert = 25.0', BY_SEX)
    assert "k2m" in doc
    with app.state.sessions.begin() as s:
        agreements.add_version(s, agreements.get(s, KEY), doc, reason="nach Geschlecht", created_by="controlling")
    html = _client(app, "controlling").get("/").text
    rows = [_text(r) for r in re.findall(r'<tr class="status-\w+">(.*?)</tr>', html, re.DOTALL)]
    assert len(rows) == 3
    assert ", Frauen" in rows[0] and ", Männer" in rows[1]
    # December: 24,0 % against 25,0 % (women) missed, against 23,0 % (men) reached
    assert "verfehlt (vorläufig)" in rows[0] and "erreicht (vorläufig)" in rows[1]
    assert "Kreis Test" in rows[2] and "Agentur" not in rows[2]  # goal "lzb": carrier Kreis only


def test_overview_status_is_final_after_december_and_coloured(clients):
    html = clients["controlling"].get("/").text
    row = re.search(r'<tr class="status-(\w+)">(.*?)</tr>', html, re.DOTALL)
    assert row is not None
    # K2 in December 2016: 2 · 12 = 24,0 % < agreed 25,0 % (higher is better) → missed; December is provisional
    assert row.group(1) == "bad"
    assert "verfehlt (vorläufig)" in _text(row.group(2))
    assert 'href="/kennzahlen/K2"' in row.group(2)
    assert "Kreis Test und Agentur für Arbeit Test" in _text(row.group(2))  # carriers of the goal
    assert set(re.findall(r'id="ueberblick-chart-(\d+)"', html)) == {"0", "1"}  # a chart per target


@pytest.mark.parametrize("code", ["LZB_JD", "L_U25_AUSB", "ELTERN_2J", "RANDZEIT", "K3_JD", "L16A", "L16A_SUCHT"])
def test_local_indicators_have_a_page(clients, code):
    r = clients["controlling"].get(f"/kennzahlen/{code}")
    assert r.status_code == 200 and f"<h1>{code} – " in r.text
    assert clients["controlling"].get(f"/kennzahlen/{code}/definition").status_code == 200


def test_indicator_page_of_a_table_code_and_unknown_codes(clients):
    r = clients["traeger"].get("/kennzahlen/K2", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/kennzahlen?k=K2"
    assert clients["traeger"].get("/kennzahlen/XYZ").status_code == 404


def test_report_and_berichte_page_show_the_years_result_in_december(clients):
    # K2: 24,0 % in December 2016 against 25,0 % → verfehlt; in June the path status stays
    html = _text(clients["traeger"].get("/berichte/2016-12?format=html").text)
    assert "verfehlt Zielpfad:" in html
    assert "verfehlt Zielpfad:" not in _text(clients["traeger"].get("/berichte/2016-06?format=html").text)
    page = _text(clients["controlling"].get("/berichte?monat=2016-12").text)
    assert re.search(r"Integrationsquote[^:]*: Abweichung [^(]*\(verfehlt\)", page), page


@pytest.mark.parametrize("role", ALL_ROLES)
def test_login_lands_on_the_roles_start_page_which_answers(app, role):
    c = TestClient(app, base_url="https://testserver")
    r = login(c, ROLE_USER[role])
    assert r.status_code == 303 and r.headers["location"] == LANDING[role]
    assert c.get(LANDING[role]).status_code == 200
