"""Issue 12 through the web application: parallel logins, aggregated failed-login audit, trusted
proxies, separation of duties (tokens, one-time passwords, admin and person pages), password rules
and self-service change, and the two former 500s. The store side (hash chain, REPLACE refused) is in
``tests/store/test_hardening_store.py``."""

from __future__ import annotations

import os
import re
import threading
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from web_helpers import PASSWORD, audit_rows, build_app, csrf_of, login, own_token

from zielwerk.store import users
from zielwerk.store.models import ApiToken, User
from zielwerk.web import WebConfig, create_app
from zielwerk.web.security import client_address, parse_proxies

PG_URL = os.environ.get("ZIELWERK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app):
    with TestClient(app, base_url="https://testserver") as c:
        yield c


class CountingVerify:
    """Counts calls of the one password-verification function (thread-safe)."""

    def __init__(self, monkeypatch):
        self.calls = 0
        self._lock = threading.Lock()
        real = users.verify_password

        def counted(password, password_hash):
            with self._lock:
                self.calls += 1
            return real(password, password_hash)

        monkeypatch.setattr(users, "verify_password", counted)


def _parallel_logins(apps, pairs) -> list[int]:
    """POST the login form for each (username, password) at once (one thread each, started together)."""
    prepared = []
    for i, (name, password) in enumerate(pairs):
        c = TestClient(apps[i % len(apps)], base_url="https://testserver")  # no lifespan per client
        page = c.get("/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        prepared.append((c, {"username": name, "password": password, "csrf_token": token}))
    barrier = threading.Barrier(len(prepared))
    statuses: list[int] = []
    lock = threading.Lock()

    def go(c, form):
        barrier.wait()
        r = c.post("/anmelden", data=form, follow_redirects=False)
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=go, args=p) for p in prepared]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c, _ in prepared:
        c.close()
    return statuses


# --- point 3: throttling cannot be raced ---------------------------------------------------------

def test_30_parallel_wrong_passwords_for_one_user_are_checked_exactly_5_times(app, monkeypatch):
    verify = CountingVerify(monkeypatch)
    statuses = _parallel_logins([app], [("gf", "falsch-falsch")] * 30)
    assert verify.calls == 5
    assert sorted(statuses) == [401] * 5 + [429] * 25


def test_40_parallel_logins_from_one_client_are_checked_exactly_20_times(app, monkeypatch):
    verify = CountingVerify(monkeypatch)
    # 40 different (unknown) account names: only the client counter (4 × 5 = 20) can stop them
    statuses = _parallel_logins([app], [(f"niemand{i}", "falsch-falsch") for i in range(40)])
    assert verify.calls == 20
    assert sorted(statuses) == [401] * 20 + [429] * 20


def test_two_workers_on_one_database_share_the_counters(tmp_path, monkeypatch):
    """Two app instances (as two worker processes would be) on the same SQLite file."""
    first = build_app(tmp_path)
    second = create_app(WebConfig(data_dir=tmp_path))
    try:
        verify = CountingVerify(monkeypatch)
        statuses = _parallel_logins([first, second], [("controlling", "falsch-falsch")] * 20)
        assert verify.calls == 5 and statuses.count(429) == 15
    finally:
        first.state.engine.dispose()
        second.state.engine.dispose()


def test_failed_logins_are_aggregated_in_the_audit_log(app, client):
    for _ in range(5):
        assert login(client, "traeger", "falsch-falsch").status_code == 401
    for _ in range(12):
        assert login(client, "traeger", "falsch-falsch").status_code == 429
    rows = audit_rows(app, username="traeger", action="login")
    # one row for the first failure, one for the first refusal and one for the 10th refusal — not 17
    assert [(r.outcome, r.after["fehlversuche_im_zeitfenster"]) for r in rows] == [
        ("failed", 1), ("denied", 1), ("denied", 10)]


def test_successful_login_names_the_failures_before_it(app, client):
    for _ in range(3):
        login(client, "gf", "falsch-falsch")
    assert login(client, "gf").status_code == 303
    row = audit_rows(app, username="gf", action="login", outcome="ok")[-1]
    assert row.after == {"fehlversuche_vorher": 3}
    # the account counter restarted: five more failures are possible before the lock
    for _ in range(5):
        assert login(client, "gf", "falsch-falsch").status_code == 401
    assert login(client, "gf").status_code == 429


@pytest.mark.postgres
def test_parallel_logins_on_postgresql(tmp_path, monkeypatch):
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"zielwerk_hard_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    app = build_app(tmp_path, db_url=make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    try:
        assert app.state.engine.dialect.name == "postgresql"
        verify = CountingVerify(monkeypatch)
        statuses = _parallel_logins([app], [("gf", "falsch-falsch")] * 30)
        assert verify.calls == 5 and statuses.count(429) == 25
        from zielwerk.store.audit import verify_chain

        with app.state.sessions() as s:
            assert verify_chain(s).ok
    finally:
        app.state.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.slow
def test_parallel_logins_against_two_uvicorn_workers(tmp_path):
    """A real server with two worker processes, started like ``zielwerk serve --worker 2`` does; every
    request also carries a forged ``X-Forwarded-For`` (the peer is 127.0.0.1, no proxy configured).
    401 = the password was checked; 429 = refused before the check."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    build_app(tmp_path).state.engine.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # the launch path of ``zielwerk serve --worker 2`` (zielwerk/serve.py)
    code = ("from pathlib import Path; from zielwerk.serve import serve; "
            f"serve(Path({str(tmp_path)!r}), '', '127.0.0.1', {port}, True, 2)")
    env = dict(os.environ)
    env.pop("ZIELWERK_TRUSTED_PROXIES", None)
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(base + "/anmelden", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.time() < deadline, "server did not start"
            time.sleep(0.5)

        def run(pairs):
            prepared = []
            for name, password in pairs:
                page = httpx.get(base + "/anmelden", timeout=30)
                token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
                prepared.append({"username": name, "password": password, "csrf_token": token})
            barrier = threading.Barrier(len(prepared))
            statuses: list[int] = []
            lock = threading.Lock()

            def go(i, form):
                barrier.wait()
                r = httpx.post(base + "/anmelden", data=form, timeout=120,
                               headers={"Cookie": f"zw_login_csrf={form['csrf_token']}",
                                        "X-Forwarded-For": f"198.51.100.{i}"})
                with lock:
                    statuses.append(r.status_code)

            threads = [threading.Thread(target=go, args=(i, f)) for i, f in enumerate(prepared)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return sorted(statuses)

        assert run([("gf", "falsch-falsch")] * 30) == [401] * 5 + [429] * 25
        # every try above counted on the address 127.0.0.1 (30 > 20): tries of other accounts are refused
        # unchecked — had the forged header been believed, each would have had a fresh address (401)
        assert run([(f"niemand{i}", "falsch-falsch") for i in range(10)]) == [429] * 10
    finally:
        proc.terminate()
        proc.wait(20)


def test_admin_checks_the_audit_chain_on_the_audit_page(app, client):
    login(client, "admin")
    r = client.get("/verwaltung/protokoll?pruefen=1")
    assert r.status_code == 200 and "Protokoll unverändert" in r.text
    with app.state.engine.begin() as conn:  # an attacker with database access edits the first login row
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        first = conn.execute(text("SELECT min(id) FROM audit_log WHERE action = 'login'")).scalar()
        conn.execute(text("UPDATE audit_log SET username = 'jemand' WHERE id = :i"), {"i": first})
    r = client.get("/verwaltung/protokoll?pruefen=1")
    assert f"erster fehlerhafter Eintrag #{first}" in r.text
    assert audit_rows(app, action="audit.verify")[-1].after["erster_fehler"] == first


# --- point 5: X-Forwarded-For only from configured proxies -----------------------------------------

def _login_client_field(app, headers) -> str:
    with TestClient(app, base_url="https://testserver", client=("127.0.0.1", 50000)) as c:
        page = c.get("/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        c.post("/anmelden", data={"username": "gf", "password": PASSWORD, "csrf_token": token},
               headers=headers, follow_redirects=False)
    return audit_rows(app, username="gf", action="login")[-1].client


def test_x_forwarded_for_is_ignored_by_default(app):
    assert app.state.config.trusted_proxies == ()
    assert _login_client_field(app, {"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"


def test_forged_x_forwarded_for_does_not_escape_the_client_throttle(app, monkeypatch):
    verify = CountingVerify(monkeypatch)
    with TestClient(app, base_url="https://testserver", client=("127.0.0.1", 50000)) as c:
        page = c.get("/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        for i in range(25):
            c.post("/anmelden", data={"username": f"n{i}", "password": "x" * 12, "csrf_token": token},
                   headers={"X-Forwarded-For": f"198.51.100.{i}"}, follow_redirects=False)
    assert verify.calls == 20


def test_x_forwarded_for_is_honoured_from_a_configured_proxy(tmp_path):
    app = build_app(tmp_path)
    app.state.config = WebConfig(data_dir=tmp_path, trusted_proxies=("127.0.0.1",))
    try:
        # the client may prepend anything; the proxy appends the address it saw (the rightmost entry)
        assert _login_client_field(app, {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}) == "203.0.113.9"
    finally:
        app.state.engine.dispose()


def test_client_address_rules():
    proxies = parse_proxies(["10.0.0.0/24", "::1"])
    assert client_address("10.0.0.5", ["198.51.100.7"], proxies) == "198.51.100.7"
    assert client_address("10.0.0.5", ["1.1.1.1, 198.51.100.7, 10.0.0.9"], proxies) == "198.51.100.7"
    assert client_address("192.0.2.1", ["198.51.100.7"], proxies) == "192.0.2.1"  # not a proxy
    assert client_address("10.0.0.5", ["kein-ip"], proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", [], proxies) == "10.0.0.5"
    assert client_address("10.0.0.5", ["198.51.100.7"], ()) == "10.0.0.5"  # default: none trusted
    with pytest.raises(ValueError, match="keine IP-Adresse"):
        WebConfig(data_dir=".", trusted_proxies=("proxy.example",))


def test_trusted_proxies_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ZIELWERK_TRUSTED_PROXIES", "10.0.0.1, 10.0.1.0/24")
    assert WebConfig(data_dir=tmp_path).trusted_proxies == ("10.0.0.1", "10.0.1.0/24")
    monkeypatch.delenv("ZIELWERK_TRUSTED_PROXIES")
    assert WebConfig(data_dir=tmp_path).trusted_proxies == ()


# --- point 6: separation of duties -----------------------------------------------------------------

def _tokens_of(app, username) -> list:
    with app.state.sessions() as s:
        return list(s.scalars(select(ApiToken).join(User).where(User.username == username)))


def test_admin_cannot_mint_a_token_for_another_user(app, client):
    login(client, "admin")
    r = client.post("/verwaltung/benutzer/gf/token", data={"label": "x", "csrf_token": csrf_of(client, "/verwaltung")},
                    follow_redirects=False)
    assert r.status_code == 403 and "Berechtigung" in r.text
    assert _tokens_of(app, "gf") == []
    assert audit_rows(app, username="admin", action="token.issue")[-1].outcome == "denied"
    assert "/token" not in client.get("/verwaltung").text  # no such button any more


def test_owner_makes_own_token_and_revokes_it(app, client):
    login(client, "gf")
    token = own_token(client, "Skript")
    with TestClient(app, base_url="https://testserver") as api:
        assert api.get("/api/meta", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        row = _tokens_of(app, "gf")[0]
        assert row.label == "Skript" and token not in row.token_sha256
        assert "zw_" not in client.get("/konto").text  # shown only once
        r = client.post(f"/konto/token/{row.id}/widerrufen", data={"csrf_token": csrf_of(client, "/konto")},
                        follow_redirects=False)
        assert r.status_code == 303
        assert api.get("/api/meta", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert [r.action for r in audit_rows(app, username="gf") if r.action.startswith("token")] == [
        "token.issue", "token.revoke"]


def test_a_user_cannot_revoke_someone_elses_token(app, client):
    with app.state.sessions.begin() as s:
        users.issue_token(s, users.by_name(s, "gf"), "gf")
    row = _tokens_of(app, "gf")[0]
    login(client, "controlling")
    r = client.post(f"/konto/token/{row.id}/widerrufen", data={"csrf_token": csrf_of(client, "/konto")})
    assert r.status_code == 404
    assert len(_tokens_of(app, "gf")) == 1


def test_admin_cannot_read_person_pages(app, client):
    login(client, "admin")
    assert client.get("/fallsteuerung/person/P1", follow_redirects=False).status_code == 403
    assert client.get("/fallsteuerung", follow_redirects=False).status_code == 403


def _create(client, username, role="controlling", password="Start-Kennung-4711", **extra):
    return client.post("/verwaltung/benutzer", data={
        "username": username, "password": password, "role": role, "csrf_token": csrf_of(client, "/verwaltung"),
        **extra}, follow_redirects=False)


def test_new_account_has_a_one_time_password_that_must_be_changed(app, client):
    login(client, "admin")
    assert _create(client, "neu.controlling", jobcenter_id="JC1").status_code == 303
    create = audit_rows(app, action="user.create")[-1]
    assert create.username == "admin" and create.after["einmalpasswort"] is True
    with TestClient(app, base_url="https://testserver") as new:
        r = login(new, "neu.controlling", "Start-Kennung-4711")
        assert r.status_code == 303 and r.headers["location"] == "/konto/passwort"
        # nothing else is reachable, person pages included, until the password is changed
        for path in ("/", "/kennzahlen", "/fallsteuerung/person/P1", "/konto"):
            r = new.get(path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/konto/passwort", path
        page = new.get("/konto/passwort")
        assert page.status_code == 200 and "Einmal-Passwort" in page.text
        token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
        r = new.post("/konto/passwort", data={"old": "Start-Kennung-4711", "new": "Eigenes-Passwort-2026",
                                              "repeat": "Eigenes-Passwort-2026", "csrf_token": token},
                     follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        assert new.get("/fallsteuerung/person/P1").status_code == 200
    assert audit_rows(app, username="neu.controlling", action="password.change")[-1].after == {
        "einmalpasswort_ersetzt": True}
    # the one-time password is gone
    with TestClient(app, base_url="https://testserver") as again:
        assert login(again, "neu.controlling", "Start-Kennung-4711").status_code == 401


def test_refused_account_creation_is_audited(app, client):
    login(client, "admin")
    r = _create(client, "schwach", password="1234567890")
    assert r.status_code == 422 and "zu leicht zu erraten" in r.text
    row = audit_rows(app, action="user.create")[-1]
    assert row.outcome == "failed" and row.object_id == "schwach"


# --- point 7: password rules and self-service change -------------------------------------------------

@pytest.mark.parametrize("password, message", [
    ("aaaaaaaaaa", "einzigen, wiederholten Zeichen"),
    ("1234567890", "zu leicht zu erraten"),
    ("          ", "nur aus Leerzeichen"),
    ("neu.benutzer", "nicht der Benutzername"),
])
def test_weak_first_passwords_are_refused_in_german(client, password, message):
    login(client, "admin")
    r = _create(client, "neu.benutzer", password=password)
    assert r.status_code == 422 and message in r.text


def _change(c, old, new, repeat=None):
    return c.post("/konto/passwort", data={"old": old, "new": new, "repeat": new if repeat is None else repeat,
                                           "csrf_token": csrf_of(c, "/konto")}, follow_redirects=False)


def test_self_service_password_change(app, client):
    login(client, "kommune")
    assert _change(client, "falsch-falsch", "Neues-Kennwort-77").status_code == 422
    r = _change(client, PASSWORD, "kommune")
    assert r.status_code == 422 and "Benutzername" in r.text
    r = _change(client, PASSWORD, "Neues-Kennwort-77", "Neues-Kennwort-78")
    assert r.status_code == 422 and "stimmen nicht überein" in r.text
    r = _change(client, PASSWORD, "Neues-Kennwort-77")
    assert r.status_code == 303 and r.headers["location"] == "/konto?geaendert=1"
    assert "Ihr Passwort wurde geändert" in client.get("/konto?geaendert=1").text
    outcomes = [r.outcome for r in audit_rows(app, username="kommune", action="password.change")]
    assert outcomes == ["failed", "failed", "failed", "ok"]
    with TestClient(app, base_url="https://testserver") as other:
        assert login(other, "kommune", PASSWORD).status_code == 401
        assert login(other, "kommune", "Neues-Kennwort-77").status_code == 303


def test_password_change_needs_the_csrf_token(client):
    login(client, "gf")
    r = client.post("/konto/passwort", data={"old": PASSWORD, "new": "Neues-Kennwort-77",
                                             "repeat": "Neues-Kennwort-77"}, follow_redirects=False)
    assert r.status_code == 403


def test_wrong_old_passwords_are_throttled(client, monkeypatch):
    login(client, "gf")
    verify = CountingVerify(monkeypatch)
    for _ in range(8):
        _change(client, "falsch-falsch", "Neues-Kennwort-77")
    assert verify.calls == 5
    assert _change(client, PASSWORD, "Neues-Kennwort-77").status_code == 429


def test_password_change_ends_other_sessions(app, client):
    with TestClient(app, base_url="https://testserver") as other:
        assert login(other, "controlling").status_code == 303
        login(client, "controlling")
        assert _change(client, PASSWORD, "Neues-Kennwort-77").status_code == 303
        assert other.get("/", follow_redirects=False).status_code == 303  # to the login page
        assert client.get("/", follow_redirects=False).status_code == 200


# --- point 8: former 500s ------------------------------------------------------------------------

def test_huge_audit_page_number_is_a_german_404(client):
    login(client, "admin")
    r = client.get("/verwaltung/protokoll?seite=99999999999999999999")
    assert r.status_code == 404 and "Diese Seite des Protokolls gibt es nicht" in r.text
    assert client.get("/verwaltung/protokoll?seite=-5").status_code == 200


def test_overlong_folder_name_is_a_german_422(client):
    login(client, "controlling")
    r = client.post("/daten/ordner", data={"folder": "a" * 5000, "csrf_token": csrf_of(client, "/daten")})
    assert r.status_code == 422 and "zu lang" in r.text
    r = client.post("/daten/ordner", data={"folder": "x/" + "b" * 300, "csrf_token": csrf_of(client, "/daten")})
    assert r.status_code == 422 and "zu lang" in r.text
