"""Fallsteuerung work lists (built by ``zielwerk.casework`` in the batch, read here).

Person lists are person-level data: lead roles see all rows, case managers only the persons of
their own caseload; every read is audited. Aggregate lists (no ``person_id`` column) are shown to
every role with ``casework.view``. Lists that use case records (contacts, action plans) reflect the
store's records at the time of the last batch ("Kennzahlen neu berechnen" on the Daten page).
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response

from ..context import Ctx, PageCtx
from ..results import lists_dir

MAX_ROWS = 500


def _catalogue() -> dict[str, Any]:
    try:
        from zielwerk.casework import LISTS
    except ImportError:
        return {}
    return LISTS


def _read(ctx: Ctx, name: str):
    from zielwerk.casework.batch import read_list

    return read_list(lists_dir(ctx.request.app.state.config.data_dir), name)


def _own_rows(ctx: Ctx, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case managers: only rows of persons in their own caseload."""
    if ctx.role != "fallmanagement":
        return rows
    mine = {r["person_id"] for r in ctx.request.app.state.results.caseload_of(ctx.user.caseworker_id)}
    return [r for r in rows if r.get("person_id") in mine]


async def index(ctx: PageCtx) -> Response:
    ctx.require("casework.view")
    from zielwerk.casework.batch import read_meta

    meta = read_meta(lists_dir(ctx.request.app.state.config.data_dir)) or {}
    lists = []
    for name, wl in _catalogue().items():
        info = meta.get("lists", {}).get(name)
        count = None
        if info is not None:
            if ctx.role == "fallmanagement" and wl.per_person:
                tbl = _read(ctx, name)
                count = len(_own_rows(ctx, tbl.select(["person_id"]).to_pylist())) if tbl is not None else None
            else:
                count = info["rows"]
        lists.append({"name": name, "title": wl.title, "description": wl.description, "count": count,
                      "per_person": wl.per_person})
    results_meta = ctx.request.app.state.results.meta() or {}
    return ctx.render("worklists.html", lists=lists, stichtag=meta.get("stichtag"),
                      error=results_meta.get("lists_error"))


async def show(ctx: PageCtx, name: str) -> Response:
    ctx.require("casework.view")
    wl = _catalogue().get(name)
    if wl is None:
        raise HTTPException(404, f"Die Liste „{name}“ gibt es nicht.")
    tbl = _read(ctx, name)
    if tbl is None:
        raise HTTPException(404, "Die Arbeitslisten sind noch nicht berechnet (Seite „Daten“).")
    rows = tbl.to_pylist()
    person_level = "person_id" in tbl.column_names
    if person_level:
        rows = _own_rows(ctx, rows)
        ctx.audit("worklist.read", object_type="worklist", object_id=name, after={"personen": len(rows)})
    columns = list(tbl.column_names)
    return ctx.render("worklist.html", wl=wl, name=name, columns=columns, rows=rows[:MAX_ROWS], total=len(rows),
                      person_level=person_level)
