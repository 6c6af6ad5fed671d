"""Fallsteuerung work lists (issue 6): catalogue page, one page per list, CSV/Excel download.

The web app's only implementation of ``/fallsteuerung/listen``: ``web/app.py`` registers
:data:`ROUTES`. The lists are precomputed by the import pipeline (:func:`zielwerk.casework.batch.write_lists`
into the request's generation, :func:`zielwerk.web.results.lists_dir`; a failure is kept as
``lists_error`` in the results' meta data and shown here); pages only read them and overlay the live
case records of the store (last contact, action plans, overdue reviews).

Access: permission ``casework.view`` (every role holding it sees every list, person lists and
aggregates); case managers (role ``fallmanagement``) see only the persons of their own caseload (the
same assignment table the person page checks) and, in ``fallbelastung``, only their own row; lead
roles see all rows. Team leads (``fallmanagement`` with a team and no caseworker id,
``permissions.person_scope``) see the persons of their team and, in ``fallbelastung``, their team's rows. Pages show one page of :data:`PAGE_SIZE` rows, sorted/filtered on the server (issue 13;
``casework.query``; the downloads hold all rows the user may
see). Every list read and export is audited.

Person names (docs/data.md, "Person names"): for roles with ``person.read``, the lists and their downloads
get ``last_name`` and ``first_name`` after ``person_id`` from the generation's caseload (the persons a
list names with a caseworker); the page shows them as "Nachname, Vorname"; the search matches them.
Without names in the data the lists are as before.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import HTTPException
from fastapi.responses import Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

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
from zielwerk.casework.goals import GOALS, status_from_table, status_text
from zielwerk.casework.query import PAGE_SIZE as _query_page_size
from zielwerk.store.models import ActionPlan, CaseContact

from ..context import Ctx, PageCtx
from ..results import lists_dir

#: rows per list page (issue 13: paged on the server; the downloads hold all rows)
PAGE_SIZE = _query_page_size
#: person ids per store query (keeps ``IN (...)`` below the databases' bind-parameter limits)
ID_CHUNK = 1000
NOT_COMPUTED = ("Die Arbeitslisten sind noch nicht berechnet (Seite „Daten“: Daten importieren oder "
                "Kennzahlen neu berechnen).")
CSV_FORMATS = {"de": "csv", "kanonisch": "csv-kanonisch"}

__all__ = ["PAGE_SIZE", "ROUTES", "download_csv", "download_xlsx", "index", "lists_dir", "view"]


def _dir(ctx: Ctx) -> Path:
    return lists_dir(ctx.request.app.state.config.data_dir)


def _own_person_ids(ctx: Ctx) -> set[str] | None:
    """``None`` = all persons (lead roles); else the case manager's caseload or the team lead's team."""
    scope = ctx.person_scope()
    if scope.kind == "all":
        return None
    return {r["person_id"] for r in ctx.request.app.state.results.caseload_in(scope)}


def _live_records(ctx: Ctx, person_ids: list[str] | None = None) -> rec.CaseRecords:
    """The store's contacts and action plans (all, or of ``person_ids``, queried in chunks)."""
    if person_ids is None:
        return rec.from_store(list(ctx.db.scalars(select(CaseContact))), list(ctx.db.scalars(select(ActionPlan))))
    ids = sorted(set(person_ids))
    contacts: list[CaseContact] = []
    plans: list[ActionPlan] = []
    for i in range(0, len(ids), ID_CHUNK):
        chunk = ids[i:i + ID_CHUNK]
        contacts += ctx.db.scalars(select(CaseContact).where(CaseContact.person_id.in_(chunk)))
        plans += ctx.db.scalars(select(ActionPlan).where(ActionPlan.person_id.in_(chunk)))
    return rec.from_store(contacts, plans)


def _meta(ctx: Ctx) -> dict:
    """The lists' meta data; 404 with a German hint while no lists were computed."""
    meta = read_meta(_dir(ctx))
    if not meta:
        raise HTTPException(404, NOT_COMPUTED)
    return meta


def _table(ctx: Ctx, name: str) -> pa.Table | None:
    """The precomputed list, or ``None`` if the batch wrote none under that name."""
    if name not in LISTS:
        raise HTTPException(404, f"Die Liste „{name}“ gibt es nicht.")
    return read_list(_dir(ctx), name)


def _scoped(ctx: Ctx, name: str, tbl: pa.Table, *, contacts: bool = True) -> pa.Table:
    """The rows of a precomputed list the user may see, with the store's live records applied."""
    own = _own_person_ids(ctx)
    if own is not None:
        if name == "fallbelastung":
            scope = ctx.person_scope()
            if scope.kind == "team" and "team" in tbl.column_names:
                tbl = tbl.filter(pc.equal(tbl["team"], scope.value))
            else:  # a case manager's own row; a team's caseworkers from the caseload if no team column
                workers = {r["caseworker_id"] for r in ctx.request.app.state.results.caseload_in(scope)}
                if scope.kind == "caseworker":
                    workers = {scope.value}
                tbl = tbl.filter(pc.is_in(tbl["caseworker_id"], pa.array(sorted(workers), pa.string())))
        elif "person_id" in tbl.column_names:
            tbl = tbl.filter(pc.is_in(tbl["person_id"], pa.array(sorted(own), pa.string())))
    return _overlay(ctx, name, tbl, contacts=contacts)


def _list_or_404(ctx: Ctx, name: str) -> tuple[pa.Table, dict]:
    """List page and downloads: the scoped list and its meta data (with the list's goal)."""
    if name not in LISTS:
        raise HTTPException(404, f"Die Liste „{name}“ gibt es nicht.")
    meta = dict(_meta(ctx))
    tbl = _table(ctx, name)
    if tbl is None:
        raise HTTPException(404, f"Die Liste „{LISTS[name].title}“ wurde bei der letzten Berechnung nicht erstellt.")
    meta["goal"] = goal_of(tbl) or meta.get("lists", {}).get(name, {}).get("goal")
    return with_names(ctx, _scoped(ctx, name, tbl)), meta


def caseload_names(ctx: Ctx) -> dict[str, tuple[str | None, str | None]]:
    """person id → (first name, last name) of the caseload's persons with a name; empty without names
    or without ``person.read``."""
    if not ctx.can("person.read"):
        return {}
    cl = ctx.request.app.state.results.caseload()
    if cl is None or "last_name" not in cl.column_names or "first_name" not in cl.column_names:
        return {}
    return {p: (f, la) for p, f, la in zip(cl["person_id"].to_pylist(), cl["first_name"].to_pylist(),
                                           cl["last_name"].to_pylist()) if f or la}


def with_names(ctx: Ctx, tbl: pa.Table) -> pa.Table:
    """``tbl`` with ``last_name`` and ``first_name`` after ``person_id`` (if the data has names)."""
    if "person_id" not in tbl.column_names or "last_name" in tbl.column_names:
        return tbl
    names = caseload_names(ctx)
    if not names:
        return tbl
    got = [names.get(p) or (None, None) for p in tbl["person_id"].to_pylist()]
    i = tbl.column_names.index("person_id") + 1
    tbl = tbl.add_column(i, "last_name", pa.array([g[1] for g in got], pa.string()))
    return tbl.add_column(i + 1, "first_name", pa.array([g[0] for g in got], pa.string()))


def _overlay(ctx: Ctx, name: str, tbl: pa.Table, *, contacts: bool = True) -> pa.Table:
    """Apply the live case records of the store to a precomputed list.

    ``contacts=False`` skips the last-contact update (it changes no row count; the index page).
    """
    today = date.today()
    if name == "ueberpruefung-ueberfaellig":
        # overdue now, from the store's plans, for the persons the user may see
        own = _own_person_ids(ctx)
        records = _live_records(ctx, sorted(own) if own is not None else None)
        return rec.overdue_reviews(records.action_plans, today)
    if "person_id" not in tbl.column_names or tbl.num_rows == 0:
        return tbl
    if name != "lzb-ohne-kooperationsplan" and not (contacts and "last_contact" in tbl.column_names):
        return tbl
    ids = tbl["person_id"].to_pylist()
    records = _live_records(ctx, ids)
    if name == "lzb-ohne-kooperationsplan":
        with_plan = set(rec.action_plan_status(records.action_plans, today)["person_id"].to_pylist())
        tbl = tbl.filter(pc.invert(pc.is_in(tbl["person_id"], pa.array(sorted(with_plan), pa.string()))))
    if contacts and "last_contact" in tbl.column_names and records.contacts.num_rows:
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


def agreement_status(ctx: Ctx, goal_key: str) -> dict:
    """The goal's status from the monitoring of the newest stored target agreement (the same
    monitoring the Überblick shows, ``web.monitoring.monitoring_for``): the agreement's targets on
    the indicators that serve the goal (``casework.goals.Goal.agreement_indicators``), each with its
    status (im Plan / gefährdet / nicht im Plan / Beobachtung / keine Daten), actual and target path.
    ``note`` says why there is none (no agreement, no monitoring yet, no matching target)."""
    from zielwerk.store import agreements as store

    from ..monitoring import monitoring_for
    from .overview import target_rows

    agreement = next(iter(store.all_agreements(ctx.db)), None)
    if agreement is None:
        return {"agreement": None, "rows": [], "note": "Es ist noch keine Zielvereinbarung hinterlegt."}
    version = agreement.versions[-1]
    head = {"agreement": agreement.title, "version": version.number, "month": None}
    mon, why = monitoring_for(ctx.request.app.state.results, version.id, version.document)
    if mon is None:
        return {**head, "rows": [], "note": why}
    codes = GOALS[goal_key].agreement_indicators if goal_key in GOALS else ()
    rows = [r for r in target_rows(mon) if r["indicator"] in codes]
    note = "" if rows else "Die Zielvereinbarung enthält zu diesem Ziel keinen Zielwert."
    return {**head, "month": str(mon.report), "rows": rows, "note": note}


def _batch_notes(ctx: Ctx, meta: dict | None) -> tuple[str | None, bool]:
    """(error of the last batch's list building, lists older than the indicator results)."""
    results = ctx.request.app.state.results.meta() or {}
    stale = bool(meta and results.get("as_of") and results["as_of"] != meta.get("as_of"))
    return results.get("lists_error"), stale


def index(ctx: PageCtx) -> Response:
    """All lists with their goal and (scoped) number of rows."""
    ctx.require("casework.view")
    meta = read_meta(_dir(ctx))
    items = []
    statuses: dict[str, dict] = {}
    for name, wl in LISTS.items():
        if wl.goal not in statuses:
            statuses[wl.goal] = agreement_status(ctx, wl.goal)
        ag = statuses[wl.goal]
        rows = None
        if meta:
            tbl = _table(ctx, name)
            rows = _scoped(ctx, name, tbl, contacts=False).num_rows if tbl is not None else None
        day = date.fromisoformat(meta["stichtag"]) if meta and meta.get("stichtag") else date.today()
        items.append({"name": name, "title": wl.title_on(day), "description": wl.description_on(day),
                      "goal": (meta or {}).get("lists", {}).get(name, {}).get("goal"), "rows": rows,
                      "agreement": "; ".join(f"{r['indicator']} {r['status']}" for r in ag["rows"])
                      or ("kein Zielwert" if ag.get("agreement") else "keine Zielvereinbarung")})
    error, stale = _batch_notes(ctx, meta)
    ctx.audit("worklist.index", object_type="worklist", object_id="alle")
    return ctx.render("fall/index.html", items=items, meta=meta, error=error, stale=stale,
                      not_computed=NOT_COMPUTED)


def view(ctx: PageCtx, name: str, hinweis: str = "", sortierung: str = "", richtung: str = "", seite: str = "",
         gemeinde: str = "", team: str = "", fachkraft: str = "", grund: str = "", suche: str = "") -> Response:
    """One list: goal, goal status, the list's effect (loop), one page of rows;
    ``hinweis`` = a flag code (``casework.common.FLAG_CODES``) shows only the rows with that flag, ``ohne``
    only the rows without any flag (issue 15). Sorting, filters (municipality, team, caseworker, reason),
    search and paging on the server (issue 13 item 5; ``casework.query``, parameters see ``heute.parse_query``)."""
    from types import SimpleNamespace

    from zielwerk.casework.common import FLAG_CODES, excluded_of, flag_labels

    ctx.require("casework.view", object_type="worklist", object_id=name)
    tbl, meta = _list_or_404(ctx, name)
    excluded = excluded_of(tbl)
    if hinweis and hinweis not in (*FLAG_CODES, "ohne"):
        raise HTTPException(422, f"Unbekannter Hinweis „{hinweis}“ (erlaubt: {', '.join(FLAG_CODES)}, ohne).")
    if hinweis and "flags" in tbl.column_names:
        sets = [set((f or "").split()) for f in tbl["flags"].to_pylist()]
        keep = [not s for s in sets] if hinweis == "ohne" else [hinweis in s for s in sets]
        tbl = tbl.filter(pa.array(keep, pa.bool_()))
    ctx.audit("worklist.read", object_type="worklist", object_id=name, after={"zeilen": tbl.num_rows})
    cols = tbl.column_names
    # issue 13 item 5: server-side sort/filter/search/paging with the total count; AGS with the name
    from zielwerk.casework.query import QueryError, person_name, run

    from .heute import municipality_label, municipality_names, pager, parse_query, sort_headers

    q = parse_query(sortierung=sortierung, richtung=richtung, seite=seite, gemeinde=gemeinde, team=team,
                    fachkraft=fachkraft, grund=grund, suche=suche, allowed_sort=cols)
    munis = municipality_names(ctx)
    try:
        page = run(tbl, q, munis, reason_column="reason" if "reason" in cols else "flags")
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from None
    # names: one column "Name" (Nachname, Vorname) beside the person id
    shown = [c for c in cols if c != "first_name"] if "last_name" in cols else cols
    labels_of = {**COLUMN_LABELS, "last_name": "Name"}

    def text(c: str, r: dict) -> str:
        if c == "municipality_id":
            return municipality_label(r[c], munis)
        if c == "last_name":
            return person_name(r.get("first_name"), r["last_name"]) or "–"
        return german_value(c, r[c])

    rows = [[(c, text(c, r), r[c]) for c in shown] for r in page.rows.to_pylist()]
    wl = LISTS[name]
    status = [status_text(r) for r in
              status_from_table(ctx.request.app.state.results.kennzahlen(), wl.goal, meta["stichtag"][:7])]
    outcome = (meta.get("outcomes") or {}).get(name)
    error, stale = _batch_notes(ctx, meta)
    day = date.fromisoformat(meta["stichtag"])
    labels = flag_labels(day)
    flags = {"labels": labels, "selected": hinweis, "available": "flags" in cols,
             "excluded": [(labels[c], n) for c, n in excluded.items() if c != "total" and n],
             "excluded_total": excluded.get("total", 0)}
    wl_shown = SimpleNamespace(title=wl.title_on(day), description=wl.description_on(day))
    return ctx.render("fall/list.html", name=name, wl=wl_shown, meta=meta, flags=flags,
                      headers=[labels_of.get(c, c) for c in shown], has_names="last_name" in cols,
                      sort_headers=sort_headers(ctx, [(c, labels_of.get(c, c)) for c in shown], q, cols),
                      q=q, pager=pager(ctx, page), all_rows=tbl.num_rows, reasons=_reason_options(tbl),
                      rows=rows, total=page.total, shown=len(rows), status=status, outcome=outcome,
                      error=error, stale=stale, agreement=agreement_status(ctx, wl.goal))


def _reason_options(tbl: pa.Table) -> dict[str, str]:
    """``reason`` code → German label of a list with a reason column (``randzeiten-ungedeckt``), for the filter."""
    if "reason" not in tbl.column_names:
        return {}
    labels = tbl["reason_label"].to_pylist() if "reason_label" in tbl.column_names else tbl["reason"].to_pylist()
    return dict(sorted({c: lab or c for c, lab in zip(tbl["reason"].to_pylist(), labels) if c}.items()))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(ctx: Ctx, name: str, kind: str) -> tuple[pa.Table, date]:
    """The scoped list of an export and its Stichtag (the read is audited)."""
    ctx.require("casework.view", object_type="worklist", object_id=name)
    tbl, meta = _list_or_404(ctx, name)
    ctx.audit("worklist.export", object_type="worklist", object_id=name, after={"zeilen": tbl.num_rows, "format": kind})
    return tbl, date.fromisoformat(meta["stichtag"])


def _attachment(data: bytes, media: str, filename: str) -> Response:
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{filename}"'})


def download_csv(ctx: PageCtx, name: str, format: str = "de") -> Response:
    """CSV: ``format=de`` (default; semicolon, decimal comma, German labels, for Excel) or ``kanonisch``."""
    ctx.require("casework.view", object_type="worklist", object_id=name)
    if format not in CSV_FORMATS:
        raise HTTPException(422, f"Unbekanntes CSV-Format „{format}“ (erlaubt: de, kanonisch).")
    kind = CSV_FORMATS[format]
    tbl, s = _export(ctx, name, kind)
    data = canonical_csv_bytes(tbl) if kind == "csv-kanonisch" else german_csv_bytes(tbl)
    return _attachment(data, "text/csv; charset=utf-8", f"{name}-{s.isoformat()}.csv")


async def download_xlsx(ctx: PageCtx, name: str) -> Response:
    """``async``: the scoped list is read in the thread pool, the workbook written in the render pool
    (``report_bridge.RenderPool``: a worker process, at most two at a time)."""
    from ..report_bridge import pool_of

    tbl, s = await run_in_threadpool(_export, ctx, name, "xlsx")
    data = await pool_of(ctx).run(xlsx_bytes, tbl, LISTS[name].title, s)
    return _attachment(data, XLSX, f"{name}-{s.isoformat()}.xlsx")


#: (method, path, handler) — registered in the web app's route table (``web/app.py``).
ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/fallsteuerung/listen", index),
    ("GET", "/fallsteuerung/listen/{name}", view),
    ("GET", "/fallsteuerung/listen/{name}/download.csv", download_csv),
    ("GET", "/fallsteuerung/listen/{name}/download.xlsx", download_xlsx),
]
