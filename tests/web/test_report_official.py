"""Issue 14 item 5: the monthly report of an agreement on the official series (``reihe = "amtlich"``) on an
instance without computed own figures (no dataset, no generation): rendered from the official figures of
the store (HTML, PDF, Excel), sections needing person-level data left out with a German note; an
agreement on the own series gets a clear 409 there.

Official figures: ``web_helpers.official_rows`` (JC1 K2, sex all, September 2016: numerator
round(1000 · 0.20) = 200 of 1000 → 20,0 %; the agreement's K2 target is 25,0 %).
"""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import AGREEMENT_TOML, USERS, _password_hash, insert_official, login, official_rows

from zielwerk.web import WebConfig, create_app

OFFICIAL_TOML = AGREEMENT_TOML.replace("version = 1\n", 'version = 1\nreihe = "amtlich"\n', 1)


def _app(data_dir, document: str):
    """An app on an empty data folder (no results generation) with the official figures in its store."""
    from zielwerk.store import agreements
    from zielwerk.store.models import User

    app = create_app(WebConfig(data_dir=data_dir))
    with app.state.sessions.begin() as s:
        for name in ("controlling", "kommune"):
            role, scope = USERS[name]
            s.add(User(username=name, full_name=name.title(), password_hash=_password_hash(), role=role, **scope))
        agreements.create(s, key="testkreis-2016", title="Zielvereinbarung 2016 Testkreis", jobcenter_id="JC1",
                          year=2016, document=document, created_by="controlling")
        insert_official(s, official_rows())
    return app


@pytest.fixture
def official_app(tmp_path):
    app = _app(tmp_path / "daten", OFFICIAL_TOML)
    yield app
    app.state.engine.dispose()


def _client(app, user: str = "controlling") -> TestClient:
    c = TestClient(app, base_url="https://testserver")
    assert login(c, user).status_code == 303
    return c


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_from_official_figures_without_own_data(official_app):
    assert official_app.state.results.meta() is None  # really no computed own figures
    c = _client(official_app)
    page = c.get("/berichte")
    assert page.status_code == 200
    # the months offered are the published ones of 2016 (January to September), newest first
    assert re.findall(r'<option value="(2016-\d\d)"', page.text)[:2] == ["2016-09", "2016-08"]
    assert '<option value="2016-10"' not in page.text

    html = c.get("/berichte/2016-09?format=html")
    assert html.status_code == 200, html.text[:300]
    text = _text(html.text)
    assert "Datengrundlage: amtliche Statistik der BA" in text
    # K2 row of the overview: target 25,0 %, actual 200 / 1000 = 20,0 %
    assert re.search(r"Integration verbessern K2 25,0 % 20,0 %", text), text[:2000]
    assert "Keine personenbezogenen Daten: der Abgleich mit eigenen Werten (Listen, Einzelfälle) entfällt." in text

    pdf = c.get("/berichte/2016-09?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    pdf_text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "Datengrundlage: amtliche Statistik der BA" in pdf_text
    assert re.search(r"K2 25,0 % 20,0 %", pdf_text), pdf_text[:2000]
    assert "Keine personenbezogenen Daten" in pdf_text

    xlsx = c.get("/berichte/2016-09?format=xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content))["Übersicht"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True) if r and r[1]}
    assert rows["K2"][4] == pytest.approx(25.0) and rows["K2"][5] == pytest.approx(20.0)
    texts = [r[0] for r in ws.iter_rows(values_only=True) if r and isinstance(r[0], str)]
    assert "Datengrundlage: amtliche Statistik der BA" in texts
    # cached under the official figures' state (no generation): a second request is the same bytes
    assert c.get("/berichte/2016-09?format=xlsx").content == xlsx.content
    cache = official_app.state.config.data_dir / ".zielwerk" / "report-cache"
    assert [p.name[:2] for p in cache.iterdir()] == ["o-"]


def test_reimport_changes_the_cached_report(official_app):
    from zielwerk.store.models import OfficialFigure

    c = _client(official_app)
    before = _text(c.get("/berichte/2016-09?format=html").text)
    assert re.search(r"K2 25,0 % 20,0 %", before)
    with official_app.state.sessions.begin() as s:  # a corrected September: 230 of 1000 = 23,0 %
        s.query(OfficialFigure).filter_by(jobcenter_id="JC1", month="2016-09", indicator="K2", sex="all").delete()
        insert_official(s, [{**r, "numerator": 230.0, "value": 23.0} for r in official_rows()
                            if (r["jobcenter_id"], r["month"], r["indicator"], r["sex"]) == ("JC1", "2016-09", "K2", "all")])
    after = _text(c.get("/berichte/2016-09?format=html").text)
    assert re.search(r"K2 25,0 % 23,0 %", after), after[:1500]


def test_month_without_official_figures_and_role_without_reports(official_app):
    c = _client(official_app)
    assert c.get("/berichte/2016-10?format=html").status_code == 404  # not yet published
    assert _client(official_app, "kommune").get("/berichte/2016-09?format=pdf").status_code == 403


def test_own_series_agreement_without_own_figures_gets_a_clear_409(tmp_path):
    app = _app(tmp_path / "daten", AGREEMENT_TOML)
    try:
        c = _client(app)
        for fmt in ("html", "pdf", "xlsx"):
            r = c.get(f"/berichte/2016-09?format={fmt}")
            assert r.status_code == 409, (fmt, r.status_code)
            assert "Es liegen noch keine berechneten Kennzahlen vor" in r.text
        assert c.get("/berichte").status_code == 200
    finally:
        app.state.engine.dispose()
