"""Login throttling with atomic counters (issue 12, point 3).

Every login attempt first *reserves* a try on two counters — the account (``konto:<name>``) and the
client address (``client:<address>``) — with one statement per counter::

    INSERT INTO login_counters (key, n, window_start) VALUES (:key, 1, :now)
    ON CONFLICT (key) DO UPDATE SET n = CASE WHEN window_start < :since THEN 1 ELSE n + 1 END, …
    RETURNING n

committed at once, *before* the password hash is verified. The database serialises the upserts on one
key (SQLite: the write lock; PostgreSQL: the row lock), so of N parallel attempts exactly one sees
``n = 1``, one ``n = 2`` … in every worker process; only those with ``n ≤ limit`` go on to verify the
password. A successful login gives its reservation back (the account counter restarts, the client
counter goes down by one), so the counters count failed and refused tries within the window.

The window is fixed: it starts with the first counted try and lasts ``window``; after it the counter
starts again at 1.

Failed logins are audited aggregated (point 4): :func:`audit_failed_login` counts per (outcome,
account, client) in the same kind of counter and writes an audit row only when the count is 1, 10,
100, … (:func:`audit_due`), with the count in the row; the successful login's row names the failed
tries before it. An attacker from one address thus adds a handful of rows per window instead of one
row per try (``tests/web/test_hardening.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from . import audit
from .models import LoginCounter, utcnow

#: a client address may use this many times the per-account limit (several users behind one NAT)
CLIENT_FACTOR = 4


def account_key(username: str) -> str:
    return "konto:" + username.strip()[:80]


def client_key(client: str) -> str:
    return "client:" + client[:80]


def failure_key(outcome: str, username: str, client: str) -> str:
    return f"{outcome}:" + username.strip()[:80] + "|" + client[:80]


def _insert(dialect: str):
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"Drosselung für die Datenbank {dialect!r} nicht umgesetzt.")


def bump(session: Session, key: str, window: timedelta, now: datetime | None = None) -> tuple[int, datetime]:
    """Atomically add one to ``key`` (restarting an expired window) and return (count, window start)."""
    now = now or utcnow()
    since = now - window
    table = LoginCounter.__table__
    insert = _insert(session.get_bind().dialect.name)
    stmt = insert(table).values(key=key, n=1, window_start=now)
    expired = table.c.window_start < since
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"n": case((expired, literal(1)), else_=table.c.n + 1),
              "window_start": case((expired, stmt.excluded.window_start), else_=table.c.window_start)},
    ).returning(table.c.n, table.c.window_start)
    n, start = session.execute(stmt).one()
    return int(n), start


@dataclass(frozen=True)
class Reservation:
    """The outcome of :func:`reserve`: ``allowed`` = the password may be checked."""

    allowed: bool
    account_count: int
    client_count: int
    retry_after: timedelta


def reserve(engine_or_factory, username: str, client: str, *, limit: int, window: timedelta,
            now: datetime | None = None) -> Reservation:
    """Reserve one try for (account, client) in its own committed transaction."""
    now = now or utcnow()
    with _session(engine_or_factory) as s, s.begin():
        n_account, start_a = bump(s, account_key(username), window, now)
        n_client, start_c = bump(s, client_key(client), window, now)
    allowed = n_account <= limit and n_client <= CLIENT_FACTOR * limit
    starts = [start_a] if n_account > limit else []
    if n_client > CLIENT_FACTOR * limit:
        starts.append(start_c)
    retry = max((_aware(s_) + window - now for s_ in starts), default=timedelta(0))
    return Reservation(allowed, n_account, n_client, max(retry, timedelta(0)))


def release(session: Session, username: str, client: str, now: datetime | None = None,
            window: timedelta | None = None) -> int:
    """After a successful login: restart the account counter, give the client its try back, drop
    counters whose window has expired (keeps the table small); returns the failed tries of this
    (account, client) in the window before (for the login's audit row)."""
    table = LoginCounter.__table__
    key = failure_key("failed", username, client)
    earlier = int(session.scalar(select(table.c.n).where(table.c.key == key)) or 0)
    session.execute(delete(table).where(table.c.key.in_([account_key(username), key])))
    session.execute(update(table).where(table.c.key == client_key(client), table.c.n > 0)
                    .values(n=table.c.n - 1))
    if window is not None:
        session.execute(delete(table).where(table.c.window_start < (now or utcnow()) - window))
    return earlier


def audit_failed_login(session: Session, username: str, client: str, outcome: str, window: timedelta,
                       now: datetime | None = None, *, client_locked: bool = False) -> int:
    """Count a failed (``failed``) or refused (``denied``) login and audit it aggregated.

    Counted per (outcome, account, client) and window — per (outcome, client) alone once the client
    is locked, so random account names from one address do not add rows either. An audit row is
    written for the 1st, 10th, 100th, … count (:func:`audit_due`) with the count and window start.
    Returns the count.
    """
    counted = "*" if client_locked else username
    n, start = bump(session, failure_key(outcome, counted, client), window, now)
    if audit_due(n):
        after = {"fehlversuche_im_zeitfenster": n, "zeitfenster_ab": _aware(start).isoformat(),
                 "zusammengefasst": "je Konto und Adresse" if not client_locked else "je Adresse (alle Konten)"}
        if outcome == "denied":
            after["grund"] = "zu viele Fehlversuche"
        audit.record(session, username=username, action="login", object_type="user", object_id=username,
                     outcome=outcome, client=client, after=after)
    return n


def audit_due(count: int) -> bool:
    """Whether the ``count``-th failure of a window gets its own audit row: 1, 10, 100, 1000, …"""
    while count >= 10 and count % 10 == 0:
        count //= 10
    return count == 1


def current(session: Session, key: str) -> int:
    """The current count of ``key`` (0 if absent) — for tests and the admin view."""
    return int(session.scalar(select(LoginCounter.n).where(LoginCounter.key == key)) or 0)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _session(engine_or_factory):
    if isinstance(engine_or_factory, Engine):
        return Session(engine_or_factory)
    return engine_or_factory()
