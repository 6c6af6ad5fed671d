"""The append-only, hash-chained audit log: the only write path is :func:`record`.

There is deliberately no update or delete function; the database refuses both through triggers
(migration 0001), and the ORM refuses them through the listeners below.

Tamper evidence (migration 0002): every row carries ``prev_hash`` (the ``row_hash`` of the row before
it; 64 zeros for the first) and ``row_hash`` = SHA-256 of the canonical JSON of its fields
(:func:`canonical_fields`, including its id and ``prev_hash``). Ids are consecutive. A writer first
locks the single row of ``audit_chain_head`` (``UPDATE … RETURNING``: a row lock on PostgreSQL, the
write lock on SQLite), so concurrent writers append one after the other and the chain stays linear.
A trigger accepts only the next row of the chain (id = head + 1, ``prev_hash`` = head's hash), so
``REPLACE INTO``/``INSERT OR REPLACE``/upserts and forged rows with a free id are refused.
:func:`verify_chain` (``zielwerk audit pruefen``) recomputes the chain and names the first broken row.

What it does not do: someone with write access to the database who drops the triggers and recomputes
every hash after the edited row is not detected by the chain alone; compare the head hash that
``zielwerk audit pruefen`` prints with a copy kept elsewhere (docs/web.md, threat model).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from .models import AuditChainHead, AuditEntry, utcnow

#: ``prev_hash`` of the first row
GENESIS = "0" * 64
#: the fields a row's hash covers, in this order (never change: it would break every stored chain)
HASHED_FIELDS = ("id", "at", "username", "role", "action", "object_type", "object_id", "outcome", "before",
                 "after", "client", "prev_hash")


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _no_update(_mapper, _conn, _target) -> None:
    raise AuditLogIsAppendOnly("Das Protokoll kann nicht geändert werden.")


@event.listens_for(AuditEntry, "before_delete")
def _no_delete(_mapper, _conn, _target) -> None:
    raise AuditLogIsAppendOnly("Das Protokoll kann nicht gelöscht werden.")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _canonical_time(at: datetime) -> str:
    """UTC without offset, microseconds: the same text whether the store returns it aware or naive."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def canonical_fields(row: Any) -> dict[str, Any]:
    """The hashed fields of an audit row (an ``AuditEntry`` or a mapping with the column names)."""
    if isinstance(row, AuditEntry):
        out = {name: getattr(row, name) for name in HASHED_FIELDS}
    else:
        out = {name: row[name] for name in HASHED_FIELDS}
    out["at"] = _canonical_time(out["at"])
    out["id"] = int(out["id"])
    return out


def row_hash(fields: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON (sorted keys, no spaces, UTF-8) of ``canonical_fields``."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lock_head(session: Session) -> tuple[int, str]:
    """Lock the chain head until the transaction ends and return (last id, last hash)."""
    stmt = (update(AuditChainHead).where(AuditChainHead.id == 1)
            .values(last_id=AuditChainHead.last_id)
            .returning(AuditChainHead.last_id, AuditChainHead.last_hash))
    row = session.execute(stmt).one()
    return int(row[0]), str(row[1])


def record(
    session: Session,
    *,
    username: str,
    role: str = "",
    action: str,
    object_type: str = "",
    object_id: str = "",
    outcome: str = "ok",
    before: Any = None,
    after: Any = None,
    client: str = "",
) -> AuditEntry:
    """Append one audit entry (flushed, committed with the caller's transaction).

    The chain head stays locked until the caller's transaction ends (serialising audit writers). So a
    caller must not, after this, wait for another transaction that also records (e.g. ``Ctx.deny``'s own
    transaction within the same request): it would wait for its own lock. Refuse first, then audit.
    """
    last_id, last_hash = _lock_head(session)
    entry = AuditEntry(
        id=last_id + 1,
        at=utcnow(),
        username=username,
        role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        before=_jsonable(before),
        after=_jsonable(after),
        client=client,
        prev_hash=last_hash,
    )
    entry.row_hash = row_hash(canonical_fields(entry))
    session.add(entry)
    session.flush()
    session.execute(update(AuditChainHead).where(AuditChainHead.id == 1)
                    .values(last_id=entry.id, last_hash=entry.row_hash))
    return entry


def entries(
    session: Session,
    *,
    username: str | None = None,
    action: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Most recent entries first, optionally filtered by user and action."""
    q = select(AuditEntry)
    if username:
        q = q.where(AuditEntry.username == username)
    if action:
        q = q.where(AuditEntry.action == action)
    q = q.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(q))


def count(session: Session) -> int:
    return int(session.scalar(select(func.count(AuditEntry.id))) or 0)


@dataclass(frozen=True)
class ChainCheck:
    """Result of :func:`verify_chain`: ``broken_id`` is the first row that does not fit (``None`` = intact)."""

    rows: int
    last_id: int
    last_hash: str
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session, batch: int = 2000) -> ChainCheck:
    """Recompute the chain from the first row; stop at the first row that does not fit."""
    table = AuditEntry.__table__
    expected_prev, expected_id, rows, last_id = GENESIS, None, 0, 0
    result = session.execute(select(table).order_by(table.c.id).execution_options(yield_per=batch))
    for row in result.mappings():
        rid = int(row["id"])
        if expected_id is not None and rid != expected_id:
            return ChainCheck(rows, last_id, expected_prev, expected_id,
                              f"Eintrag #{expected_id} fehlt (gelöscht); es folgt #{rid}.")
        if expected_id is None and rid != 1 and row["prev_hash"] != GENESIS:
            return ChainCheck(rows, last_id, expected_prev, 1,
                              f"Die Einträge vor #{rid} fehlen (gelöscht).")
        if row["prev_hash"] != expected_prev:
            return ChainCheck(rows, last_id, expected_prev, rid,
                              "Der Verweis auf den vorigen Eintrag stimmt nicht (Eintrag ersetzt, eingefügt "
                              "oder ein früherer Eintrag geändert).")
        if row["row_hash"] != row_hash(canonical_fields(dict(row))):
            return ChainCheck(rows, last_id, expected_prev, rid,
                              "Der Inhalt des Eintrags wurde nach dem Schreiben geändert.")
        expected_prev, expected_id, last_id, rows = row["row_hash"], rid + 1, rid, rows + 1
    head = session.execute(select(AuditChainHead.last_id, AuditChainHead.last_hash)
                           .where(AuditChainHead.id == 1)).one_or_none()
    if head is None:
        return ChainCheck(rows, last_id, expected_prev, last_id + 1, "Der Kettenkopf fehlt.")
    if int(head[0]) != last_id or head[1] != expected_prev:
        return ChainCheck(rows, last_id, expected_prev, last_id + 1,
                          f"Das Ende des Protokolls fehlt: der Kettenkopf nennt #{int(head[0])}, der letzte "
                          f"vorhandene Eintrag ist #{last_id}.")
    return ChainCheck(rows, last_id, expected_prev)
