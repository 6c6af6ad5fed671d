"""Fallsteuerung work lists (issue 6): catalogue page, one page per list, CSV/Excel download.

Owned by the casework area; registration: the web app adds :data:`ROUTES` to its route table
(``ROUTES += fall_lists.ROUTES`` in ``web/app.py``). The lists are precomputed by
:func:`zielwerk.casework.batch.write_lists` into ``<data>/.zielwerk/lists/`` (the import batch should
call it after the indicators); pages only read them and overlay the live case records of the store
(last contact, action plans, overdue reviews).

Access: permission ``casework.view``; case managers (role ``fallmanagement``) see only the persons of
their own caseload (the same assignment table the person page checks) and their own caseload row;
lead roles see all. Every list read and export is audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import HTTPException
from fastapi.responses import Response
from sqlalchemy import select

from zielwerk.casework import records as rec
from zielwerk.casework.batch import read_list, read_meta
from zielwerk.casework.catalog import LISTS
from zielwerk.casework.common import goal_of
from zielwerk.casework.export import (
    COLUMN_LABELS,
    canonical_csv_bytes,
    german_csv_bytes,
    german_value,
    xlsx_bytes,
)
from zielwerk.casework.goals import status_from_table, status_text
from zielwerk.store.models import ActionPlan, CaseContact

from ..context import Ctx, PageCtx

LISTS_DIR = Path(".zielwerk") / "lists"
MAX_ROWS = 500


def lists_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LISTS_DIR


def _dir(ctx: Ctx) -> Path:
    return lists_dir(ctx.request.app.state.config.data_dir)


def _own_person_ids(ctx: Ctx) -> set[str] | None:
    """``None`` = all persons (lead roles); else the case manager's caseload."""
    if ctx.role != "fallmanagement":
        return None
    worker = ctx.user.caseworker_id
    if not worker:
        return set()
    return {r["person_id"] for r in ctx.request.app.state.results.caseload_of(worker)}


def _live_records(ctx: Ctx, person_ids: list[str] | None = None) -> rec.CaseRecords:
    q_c, q_p = select(CaseContact), select(ActionPlan)
    if person_ids is not None:
        q_c = q_c.where(CaseContact.person_id.in_(person_ids))
        q_p = q_p.where(ActionPlan.person_id.in_(person_ids))
    return rec.from_store(list(ctx.db.scalars(q_c)), list(ctx.db.scalars(q_p)))


def _scoped(ctx: Ctx, name: str) -> tuple[pa.Table, dict]:
    meta = read_meta(_dir(ctx))
    if name not in LISTS:
        raise HTTPException(404, f"Die Liste „{name}“ gibt es nicht.")
    tbl = read_list(_dir(ctx), name) if meta else None
    if tbl is None:
        raise HTTPException(404, "Die Arbeitslisten sind noch nicht berechnet (Daten importieren).")
    goal = goal_of(tbl)
    own = _own_person_ids(ctx)
    if own is not None:
        if name == "fallbelastung":
            tbl = tbl.filter(pc.equal(tbl["caseworker_id"], ctx.user.caseworker_id or ""))
        elif "person_id" in tbl.column_names:
            tbl = tbl.filter(pc.is_in(tbl["person_id"], pa.array(sorted(own), pa.string())))
    tbl = _overlay(ctx, name, tbl)
    meta = dict(meta)
    meta["goal"] = goal
    return tbl, meta


def _overlay(ctx: Ctx, name: str, tbl: pa.Table) -> pa.Table:
    """Apply the live case records of the store to a precomputed list."""
    today = date.today()
    if name == "ueberpruefung-ueberfaellig":
        # overdue now, from the store's plans, for the persons the user may see
        own = _own_person_ids(ctx)
        records = _live_records(ctx, sorted(own) if own is not None else None)
        od = rec.overdue_reviews(records.action_plans, today)
        return od
    if "person_id" not in tbl.column_names or tbl.num_rows == 0:
        return tbl
    ids = tbl["person_id"].to_pylist()
    records = _live_records(ctx, ids)
    if name == "lzb-ohne-kooperationsplan":
        with_plan = set(rec.action_plan_status(records.action_plans, today)["person_id"].to_pylist())
        tbl = tbl.filter(pc.invert(pc.is_in(tbl["person_id"], pa.array(sorted(with_plan), pa.string()))))
    if "last_contact" in tbl.column_names and records.contacts.num_rows:
        latest: dict[str, date] = {}
        for p, dt in zip(records.contacts["person_id"].to_pylist(), records.contacts["contact_date"].to_pylist()):
            if p not in latest or dt > latest[p]:
                latest[p] = dt
        old = tbl["last_contact"].to_pylist()
        new = [max(filter(None, (o, latest.get(p)))) if (o or latest.get(p)) else None
               for p, o in zip(tbl["person_id"].to_pylist(), old)]
        i = tbl.column_names.index("last_contact")
        tbl = tbl.set_column(i, "last_contact", pa.array(new, pa.date32()))
    return tbl


async def index(ctx: PageCtx) -> Response:
    """All lists with their goal and (scoped) number of rows."""
    ctx.require("casework.view")
    meta = read_meta(_dir(ctx))
    items = []
    for name, wl in LISTS.items():
        rows = None
        if meta:
            rows = _scoped(ctx, name)[0].num_rows
        items.append({"name": name, "title": wl.title, "description": wl.description,
                      "goal": (meta or {}).get("lists", {}).get(name, {}).get("goal"), "rows": rows})
    ctx.audit("worklist.index", object_type="worklist", object_id="alle")
    return ctx.render("fall/index.html", items=items, meta=meta)


async def view(ctx: PageCtx, name: str) -> Response:
    ctx.require("casework.view", object_type="worklist", object_id=name)
    tbl, meta = _scoped(ctx, name)
    ctx.audit("worklist.read", object_type="worklist", object_id=name, after={"zeilen": tbl.num_rows})
    cols = tbl.column_names
    rows = [[(c, german_value(c, r[c]), r[c]) for c in cols] for r in tbl.slice(0, MAX_ROWS).to_pylist()]
    wl = LISTS[name]
    status = [status_text(r) for r in
              status_from_table(ctx.request.app.state.results.kennzahlen(), wl.goal, meta["stichtag"][:7])]
    outcome = (meta.get("outcomes") or {}).get(name)
    return ctx.render("fall/list.html", name=name, wl=wl, meta=meta, headers=[COLUMN_LABELS.get(c, c) for c in cols],
                      rows=rows, total=tbl.num_rows, shown=len(rows), status=status, outcome=outcome)


def _download(ctx: Ctx, name: str, kind: str) -> Response:
    ctx.require("casework.view", object_type="worklist", object_id=name)
    tbl, meta = _scoped(ctx, name)
    ctx.audit("worklist.export", object_type="worklist", object_id=name, after={"zeilen": tbl.num_rows, "format": kind})
    s = date.fromisoformat(meta["stichtag"])
    if kind == "xlsx":
        data = xlsx_bytes(tbl, LISTS[name].title, s)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "csv-kanonisch":
        data, media, kind = canonical_csv_bytes(tbl), "text/csv; charset=utf-8", "csv"
    else:
        data, media = german_csv_bytes(tbl), "text/csv; charset=utf-8"
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}-{s.isoformat()}.{kind}"'})


async def download_csv(ctx: PageCtx, name: str, format: str = "de") -> Response:
    return _download(ctx, name, "csv-kanonisch" if format == "kanonisch" else "csv")


async def download_xlsx(ctx: PageCtx, name: str) -> Response:
    return _download(ctx, name, "xlsx")


#: (method, path, handler) — for the web app's route table.
ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/fallsteuerung/listen", index),
    ("GET", "/fallsteuerung/listen/{name}", view),
    ("GET", "/fallsteuerung/listen/{name}/download.csv", download_csv),
    ("GET", "/fallsteuerung/listen/{name}/download.xlsx", download_xlsx),
]
