"""Issue 12 in the store, on SQLite and PostgreSQL: the hash-chained audit log refuses REPLACE, upserts
and forged rows and detects edited, deleted and re-ordered rows; login counters are atomic under
parallel writers; password rules."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from zielwerk.store import audit, open_store, passwords, throttle, users
from zielwerk.store.models import utcnow


@pytest.fixture
def store(store_url):
    engine, Session = open_store(store_url)
    yield engine, Session
    engine.dispose()


def _write(Session, n: int, who: str = "anna") -> None:
    with Session.begin() as s:
        for i in range(n):
            audit.record(s, username=who, action="test", object_id=str(i), after={"i": i, "text": "Größe"})


def _lift_guards(engine) -> None:
    """What an attacker with database access does first: remove the append-only triggers."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_chain_insert",
                         "audit_chain_head_update"):
                conn.execute(text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_chain_head DISABLE TRIGGER USER"))


def _check(Session) -> audit.ChainCheck:
    with Session() as s:
        return audit.verify_chain(s)


def test_chain_is_sha256_over_canonical_json_of_the_fields(store):
    """The first row's hash recomputed by hand from its stored columns (independent of audit.py)."""
    engine, Session = store
    _write(Session, 2)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, at, username, role, action, object_type, object_id, outcome, "
                                 "before, after, client, prev_hash, row_hash FROM audit_log ORDER BY id")).all()
    first = rows[0]
    if isinstance(first.at, str):  # SQLite: the stored text, UTC
        at = first.at.replace(" ", "T")
    else:  # PostgreSQL: an aware datetime, expressed in UTC
        at = first.at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    after = first.after if isinstance(first.after, dict) else json.loads(first.after)
    fields = {"id": 1, "at": at, "username": "anna", "role": "", "action": "test",
              "object_type": "", "object_id": "0", "outcome": "ok", "before": None, "after": after,
              "client": "", "prev_hash": "0" * 64}
    assert after == {"i": 0, "text": "Größe"}
    expected = hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False,
                                         separators=(",", ":")).encode()).hexdigest()
    assert first.row_hash == expected
    assert rows[1].prev_hash == first.row_hash
    assert _check(Session).ok


def test_replace_into_and_insert_or_replace_are_refused_on_sqlite(store):
    engine, Session = store
    if engine.dialect.name != "sqlite":
        pytest.skip("REPLACE is SQLite syntax (the upsert test covers PostgreSQL)")
    _write(Session, 3)
    cols = "(id, at, username, role, action, object_type, object_id, outcome, client, prev_hash, row_hash)"
    vals = "(1, '2016-01-01 00:00:00.000000', 'mallory', '', 'login', '', '', 'ok', '', '', '')"
    for verb in ("REPLACE INTO", "INSERT OR REPLACE INTO"):
        with pytest.raises(DBAPIError, match="only the next row"), engine.begin() as conn:
            conn.execute(text(f"{verb} audit_log {cols} VALUES {vals}"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT username FROM audit_log WHERE id = 1")).scalar() == "anna"
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 3
    # the chain head cannot be replaced either
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("REPLACE INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, 'x')"))
    assert _check(Session).ok


def test_upsert_and_forged_rows_are_refused(store):
    engine, Session = store
    _write(Session, 3)
    cols = "(id, at, username, role, action, object_type, object_id, outcome, client, prev_hash, row_hash)"

    def vals(i, prev):
        return f"({i}, '2016-01-01 00:00:00', 'mallory', '', 'login', '', '', 'ok', '', '{prev}', '')"

    with pytest.raises(DBAPIError), engine.begin() as conn:  # upsert on an existing id
        conn.execute(text(f"INSERT INTO audit_log {cols} VALUES {vals(2, 'x')} "
                          "ON CONFLICT (id) DO UPDATE SET username = 'mallory'"))
    with pytest.raises(DBAPIError), engine.begin() as conn:  # a free id far ahead
        conn.execute(text(f"INSERT INTO audit_log {cols} VALUES {vals(1000, 'x')}"))
    with pytest.raises(DBAPIError), engine.begin() as conn:  # the next id, but not chained
        conn.execute(text(f"INSERT INTO audit_log {cols} VALUES {vals(4, '0' * 64)}"))
    with pytest.raises(DBAPIError), engine.begin() as conn:  # the head cannot be moved back
        conn.execute(text("UPDATE audit_chain_head SET last_id = 1"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log WHERE username = 'mallory'")).scalar() == 0
    assert _check(Session).ok


def test_chain_names_the_first_edited_row(store):
    engine, Session = store
    _write(Session, 6)
    _lift_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET object_id = 'geändert' WHERE id = 4"))
        conn.execute(text("UPDATE audit_log SET username = 'x' WHERE id = 5"))
    result = _check(Session)
    assert not result.ok and result.broken_id == 4 and "Inhalt" in result.reason and result.rows == 3


def test_chain_detects_deleted_rows_and_a_deleted_tail(store):
    engine, Session = store
    _write(Session, 5)
    _lift_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 5"))
    result = _check(Session)
    assert result.broken_id == 5 and "Ende" in result.reason
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 2"))
    result = _check(Session)
    assert result.broken_id == 2 and "fehlt" in result.reason


def test_parallel_writers_keep_the_chain_linear(store):
    _, Session = store
    errors = []

    def writer(k):
        try:
            for i in range(5):
                _write(Session, 1, who=f"w{k}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = _check(Session)
    assert result.ok and result.rows == 30 and result.last_id == 30


def test_parallel_login_counters_are_exact(store):
    """30 parallel reservations for one account: counts 1..30, each exactly once (5 of them allowed)."""
    _, Session = store
    barrier = threading.Barrier(30)
    got = []
    lock = threading.Lock()

    def attempt(i):
        barrier.wait()
        r = throttle.reserve(Session, "gf", f"10.0.0.{i}", limit=5, window=timedelta(minutes=15))
        with lock:
            got.append(r)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.account_count for r in got) == list(range(1, 31))
    assert sum(r.allowed for r in got) == 5


def test_counter_window_restarts_and_success_releases(store):
    _, Session = store
    now = utcnow()
    window = timedelta(minutes=15)
    for expected in (1, 2, 3):
        assert throttle.reserve(Session, "anna", "1.2.3.4", limit=5, window=window, now=now).account_count \
            == expected
    later = now + timedelta(minutes=16)
    r = throttle.reserve(Session, "anna", "1.2.3.4", limit=5, window=window, now=later)
    assert r.account_count == 1 and r.client_count == 1
    with Session.begin() as s:
        throttle.release(s, "anna", "1.2.3.4", later, window)
    with Session() as s:
        assert throttle.current(s, throttle.account_key("anna")) == 0
        assert throttle.current(s, throttle.client_key("1.2.3.4")) == 0


@pytest.mark.parametrize("count, due", [(1, True), (2, False), (9, False), (10, True), (11, False),
                                        (20, False), (100, True), (1000, True), (1001, False)])
def test_failed_logins_are_audited_at_1_10_100(count, due):
    assert throttle.audit_due(count) is due


@pytest.mark.parametrize("password, username, message", [
    ("aaaaaaaaaa", "anna", "wiederholten Zeichen"),
    ("1234567890", "anna", "zu leicht zu erraten"),
    ("          ", "anna", "Leerzeichen"),
    ("controlling", "controlling", "nicht der Benutzername"),
    ("Controlling1", "controlling", "Benutzernamen"),
    ("Passwort123!", "anna", "zu leicht zu erraten"),
    ("qwertzuiop", "anna", "zu leicht zu erraten"),
    ("kurz", "anna", "mindestens 10 Zeichen"),
])
def test_weak_passwords_are_refused_with_german_messages(password, username, message):
    with pytest.raises(passwords.WeakPassword, match=message):
        passwords.check(password, username)


@pytest.mark.parametrize("password", ["lang-genug-123", "korrekt Pferd Batterie", "gf-x8Kq_3LmA"])
def test_strong_passwords_pass(password):
    passwords.check(password, "gf")


def test_self_service_change_and_one_time_password(store):
    _, Session = store
    with Session.begin() as s:
        u = users.create_user(s, "bert.mueller", "Start-Kennung-4711", "controlling", one_time_password=True)
        assert u.must_change_password
    with Session.begin() as s:
        u = users.by_name(s, "bert.mueller")
        with pytest.raises(users.WrongPassword, match="bisherige Passwort ist falsch"):
            users.change_own_password(s, u, "falsch-falsch", "Neu-und-lang-9876", "Neu-und-lang-9876")
        with pytest.raises(users.UserError, match="stimmen nicht überein"):
            users.change_own_password(s, u, "Start-Kennung-4711", "Neu-und-lang-9876", "Neu-und-lang-9875")
        with pytest.raises(users.UserError, match="Benutzername"):
            users.change_own_password(s, u, "Start-Kennung-4711", "bert.mueller", "bert.mueller")
        users.change_own_password(s, u, "Start-Kennung-4711", "Neu-und-lang-9876", "Neu-und-lang-9876")
    with Session() as s:
        u = users.authenticate(s, "bert.mueller", "Neu-und-lang-9876")
        assert u is not None and not u.must_change_password


def test_migration_chains_rows_written_before_it(store_url):
    """A database at revision 0001 with audit rows: upgrading to head chains them in id order."""
    from zielwerk.store.db import make_engine, migrate

    engine = make_engine(store_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        for i in (1, 2, 3):
            conn.execute(text("INSERT INTO audit_log (id, at, username, role, action, object_type, object_id, "
                              "outcome, client) VALUES (:i, :at, 'alt', '', 'login', 'user', 'alt', 'ok', '')"),
                         {"i": i, "at": utcnow()})
    migrate(engine)
    from sqlalchemy.orm import Session as OrmSession

    with OrmSession(engine) as s:
        result = audit.verify_chain(s)
    assert result.ok and result.rows == 3
    with OrmSession(engine) as s, s.begin():
        assert audit.record(s, username="neu", action="x").id == 4
    with OrmSession(engine) as s:
        assert audit.verify_chain(s).rows == 4
    engine.dispose()


def test_cli_audit_pruefen_names_the_broken_row(store, store_url):
    from typer.testing import CliRunner

    from zielwerk.cli import app

    engine, Session = store
    _write(Session, 4)
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "pruefen", "--db", store_url])
    assert r.exit_code == 0, r.output
    assert "unverändert: 4 Einträge" in r.output
    anchor = r.output.strip().splitlines()[-1].split(": ", 1)[1]
    _lift_guards(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET outcome = 'denied' WHERE id = 3"))
    r = runner.invoke(app, ["audit", "pruefen", "--db", store_url, "--erwartet", anchor])
    assert r.exit_code == 1
    assert "erster fehlerhafter Eintrag #3" in r.output
