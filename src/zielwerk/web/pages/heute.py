"""„Heute“: the start page of case managers and team leads (issue 13, item 5).

The user's own cases (case managers: their caseload; team leads: their team's; lead roles: all) ranked
by what is due, with the reasons and the last contact (``zielwerk.casework.due``). The reasons are read
from the work lists of the current generation (``casework.batch.read_list``), scoped and overlaid with
the store's live records exactly as the list pages do (``fall_lists._scoped``); contacts come from the
store. A search finds persons of the user's caseload by person id, by the person's name (if the data has
names, docs/data.md "Person names") or by the caseworker's id or name; names are shown as
"Nachname, Vorname" beside the id. Sorting, filtering and paging are done on the server
(``casework.query``); the helpers here (:func:`parse_query`, :func:`sort_headers`, :func:`pager`,
:func:`municipality_label`) are shared with the list pages.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import HTTPException
from fastapi.responses import Response

from zielwerk.casework.batch import read_list, read_meta
from zielwerk.casework.due import DEFAULT_WEEKS, REASONS, due_cases
from zielwerk.casework.query import ListQuery, Page, QueryError, person_name, run

from ..context import Ctx, PageCtx
from ..results import casefiles_dir

#: the lists the reasons come from
SOURCE_LISTS = ("ueberpruefung-ueberfaellig", "lzb-praevention", "eltern-kleinkind", "randzeiten-vorschlaege",
                "randzeiten-ungedeckt", "u25-ohne-ausbildung")
#: sortable columns of the Heute table: column → header
COLUMNS: dict[str, str] = {"rank": "Rang", "person_id": "Person", "last_name": "Name", "due": "fällig", "reason_text": "Grund",
                           "caseworker_name": "Fachkraft", "team": "Team", "municipality_id": "Gemeinde",
                           "last_contact": "letzter Kontakt"}
SORTABLE = ("rank", "person_id", "last_name", "due", "caseworker_name", "team", "municipality_id", "last_contact")
#: how long a recorded training offer counts for the U25 reason (days)
OFFER_DAYS = 90
CONTACT_KINDS = {"persoenlich": "persönlich", "telefon": "Telefon", "schriftlich": "schriftlich",
                 "angebot": "Angebot"}

__all__ = ["ROUTES", "municipality_label", "pager", "parse_query", "sort_headers", "today_page"]


def parse_query(*, sortierung: str = "", richtung: str = "", seite: str = "", gemeinde: str = "", team: str = "",
                fachkraft: str = "", grund: str = "", suche: str = "", allowed_sort=None) -> ListQuery:
    """The query parameters of a list page as a :class:`ListQuery`; 422 with a German message if invalid."""
    if richtung not in ("", "auf", "ab"):
        raise HTTPException(422, f"Unbekannte Sortierrichtung „{richtung}“ (erlaubt: auf, ab).")
    if allowed_sort is not None and sortierung and sortierung not in allowed_sort:
        raise HTTPException(422, f"Nach „{sortierung}“ kann nicht sortiert werden.")
    try:
        page = int(seite) if seite.strip() else 1
    except ValueError:
        raise HTTPException(422, f"Die Seite „{seite}“ ist keine ganze Zahl.") from None
    if page < 1:
        raise HTTPException(422, f"Seite {page} gibt es nicht (die erste Seite ist 1).")
    return ListQuery(sort=sortierung, descending=richtung == "ab", municipality=gemeinde, team=team,
                     caseworker=fachkraft, reason=grund, search=suche, page=page)


def _url(ctx: Ctx, **changes: object) -> str:
    params = {k: v for k, v in ctx.request.query_params.items() if v}
    for k, v in changes.items():
        if v in (None, ""):
            params.pop(k, None)
        else:
            params[k] = str(v)
    return ctx.request.url.path + ("?" + urlencode(params) if params else "")


def sort_headers(ctx: Ctx, columns: list[tuple[str, str]], q: ListQuery, sortable) -> list[dict]:
    """Table headers: label, link that sorts by the column (toggling the direction), ``aria-sort``."""
    out = []
    for col, label in columns:
        h = {"col": col, "label": label, "href": None, "aria": None}
        if col in sortable:
            active = q.sort == col
            desc = not q.descending if active else False
            h["href"] = _url(ctx, sortierung=col, richtung="ab" if desc else "", seite="")
            if active:
                h["aria"] = "descending" if q.descending else "ascending"
        out.append(h)
    return out


def pager(ctx: Ctx, page: Page) -> dict:
    """Label ("Zeilen 51–100 von 6.451") and links to the first, previous, next and last page."""
    def link(n: int) -> str | None:
        return _url(ctx, seite=n if n > 1 else "") if 1 <= n <= page.pages and n != page.page else None
    return {"label": page.label(), "page": page.page, "pages": page.pages, "first": link(1),
            "prev": link(page.page - 1), "next": link(page.page + 1), "last": link(page.pages)}


def municipality_label(ags: str | None, names: dict[str, str]) -> str:
    """``05970040 Siegen`` (the AGS with the municipality's name beside it, if known)."""
    if not ags:
        return "–"
    name = names.get(ags)
    return f"{ags} {name}" if name else ags


def municipality_names(ctx: Ctx) -> dict[str, str]:
    """AGS → name from the results' meta data (``unit_names``, written by the import pipeline)."""
    names = (ctx.request.app.state.results.meta() or {}).get("unit_names", {}) or {}
    return {k.split(":", 1)[1]: v for k, v in names.items() if k.startswith("municipality:")}


def caseworker_names(ctx: Ctx) -> dict[str, str]:
    """caseworker id → name, from the case files of the generation (``casework.casefile``)."""
    p = Path(casefiles_dir(ctx.request.app.state.config.data_dir)) / "caseworkers.parquet"
    if not p.exists():
        return {}
    t = pq.read_table(p, columns=["caseworker_id", "name"])
    return {r["caseworker_id"]: r["name"] for r in t.to_pylist() if r["name"]}


def today_page(ctx: PageCtx, suche: str = "", grund: str = "", gemeinde: str = "", team: str = "",
               fachkraft: str = "", sortierung: str = "", richtung: str = "", seite: str = "",
               wochen: str = "") -> Response:
    ctx.require("casework.view")
    from .fall_lists import _dir, _live_records, _scoped

    if grund and grund not in REASONS:
        raise HTTPException(422, f"Unbekannter Grund „{grund}“ (erlaubt: {', '.join(REASONS)}).")
    try:
        weeks = int(wochen) if wochen.strip() else DEFAULT_WEEKS
    except ValueError:
        raise HTTPException(422, f"„{wochen}“ ist keine Zahl von Wochen.") from None
    if not 0 <= weeks <= 52:
        raise HTTPException(422, "Die Zahl der Wochen muss zwischen 0 und 52 liegen.")
    q = parse_query(sortierung=sortierung, richtung=richtung, seite=seite, gemeinde=gemeinde, team=team,
                    fachkraft=fachkraft, grund=grund, allowed_sort=SORTABLE)
    results = ctx.request.app.state.results
    scope = ctx.person_scope()
    names_cw = caseworker_names(ctx)
    caseload = {r["person_id"]: {**r, "caseworker_name": names_cw.get(r["caseworker_id"])}
                for r in results.caseload_in(scope)}
    munis = municipality_names(ctx)
    meta = read_meta(_dir(ctx))
    due = None
    page = None
    if meta:
        lists = {}
        for name in SOURCE_LISTS:
            tbl = read_list(_dir(ctx), name)
            lists[name] = _scoped(ctx, name, tbl, contacts=False) if tbl is not None else None
        today = date.today()
        contacts = _live_records(ctx, sorted(caseload)).contacts if caseload else None
        due = due_cases(lists, date.fromisoformat(meta["stichtag"]), caseload, contacts, weeks=weeks,
                        offer_since=today - timedelta(days=OFFER_DAYS), caseworker_names=names_cw)
        try:
            page = run(due, q, munis, reason_column="reasons")
        except QueryError as exc:
            raise HTTPException(422, str(exc)) from None
    found = None
    if suche.strip():
        cl = pa.Table.from_pylist(list(caseload.values())) if caseload else pa.table({"person_id": pa.array([], pa.string())})
        hits = run(cl, ListQuery(search=suche, sort="person_id", page_size=50), munis)
        due_of = {r["person_id"]: r for r in due.to_pylist()} if due is not None else {}
        found = {"total": hits.total, "rows": [
            {**r, "municipality": municipality_label(r.get("municipality_id"), munis),
             "name": person_name(r.get("first_name"), r.get("last_name")),
             "reason_text": due_of.get(r["person_id"], {}).get("reason_text")} for r in hits.rows.to_pylist()]}
    rows = []
    if page is not None:
        for r in page.rows.to_pylist():
            rows.append({**r, "municipality": municipality_label(r["municipality_id"], munis),
                         "name": person_name(r.get("first_name"), r.get("last_name")),
                         "kind": CONTACT_KINDS.get(r["last_contact_kind"] or "", r["last_contact_kind"])})
    has_names = any(r.get("first_name") or r.get("last_name") for r in caseload.values())
    columns = COLUMNS if has_names else {k: v for k, v in COLUMNS.items() if k != "last_name"}
    ctx.audit("today.read", object_type="caseworker", object_id=scope.value or scope.kind,
              after={"faellig": due.num_rows if due is not None else 0, "suche": bool(suche.strip())})
    return ctx.render("heute.html", meta=meta, rows=rows, pager=pager(ctx, page) if page else None,
                      headers=sort_headers(ctx, list(columns.items()), q, SORTABLE), q=q, reasons=REASONS,
                      has_names=has_names,
                      weeks=weeks, suche=suche, found=found, persons=len(caseload),
                      scope=scope, lead=scope.kind != "caseworker")


#: (method, path, handler) — registered in the web app's route table (``web/app.py``).
ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/fallsteuerung/heute", today_page),
]
