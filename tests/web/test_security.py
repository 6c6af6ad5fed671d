"""Login, sessions, cookies, CSRF, throttling, security headers, no open redirect."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from web_helpers import PASSWORD, audit_rows, build_app, csrf_of, login, own_token

from zielwerk.web.security import CSP


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def test_login_sets_secure_httponly_strict_cookie_and_lands_by_role(client):
    r = login(client, "fm1")
    assert r.status_code == 303 and r.headers["location"] == "/fallsteuerung/heute"  # issue 13 item 5
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("zw_session=")).lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    assert len(cookie.split(";")[0].split("=")[1]) >= 40  # random session id, no user data


def test_wrong_password_is_refused_and_audited(app, client):
    r = login(client, "gf", "falsches-passwort")
    assert r.status_code == 401 and "falsch" in r.text
    assert audit_rows(app, username="gf", action="login")[-1].outcome == "failed"


def test_login_throttled_after_five_failures_even_with_right_password(app, client):
    for _ in range(5):
        assert login(client, "traeger", "falsch-falsch").status_code == 401
    r = login(client, "traeger", PASSWORD)
    assert r.status_code == 429 and "Zu viele Fehlversuche" in r.text
    assert audit_rows(app, username="traeger", action="login")[-1].outcome == "denied"
    # another user is not affected
    assert login(client, "kommune").status_code == 303


def test_throttle_window_expires(app, client):
    from sqlalchemy import update

    from zielwerk.store.models import LoginCounter, utcnow

    for _ in range(5):
        login(client, "traeger", "falsch-falsch")
    assert login(client, "traeger").status_code == 429
    with app.state.sessions.begin() as s:
        s.execute(update(LoginCounter).values(window_start=utcnow() - timedelta(minutes=16)))
    assert login(client, "traeger").status_code == 303


def test_login_form_requires_its_csrf_token(client):
    client.get("/anmelden")
    r = client.post("/anmelden", data={"username": "gf", "password": PASSWORD, "csrf_token": "falsch"})
    assert r.status_code == 400 and "abgelaufen" in r.text


def _versions(app) -> list:
    from sqlalchemy import select

    from zielwerk.store.models import AgreementVersion

    with app.state.sessions() as s:
        return list(s.scalars(select(AgreementVersion).order_by(AgreementVersion.id)))


def test_state_change_without_csrf_token_is_refused(app, client):
    login(client, "controlling")
    versions = _versions(app)
    form = {"document": versions[-1].document.replace("wert = 25.0", "wert = 26.0"), "reason": "Test"}
    r = client.post("/zielvereinbarung/testkreis-2016/bearbeiten", data=form, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/zielvereinbarung/testkreis-2016/bearbeiten", data={**form, "csrf_token": "x" * 43},
                    follow_redirects=False)
    assert r.status_code == 403
    assert len(_versions(app)) == len(versions)
    r = client.post("/zielvereinbarung/testkreis-2016/bearbeiten", data={**form, "csrf_token": csrf_of(client)},
                    follow_redirects=False)
    assert r.status_code == 303
    assert len(_versions(app)) == len(versions) + 1


def test_htmx_header_token_is_accepted_for_state_changes(client):
    login(client, "admin")
    token = csrf_of(client, "/verwaltung")
    r = client.post("/verwaltung/benutzer/gf/aktiv", data={"active": "0"}, headers={"X-CSRF-Token": token},
                    follow_redirects=False)
    assert r.status_code == 303


def test_logout_ends_the_session_server_side(client):
    login(client, "gf")
    old_cookie = client.cookies.get("zw_session")
    token = csrf_of(client, "/")
    assert client.post("/abmelden", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set("zw_session", old_cookie, domain="testserver")
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/anmelden")


def test_locked_user_loses_session_and_cannot_log_in(app, client):
    with TestClient(app, base_url="https://testserver") as victim:
        assert login(victim, "traeger").status_code == 303
        login(client, "admin")
        token = csrf_of(client, "/verwaltung")
        client.post("/verwaltung/benutzer/traeger/aktiv", data={"active": "0", "csrf_token": token})
        assert victim.get("/", follow_redirects=False).status_code == 303
        assert login(victim, "traeger").status_code == 401


def test_security_headers_on_pages_and_static(client):
    for path in ("/anmelden", "/static/style.css"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in client.get("/anmelden").headers["cache-control"]
    assert "cdn" not in CSP and "http" not in CSP and "'unsafe-inline'" not in CSP.split("script-src")[1].split(";")[0]


def test_pages_have_no_inline_script_and_no_external_assets(client):
    login(client, "controlling")
    for path in ("/", "/kennzahlen", "/zielvereinbarung/testkreis-2016", "/daten", "/berichte"):
        html = client.get(path).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r'(src|href)="(https?:)?//', html), path
        assert " on" not in re.sub(r'"[^"]*"', "", " ".join(re.findall(r"<[^>]+>", html))).lower().replace(
            " one", ""), path


def test_no_open_redirect_after_login(client):
    r = login(client, "gf", next="https://evil.example/")
    assert r.headers["location"] == "/"
    r = login(client, "gf", next="//evil.example/")
    assert r.headers["location"] == "/"
    r = login(client, "gf", next="/kennzahlen?k=K3")
    assert r.headers["location"] == "/kennzahlen?k=K3"


def test_api_token_authentication(app, client):
    login(client, "traeger")  # a token is made by its owner (issue 12)
    token = own_token(client, "Test")
    with TestClient(app, base_url="https://testserver") as api:
        assert api.get("/api/zielvereinbarungen").status_code == 401
        r = api.get("/api/zielvereinbarungen", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()[0]["key"] == "testkreis-2016"
        r = api.get("/api/zielvereinbarungen", headers={"Authorization": "Bearer zw_falsch"})
        assert r.status_code == 401
        # token users are bound by their role: traeger may not change the agreement
        r = api.post("/api/zielvereinbarungen/testkreis-2016/fassungen", json={"document": "", "reason": "x"},
                     headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403


def test_api_post_with_session_cookie_needs_csrf_header(client):
    login(client, "controlling")
    r = client.post("/api/zielvereinbarungen/testkreis-2016/fassungen", json={"document": "x", "reason": "y"})
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/kennzahlen" in doc["paths"] and "/api/zielvereinbarungen/{key}/fassungen" in doc["paths"]
