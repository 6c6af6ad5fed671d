"""Official Kennzahlen figures in the store (table ``official_figures``, migration 0004; issue 14).

Only :func:`replace_months` writes. It runs inside the caller's transaction: every month that occurs in
the imported rows is deleted completely (all Jobcenters) and the file's rows of that month are inserted;
one audit entry (action ``official.import``) names the file, the months, and the number of rows before
and after. The caller commits once, so a refused or failed import leaves the store as it was. Months
that do not occur in the file are left alone.

Why the whole month: the statistics office publishes a month for all Jobcenters at once, and a corrected
publication replaces the earlier one; a Jobcenter that is missing from the new file (e.g. merged) must not
keep stale figures of that month.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from . import audit
from .models import OfficialFigure, utcnow


@dataclass(frozen=True)
class ImportSummary:
    """What :func:`replace_months` did: per month (rows before, rows after)."""

    source: str
    months: dict[str, tuple[int, int]]

    @property
    def rows(self) -> int:
        return sum(after for _, after in self.months.values())

    @property
    def replaced(self) -> list[str]:
        """Months that had figures before the import."""
        return [m for m, (before, _) in self.months.items() if before]


@dataclass(frozen=True)
class MonthStatus:
    month: str
    rows: int
    jobcenters: int
    source: str
    imported_at: Any


@dataclass(frozen=True)
class OfficialJobcenter:
    jobcenter_id: str
    name: str
    vergleichstyp: str | None


def replace_months(session: Session, rows: Sequence[Any], *, source: str, username: str, role: str = "",
                   client: str = "") -> ImportSummary:
    """Replace every month occurring in ``rows`` (``OfficialRow`` or dicts with its fields) by these rows
    and audit it (see the module docstring). Flushes; the caller commits."""
    get = (lambda r, k: r[k]) if rows and isinstance(rows[0], dict) else getattr
    months = sorted({get(r, "month") for r in rows})
    before = dict(session.execute(select(OfficialFigure.month, func.count()).where(OfficialFigure.month.in_(months))
                                  .group_by(OfficialFigure.month)).all()) if months else {}
    if months:
        session.execute(delete(OfficialFigure).where(OfficialFigure.month.in_(months)))
    now = utcnow()
    after: dict[str, int] = dict.fromkeys(months, 0)
    fields = ("jobcenter_id", "jobcenter_name", "vergleichstyp", "month", "indicator", "sex", "numerator",
              "denominator", "value")
    if rows:
        session.execute(OfficialFigure.__table__.insert(), [
            {**{f: get(r, f) for f in fields}, "source": source[:300], "imported_by": username, "imported_at": now}
            for r in rows
        ])
    for r in rows:
        after[get(r, "month")] += 1
    summary = ImportSummary(source, {m: (int(before.get(m, 0)), after[m]) for m in months})
    audit.record(session, username=username, role=role, action="official.import", object_type="official_figures",
                 object_id=",".join(months) if len(months) <= 24 else f"{months[0]}..{months[-1]}",
                 before={m: b for m, (b, _) in summary.months.items()},
                 after={"datei": source, "monate": {m: a for m, (_, a) in summary.months.items()}}, client=client)
    session.flush()
    return summary


def figures(session: Session, jobcenter_ids: Iterable[str] | None = None, first: str | None = None,
            last: str | None = None) -> list[OfficialFigure]:
    """Stored figures (optionally of some Jobcenters, months ``first``..``last``)."""
    q = select(OfficialFigure)
    if jobcenter_ids is not None:
        q = q.where(OfficialFigure.jobcenter_id.in_(list(jobcenter_ids)))
    if first is not None:
        q = q.where(OfficialFigure.month >= first)
    if last is not None:
        q = q.where(OfficialFigure.month <= last)
    return list(session.scalars(q.order_by(OfficialFigure.jobcenter_id, OfficialFigure.month,
                                           OfficialFigure.indicator, OfficialFigure.sex)))


def official_table(session: Session, jobcenter_ids: Iterable[str] | None = None, first: str | None = None,
                   last: str | None = None) -> pa.Table:
    """The stored figures as the indicator output's long table (:func:`zielwerk.official.series.to_long_table`):
    ``unit_type`` 'jobcenter', ``provisional`` false."""
    from zielwerk.official.series import to_long_table

    cols = (OfficialFigure.jobcenter_id, OfficialFigure.month, OfficialFigure.indicator, OfficialFigure.sex,
            OfficialFigure.numerator, OfficialFigure.denominator, OfficialFigure.value)
    q = select(*cols)
    if jobcenter_ids is not None:
        q = q.where(OfficialFigure.jobcenter_id.in_(list(jobcenter_ids)))
    if first is not None:
        q = q.where(OfficialFigure.month >= first)
    if last is not None:
        q = q.where(OfficialFigure.month <= last)
    names = [c.key for c in cols]
    return to_long_table(dict(zip(names, r, strict=True)) for r in session.execute(q))


def jobcenters(session: Session, vergleichstyp: str | None = None) -> list[OfficialJobcenter]:
    """Every Jobcenter with official figures (name and Vergleichstyp of its latest month), optionally only
    those of one Vergleichstyp; sorted by key."""
    latest = (select(OfficialFigure.jobcenter_id, func.max(OfficialFigure.month).label("m"))
              .group_by(OfficialFigure.jobcenter_id).subquery())
    q = (select(OfficialFigure.jobcenter_id, OfficialFigure.jobcenter_name, OfficialFigure.vergleichstyp)
         .join(latest, (latest.c.jobcenter_id == OfficialFigure.jobcenter_id) & (latest.c.m == OfficialFigure.month))
         .distinct())
    out: dict[str, OfficialJobcenter] = {}
    for jc, name, vt in session.execute(q):
        out.setdefault(jc, OfficialJobcenter(jc, name, vt))
    rows = sorted(out.values(), key=lambda j: j.jobcenter_id)
    return [j for j in rows if vergleichstyp is None or j.vergleichstyp == vergleichstyp]


def months_loaded(session: Session) -> list[MonthStatus]:
    """Per stored month: rows, Jobcenters, source file and import time (``zielwerk amtlich status``)."""
    q = (select(OfficialFigure.month, func.count(), func.count(func.distinct(OfficialFigure.jobcenter_id)),
                func.max(OfficialFigure.source), func.max(OfficialFigure.imported_at))
         .group_by(OfficialFigure.month).order_by(OfficialFigure.month))
    return [MonthStatus(m, n, j, s, at) for m, n, j, s, at in session.execute(q)]


def import_file(sessions: Any, path: Any, *, username: str, role: str = "", client: str = "",
                today: Any = None) -> tuple[Any, ImportSummary]:
    """Read and check the published table ``path`` (:func:`zielwerk.official.reader.read_official`, raises
    :class:`~zielwerk.official.reader.OfficialFileInvalid` before anything is written) and replace its months
    in one transaction (:func:`replace_months`). Returns (read result, summary)."""
    from pathlib import Path

    from zielwerk.official.reader import read_official

    result = read_official(path, today=today)
    with sessions() as s, s.begin():
        summary = replace_months(s, result.rows, source=Path(path).name, username=username, role=role,
                                 client=client)
    return result, summary


def official_state(session: Session) -> tuple:
    """A cheap fingerprint of the stored figures (rows, newest import): a cache key part for monitoring."""
    return tuple(session.execute(select(func.count(), func.max(OfficialFigure.imported_at))
                                 .select_from(OfficialFigure)).one())
