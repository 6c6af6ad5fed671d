"""The real pipeline: import the generated Siegen-Wittgenstein dataset through the Daten page; the
worker process computes indicators, the actual series, lists and case files as one generation, and the
pages show the example agreement's monitoring from it."""

from __future__ import annotations

import re
import time

import pytest
from fastapi.testclient import TestClient

from zielwerk.pipeline import generations as gen
from zielwerk.store import users
from zielwerk.web import WebConfig, create_app
from zielwerk.web.provision import EXAMPLE_AGREEMENT, EXAMPLE_KEY, load_agreement_file

pytestmark = pytest.mark.slow


def test_import_siegen_and_monitor_the_example_agreement(tmp_path, siegen_dir):
    app = create_app(WebConfig(data_dir=tmp_path / "daten", import_root=siegen_dir.parent))
    assert load_agreement_file(app.state.sessions, EXAMPLE_AGREEMENT, EXAMPLE_KEY)
    with app.state.sessions.begin() as s:
        users.create_user(s, "ctrl", "lang-genug-123", "controlling")
    c = TestClient(app, base_url="https://testserver")
    page = c.get("/anmelden").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    c.post("/anmelden", data={"username": "ctrl", "password": "lang-genug-123", "csrf_token": token})
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/daten").text).group(1)
    r = c.post("/daten/ordner", data={"folder": str(siegen_dir), "csrf_token": csrf})
    assert r.status_code == 202 and "Läuft" in r.text
    deadline = time.time() + 600
    while app.state.batch.running and time.time() < deadline:
        time.sleep(0.5)
    assert app.state.batch.error is None, (app.state.batch.error, app.state.batch.problems[:5])
    meta = app.state.results.meta()
    data = tmp_path / "daten"
    assert meta["generation"] == gen.live_id(data) == app.state.batch.generation
    assert gen.check(data)["consistent"]
    assert meta["last_month"] == meta["as_of"][:7]
    assert len(meta["provisional_months"]) == 3
    series = app.state.results.series()
    assert set(series) == {"05970"}
    overview = c.get("/").text
    for status in re.findall(r'<tr class="status-([^"]+)"', overview):
        # status classes of the Überblick (overview.STATUS_CLASS: ok/warn/bad, info for monitoring only)
        assert status in ("ok", "warn", "bad", "info", "im-Plan", "gefährdet", "nicht-im-Plan", "Beobachtung",
                          "keine-Daten"), status
    assert overview.count('<tr class="status-') >= 5
    assert 'id="ueberblick-chart"' in overview or 'class="spark"' in overview  # a chart of the actual series
    k = c.get("/kennzahlen?k=K3&einheit=jobcenter:05970").text
    assert "Veränderung" in k
    r = c.get("/berichte/2016-12?format=pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert meta["lists_error"] is None
    lists = c.get("/fallsteuerung/listen").text
    assert "LZB-Prävention" in lists and "Fallbelastung je Fachkraft" in lists
    assert c.get("/fallsteuerung/listen/lzb-praevention").status_code == 200
    # the batch wrote the case files: a person of the caseload gets the full case view
    assert meta["caseview_error"] is None
    pid = app.state.results.caseload()["person_id"][0].as_py()
    person = c.get(f"/fallsteuerung/person/{pid}").text
    assert "Leistungsbezug (Zeiträume)" in person and "Handlungsbedarfe" in person
    assert "Falldaten sind noch nicht berechnet" not in person
    app.state.engine.dispose()
