"""Store access for the peer comparison and the supervision role (issue 14): official figures as rows
for :mod:`zielwerk.peers`, and the Jobcenters assigned to an ``aufsicht`` user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import OfficialFigure, SupervisionAssignment, User

_COLUMNS = ("jobcenter_id", "jobcenter_name", "vergleichstyp", "month", "indicator", "sex", "numerator",
            "denominator", "value")


def official_rows(session: Session, *, indicator: str | None = None, sex: str | None = None,
                  months: Iterable[str] | None = None, jobcenter_ids: Iterable[str] | None = None
                  ) -> list[dict[str, Any]]:
    """Official figures as plain dicts (the columns :mod:`zielwerk.peers` reads), filtered."""
    cols = [getattr(OfficialFigure, c) for c in _COLUMNS]
    q = select(*cols)
    if indicator is not None:
        q = q.where(OfficialFigure.indicator == indicator)
    if sex is not None:
        q = q.where(OfficialFigure.sex == sex)
    if months is not None:
        q = q.where(OfficialFigure.month.in_(list(months)))
    if jobcenter_ids is not None:
        q = q.where(OfficialFigure.jobcenter_id.in_(list(jobcenter_ids)))
    return [dict(zip(_COLUMNS, r, strict=True)) for r in session.execute(q)]


def official_state(session: Session) -> tuple[int, int, str]:
    """(row count, highest id, import time of the row with the highest id): changes whenever an import adds
    or replaces rows (a replaced month's new rows take the highest ids, even where SQLite reuses the ids of
    the deleted rows, and carry the new import time). Index lookups only (no scan of the import times)."""
    n = session.scalar(select(func.count()).select_from(OfficialFigure)) or 0
    top = session.execute(select(OfficialFigure.id, OfficialFigure.imported_at)
                          .order_by(OfficialFigure.id.desc()).limit(1)).first()
    return int(n), int(top[0]) if top else 0, str(top[1]) if top else ""


def official_months(session: Session) -> list[str]:
    """Months with official figures, ascending."""
    return list(session.scalars(select(OfficialFigure.month).distinct().order_by(OfficialFigure.month)))


def official_jobcenters(session: Session) -> dict[str, tuple[str, str | None]]:
    """jobcenter_id → (name, Vergleichstyp) as of the newest month each Jobcenter was published in."""
    q = (select(OfficialFigure.jobcenter_id, OfficialFigure.jobcenter_name, OfficialFigure.vergleichstyp,
                OfficialFigure.month)
         .where(OfficialFigure.indicator == "K2", OfficialFigure.sex == "all"))
    out: dict[str, tuple[str, str | None, str]] = {}
    for jid, name, vtyp, month in session.execute(q):
        if jid not in out or month > out[jid][2]:
            out[jid] = (name, vtyp, month)
    if not out:  # a table without K2: any indicator
        q = select(OfficialFigure.jobcenter_id, OfficialFigure.jobcenter_name, OfficialFigure.vergleichstyp,
                   OfficialFigure.month)
        for jid, name, vtyp, month in session.execute(q):
            if jid not in out or month > out[jid][2]:
                out[jid] = (name, vtyp, month)
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


def same_type(session: Session, jobcenter_id: str) -> list[str]:
    """The Jobcenters published with the same Vergleichstyp as ``jobcenter_id`` (itself included)."""
    jcs = official_jobcenters(session)
    if jobcenter_id not in jcs or jcs[jobcenter_id][1] is None:
        return [jobcenter_id] if jobcenter_id in jcs else []
    vtyp = jcs[jobcenter_id][1]
    return [j for j, (_, t) in jcs.items() if t == vtyp]


# --- supervision assignments (role aufsicht) -----------------------------------------------------------

def assigned(session: Session, user_id: int) -> list[str]:
    """The Jobcenter ids assigned to the user, sorted."""
    return sorted(session.scalars(select(SupervisionAssignment.jobcenter_id)
                                  .where(SupervisionAssignment.user_id == user_id)))


def assign(session: Session, user: User, jobcenter_ids: Iterable[str]) -> tuple[list[str], list[str]]:
    """Replace the user's assignments by ``jobcenter_ids``; returns (before, after)."""
    before = assigned(session, user.id)
    after = sorted({j.strip() for j in jobcenter_ids if j and j.strip()})
    session.execute(delete(SupervisionAssignment).where(SupervisionAssignment.user_id == user.id))
    for j in after:
        session.add(SupervisionAssignment(user_id=user.id, jobcenter_id=j))
    session.flush()
    return before, after


def assignment_state(session: Session, user_id: int) -> tuple[str, ...]:
    return tuple(assigned(session, user_id))


def official_long_table(session: Session, jobcenter_id: str, indicators: Iterable[str], first: str, last: str) -> Any:
    """One Jobcenter's official figures of ``indicators`` in ``first``..``last`` as the indicator output's long
    table (:data:`zielwerk.official.series.LONG_SCHEMA`), built column-wise in one query (the supervision
    matrix monitors many agreements on the official series)."""
    import pyarrow as pa

    from zielwerk.official.series import LONG_SCHEMA

    q = (select(OfficialFigure.month, OfficialFigure.indicator, OfficialFigure.sex, OfficialFigure.numerator,
                OfficialFigure.denominator, OfficialFigure.value)
         .where(OfficialFigure.jobcenter_id == jobcenter_id, OfficialFigure.indicator.in_(list(indicators)),
                OfficialFigure.month >= first, OfficialFigure.month <= last)
         .order_by(OfficialFigure.month, OfficialFigure.indicator, OfficialFigure.sex))
    rows = session.execute(q).all()
    cols = list(zip(*rows, strict=True)) if rows else [(), (), (), (), (), ()]
    n = len(rows)
    return pa.table({"unit_type": ["jobcenter"] * n, "unit_id": [jobcenter_id] * n, "month": list(cols[0]),
                     "indicator": list(cols[1]), "sex": list(cols[2]), "numerator": list(cols[3]),
                     "denominator": list(cols[4]), "value": list(cols[5]), "provisional": [False] * n},
                    schema=LONG_SCHEMA)


def latest_month(session: Session, jobcenter_id: str) -> str | None:
    """The newest month with official figures of the Jobcenter."""
    return session.scalar(select(func.max(OfficialFigure.month)).where(OfficialFigure.jobcenter_id == jobcenter_id))
