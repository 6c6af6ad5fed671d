"""The append-only audit log: the only write path is :func:`record`.

There is deliberately no update or delete function; the database refuses both through triggers
created by the initial migration, and the ORM refuses them through the listeners below.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from .models import AuditEntry


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
    """Append one audit entry (flushed, committed with the caller's transaction)."""
    entry = AuditEntry(
        username=username,
        role=role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=outcome,
        before=_jsonable(before),
        after=_jsonable(after),
        client=client,
    )
    session.add(entry)
    session.flush()
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
