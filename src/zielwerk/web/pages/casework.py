"""Fallsteuerung: the caseload (person-level) and a customer's case record.

Person-level data: lead roles see every person "where needed"; case managers only their own
caseload, team leads their team's (``permissions.person_scope``). Every read of a person and every
refusal is audited. The person page shows the case view (household, spells, obstacles, measures,
employment, children, caseworker; ``zielwerk.casework.caseview``) read from the case files the
batch writes (``casework.casefile``: one person read with a Parquet filter, no full dataset per
request), plus the store's live contacts and action plans.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from zielwerk.casework.casefile import read_case_view
from zielwerk.casework.casefile import read_meta as read_casefile_meta
from zielwerk.casework.caseview import PersonNotFound
from zielwerk.casework.export import DEGREE_LABELS, INSTRUMENT_LABELS
from zielwerk.casework.records import review_due
from zielwerk.domain import codes
from zielwerk.store import caserecords

from ..context import Ctx, PageCtx
from ..results import casefiles_dir

#: German labels of the codes shown on the person page
LABELS: dict[str, dict[str, str]] = {
    "bg_type": {"single": "Single-BG", "single_parent": "Alleinerziehende", "couple": "Paar ohne Kinder",
                "couple_children": "Paar mit Kindern", "other": "sonstige BG"},
    "role": {"head": "Antragsteller/in", "partner": "Partner/in", "child": "Kind", "other": "sonstige Person"},
    "status": {"elb": "erwerbsfähig leistungsberechtigt", "nef": "nicht erwerbsfähig leistungsberechtigt"},
    "sex": {"f": "weiblich", "m": "männlich", "d": "divers"},
    "kind": {"svb": "sozialversicherungspflichtig", "training": "Ausbildung", "self_employed": "selbständig",
             "marginal": "geringfügig", "public_funded": "öffentlich gefördert"},
    "subsidy": {"none": "ohne Förderung", "egz": "Eingliederungszuschuss", "esg": "Einstiegsgeld",
                "16e_new": "§ 16e SGB II", "agh": "Arbeitsgelegenheit", "fav": "FAV (§ 16e a. F.)",
                "16i": "§ 16i SGB II", "other": "sonstige Förderung"},
    "obstacle": codes.OBSTACLE_LABELS,
    "instrument": INSTRUMENT_LABELS,
    "degree": DEGREE_LABELS,
}


#: kinds of recorded contacts; "angebot" = an offer made to the customer (job, measure, counselling)
CHANNELS: dict[str, str] = {"persoenlich": "persönlich", "telefon": "Telefon", "schriftlich": "schriftlich",
                            "angebot": "Angebot (Stelle, Maßnahme, Beratung)"}


def caseload(ctx: PageCtx, fachkraft: str = "", suche: str = "", gemeinde: str = "", sortierung: str = "",
             richtung: str = "", seite: str = "") -> Response:
    """The caseload: case managers their own, team leads their team's, lead roles everybody's; filtered by
    caseworker (id or name, case-insensitive), municipality (AGS or name), searched by person id, the person's name (if the data has names) or caseworker, sorted and paged on the server (issue 13 item 5; ``casework.query``)."""
    from dataclasses import replace

    from zielwerk.casework.query import QueryError, person_name, run

    from . import heute as h

    ctx.require("casework.view")
    results = ctx.request.app.state.results
    scope = ctx.person_scope()
    rows = results.caseload_in(scope)
    wanted = fachkraft.strip().casefold()
    if scope.kind in ("caseworker", "team") and wanted:
        # an exact caseworker id outside the user's scope is refused (audited); names and parts of names
        # only search within the scope
        everybody = results.caseload()
        ids = {i.casefold() for i in everybody.column("caseworker_id").to_pylist()} if everybody is not None else set()
        if wanted in ids and wanted not in {r["caseworker_id"].casefold() for r in rows}:
            ctx.deny("caseload.read", object_type="caseworker", object_id=fachkraft)
    names = h.caseworker_names(ctx)
    munis = h.municipality_names(ctx)
    has_names = any(r.get("first_name") or r.get("last_name") for r in rows)
    columns = {"person_id": "Person", **({"last_name": "Name"} if has_names else {}), "caseworker_name": "Fachkraft", "team": "Team", "municipality_id": "Gemeinde",
               "sex": "Geschlecht", "birth_date": "Geburtsdatum", "assigned_since": "zugeordnet seit"}
    q = h.parse_query(sortierung=sortierung, richtung=richtung, seite=seite, gemeinde=gemeinde,
                      fachkraft=fachkraft, suche=suche, allowed_sort=columns)
    table = pa.Table.from_pylist([{**r, "caseworker_name": names.get(r["caseworker_id"]) or r["caseworker_id"]}
                                  for r in rows]) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})
    try:
        page = run(table, q if q.sort else replace(q, sort="person_id"), munis)
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from None
    shown = [{**r, "municipality": h.municipality_label(r.get("municipality_id"), munis),
              "name": person_name(r.get("first_name"), r.get("last_name"))} for r in page.rows.to_pylist()]
    worker = fachkraft.strip() or (scope.value if scope.kind == "caseworker" else None)
    label = worker or (f"Team {scope.value}" if scope.kind == "team" else "alle")
    ctx.audit("caseload.read", object_type="caseworker", object_id=label, after={"personen": page.total})
    return ctx.render("caseload.html", rows=shown, total=page.total, worker=worker, q=q, pager=h.pager(ctx, page),
                      headers=h.sort_headers(ctx, list(columns.items()), q, columns),
                      team=scope.value if scope.kind == "team" else None,
                      has_results=results.caseload() is not None, has_names=has_names)


def _authorised_person(ctx: Ctx, person_id: str) -> dict:
    ctx.require("person.read", object_type="person", object_id=person_id)
    person = ctx.request.app.state.results.person(person_id)
    if not ctx.person_scope().admits(person["caseworker_id"] if person else None,
                                     person["team"] if person else None):
        ctx.deny("person.read", object_type="person", object_id=person_id)
    if person is None:
        raise HTTPException(404, f"Die Person „{person_id}“ ist in keinem aktuellen Fallbestand.")
    return person


def _case_file(ctx: Ctx, person_id: str) -> tuple[Any, str]:
    """(case view from the batch's case files or None, German note why not)."""
    folder = casefiles_dir(ctx.request.app.state.config.data_dir)
    try:
        cv = read_case_view(folder, person_id)
    except PersonNotFound:
        return None, "Die Person ist in den berechneten Falldaten nicht enthalten."
    if cv is None:
        err = (ctx.request.app.state.results.meta() or {}).get("caseview_error")
        return None, ("Die Falldaten konnten bei der letzten Berechnung nicht erstellt werden: " + err if err else
                      "Die Falldaten sind noch nicht berechnet (Seite „Daten“: Kennzahlen neu berechnen).")
    return cv, ""


def _plans(ctx: Ctx, person_id: str) -> list[dict]:
    """The store's action plans with their review due date (§ 15 (3) SGB II: at most 6 months after the
    agreement; ``casework.records.review_due``) and whether it is overdue today."""
    today = date.today()
    out = []
    for pl in caserecords.plans_of(ctx.db, person_id):
        due = review_due(pl.agreed_on, None, pl.review_on)
        out.append({"agreed_on": pl.agreed_on, "review_on": pl.review_on, "review_due": due, "goals": pl.goals,
                    "status": pl.status, "caseworker_id": pl.caseworker_id, "created_by": pl.created_by,
                    "overdue": pl.status == "aktiv" and due < today})
    return out


def _render_person(ctx: Ctx, p: dict, person_id: str, *, status_code: int = 200, error: str = "") -> Response:
    cv, cv_note = _case_file(ctx, person_id)
    from zielwerk.casework.query import person_name

    from .heute import municipality_names

    return ctx.render("person.html", status_code=status_code, p=p, cv=cv,
                      name=person_name(p.get("first_name"), p.get("last_name")), cv_note=cv_note, labels=LABELS,
                      channels=CHANNELS, munis=municipality_names(ctx),
                      cv_day=(read_casefile_meta(casefiles_dir(ctx.request.app.state.config.data_dir)) or {}).get("day"),
                      contacts=caserecords.contacts_of(ctx.db, person_id), plans=_plans(ctx, person_id),
                      error=error, can_write=ctx.can("casework.write"))


def person(ctx: PageCtx, person_id: str) -> Response:
    p = _authorised_person(ctx, person_id)
    ctx.audit("person.read", object_type="person", object_id=person_id)
    return _render_person(ctx, p, person_id)


def add_contact(ctx: PageCtx, person_id: str, outcome: str = Form(""), channel: str = Form("persoenlich"),
                      note: str = Form("")) -> Response:
    ctx.require("casework.write", object_type="person", object_id=person_id)
    p = _authorised_person(ctx, person_id)
    if channel not in CHANNELS:
        return _render_person(ctx, p, person_id, status_code=422,
                              error=f"Unbekannte Kontaktart „{channel}“ (erlaubt: {', '.join(CHANNELS.values())}).")
    if not outcome.strip():
        return _render_person(ctx, p, person_id, status_code=422, error="Bitte das Ergebnis des Kontakts angeben.")
    c = caserecords.add_contact(ctx.db, person_id=person_id, caseworker_id=p["caseworker_id"],
                                created_by=ctx.user.username, outcome=outcome.strip(), channel=channel,
                                note=note.strip())
    ctx.audit("contact.create", object_type="person", object_id=person_id,
              after={"kontakt": c.id, "kanal": channel, "ergebnis": c.outcome})
    return RedirectResponse(f"/fallsteuerung/person/{person_id}", status_code=303)


def add_plan(ctx: PageCtx, person_id: str, agreed_on: str = Form(""), review_on: str = Form(""),
                   goals: str = Form("")) -> Response:
    ctx.require("casework.write", object_type="person", object_id=person_id)
    p = _authorised_person(ctx, person_id)
    try:
        agreed = date.fromisoformat(agreed_on)
        review = date.fromisoformat(review_on) if review_on else None
        plan = caserecords.add_action_plan(ctx.db, person_id=person_id, caseworker_id=p["caseworker_id"],
                                           created_by=ctx.user.username, agreed_on=agreed, review_on=review,
                                           goals=[g.strip() for g in goals.splitlines() if g.strip()])
    except (ValueError, caserecords.CaseRecordError) as exc:
        msg = str(exc) if isinstance(exc, caserecords.CaseRecordError) else "Bitte gültige Daten angeben."
        return _render_person(ctx, p, person_id, status_code=422, error=msg)
    ctx.audit("plan.create", object_type="person", object_id=person_id,
              after={"plan": plan.id, "vereinbart": plan.agreed_on, "ueberpruefung": plan.review_on})
    return RedirectResponse(f"/fallsteuerung/person/{person_id}", status_code=303)
