"""Non-finite and implausible target figures (issue 12, point 2).

Refused with a German message naming the field at every entry (TOML file, quick form, API); a
stored document that bypassed the validation never takes a page down: the affected target shows
its problem, the other targets are evaluated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

from web_helpers import AGREEMENT_TOML, build_app, csrf_of, login, own_token

from zielwerk.targets import AgreementFileInvalid, parse_agreement

BAD = ["inf", "nan", "1e308", "-1e308", "-inf"]
K3_LINE = "veraenderung_prozent = -2.0"
K2_LINE = "wert = 25.0"


def _doc(line: str, new: str) -> str:
    assert AGREEMENT_TOML.count(line) == 1
    return AGREEMENT_TOML.replace(line, new)


# --- the file format ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD)
def test_file_refuses_non_finite_and_absurd_change(bad):
    with pytest.raises(AgreementFileInvalid) as e:
        parse_agreement(_doc(K3_LINE, f"veraenderung_prozent = {bad}"))
    assert "veraenderung_prozent" in str(e.value)
    # the line of the field (the fixture's K3 change is on line 36)
    assert str(e.value).count("ziele.toml:") >= 1


@pytest.mark.parametrize("bad", BAD)
def test_file_refuses_non_finite_and_absurd_level(bad):
    with pytest.raises(AgreementFileInvalid) as e:
        parse_agreement(_doc(K2_LINE, f"wert = {bad}"))
    assert "'wert'" in str(e.value)


@pytest.mark.parametrize(("line", "value", "ok"), [
    # K2 is a quota: 0..100 %
    (K2_LINE, "wert = 100.0", True), (K2_LINE, "wert = 0.0", True),
    (K2_LINE, "wert = 100.5", False), (K2_LINE, "wert = -0.5", False),
    # relative change: -100 % (nothing left) .. +1000 %
    (K3_LINE, "veraenderung_prozent = -100.0", True), (K3_LINE, "veraenderung_prozent = 1000.0", True),
    (K3_LINE, "veraenderung_prozent = -100.1", False), (K3_LINE, "veraenderung_prozent = 1000.5", False),
])
def test_plausible_ranges_at_their_bounds(line, value, ok):
    doc = _doc(line, value)
    if ok:
        parse_agreement(doc)
    else:
        with pytest.raises(AgreementFileInvalid, match="zwischen"):
            parse_agreement(doc)


def test_counts_between_zero_and_ten_million():
    doc = AGREEMENT_TOML + """
[[ziele]]
id = "u25"
titel = "Ausbildung"
traeger = ["agentur"]
gesetzliches_ziel = "integration"

[[ziele.zielwerte]]
id = "u25a"
kennzahl = "U25_AUSB"
form = "absolut"
wert = {v}
"""
    parse_agreement(doc.format(v="10000000.0"))
    parse_agreement(doc.format(v="0"))
    for bad in ("10000001.0", "-1", "inf"):
        with pytest.raises(AgreementFileInvalid, match="'wert'"):
            parse_agreement(doc.format(v=bad))


def test_percentage_points_and_tolerance():
    doc = _doc(K3_LINE, "veraenderung_prozent = -2.0\ntoleranz = {t}")
    parse_agreement(doc.format(t="100.0"))
    for bad in ("0.0", "100.5", "nan"):
        with pytest.raises(AgreementFileInvalid, match="toleranz"):
            parse_agreement(doc.format(t=bad))
    pts = _doc(K2_LINE, "wert = 25.0").replace('form = "absolut"\nwert = 25.0',
                                                'form = "veraenderung_vorjahresmonat"\nveraenderung_punkte = {p}')
    parse_agreement(pts.format(p="-100.0"))
    with pytest.raises(AgreementFileInvalid, match="veraenderung_punkte"):
        parse_agreement(pts.format(p="100.5"))


# --- web: form and API ------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    app.state.engine.dispose()


def _client(app, user: str) -> TestClient:
    c = TestClient(app, base_url="https://testserver")
    assert login(c, user).status_code == 303
    return c


def _versions(app) -> int:
    from zielwerk.store import agreements

    with app.state.sessions() as s:
        return len(agreements.get(s, "testkreis-2016").versions)


@pytest.mark.parametrize("bad", ["inf", "nan", "1e308", "-1e308", "-150", "1.000.000,0"])
def test_quick_form_refuses_bad_change(app, bad):
    c = _client(app, "controlling")
    r = c.post("/zielvereinbarung/testkreis-2016/zielwert",
               data={"target_id": "k3", "change_pct": bad, "reason": "Test", "csrf_token": csrf_of(c)},
               follow_redirects=False)
    assert r.status_code == 422, r.text[:200]
    assert re.search(r"Veränderung in % \((&#39;|')veraenderung_prozent(&#39;|')\) muss (eine endliche Zahl sein|zwischen)",
                     r.text), r.text
    assert _versions(app) == 1
    # everything still renders
    for path in ("/", "/berichte/2016-09", "/api/monitoring"):
        assert c.get(path).status_code == 200, path


def test_quick_form_refuses_level_above_100_percent(app):
    c = _client(app, "controlling")
    r = c.post("/zielvereinbarung/testkreis-2016/zielwert",
               data={"target_id": "k2", "value": "1e308", "reason": "Test", "csrf_token": csrf_of(c)})
    assert r.status_code == 422 and "Zielwert" in r.text and "zwischen 0 und 100" in r.text
    assert _versions(app) == 1


def _api_token(app, client) -> str:
    return own_token(client, "Test")


@pytest.mark.parametrize("bad", ["inf", "nan", "-inf", "1e308", "-1e308"])
def test_api_refuses_non_finite_document(app, bad):
    c = _client(app, "controlling")
    token = _api_token(app, c)
    with TestClient(app, base_url="https://testserver") as api:
        r = api.post("/api/zielvereinbarungen/testkreis-2016/fassungen",
                     json={"document": _doc(K3_LINE, f"veraenderung_prozent = {bad}"), "reason": "Test"},
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 422, r.text
    assert "veraenderung_prozent" in r.text
    assert _versions(app) == 1


# --- a stored bad document ----------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["inf", "nan", "1e308", "-1e308"])
def test_stored_bad_document_shows_the_error_and_the_rest_renders(app, bad):
    """Inserted into the store directly (as an older version or another tool could have): every
    page answers 200; the K3 target names its problem, K2 is evaluated as before."""
    from zielwerk.store import agreements

    with app.state.sessions.begin() as s:
        a = agreements.get(s, "testkreis-2016")
        agreements.add_version(s, a, _doc(K3_LINE, f"veraenderung_prozent = {bad}"), reason="direkt",
                               created_by="controlling")
    gf = _client(app, "gf")
    r = gf.get("/api/monitoring")
    assert r.status_code == 200, r.text[:300]
    targets = {t["target"]: t for t in r.json()["targets"]}
    assert "veraenderung_prozent" in targets["k3"]["problem"]
    assert targets["k2"]["problem"] == "" and targets["k2"]["path"] == pytest.approx(25.0)
    page = gf.get("/")
    assert page.status_code == 200 and "Zielwert fehlerhaft" in page.text
    for fmt in ("", "?format=xlsx", "?format=pdf"):
        assert gf.get(f"/berichte/2016-09{fmt}").status_code == 200, fmt
    assert "Zielwert fehlerhaft" in gf.get("/berichte/2016-09?format=html").text
    ctrl = _client(app, "controlling")
    assert ctrl.get("/fallsteuerung/listen").status_code == 200
    assert ctrl.get("/fallsteuerung/listen/lzb-praevention").status_code == 200
    assert ctrl.get("/zielvereinbarung/testkreis-2016").status_code == 200
