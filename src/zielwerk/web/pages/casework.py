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


def caseload(ctx: PageCtx, fachkraft: str = "") -> Response:
    """The caseload: case managers their own, team leads their team's (optionally one caseworker of it),
    lead roles everybody's or one caseworker's."""
    ctx.require("casework.view")
    results = ctx.request.app.state.results
    scope = ctx.person_scope()
    worker = fachkraft or None
    if scope.kind == "caseworker":
        if fachkraft and fachkraft != scope.value:
            ctx.deny("caseload.read", object_type="caseworker", object_id=fachkraft)
        worker = scope.value
    elif scope.kind == "team" and fachkraft and not results.caseload_in(scope, fachkraft):
        ctx.deny("caseload.read", object_type="caseworker", object_id=fachkraft)
    rows = results.caseload_in(scope, worker)
    label = worker or (f"Team {scope.value}" if scope.kind == "team" else "alle")
    ctx.audit("caseload.read", object_type="caseworker", object_id=label, after={"personen": len(rows)})
    return ctx.render("caseload.html", rows=rows[:500], total=len(rows), worker=worker,
                      team=scope.value if scope.kind == "team" else None,
                      has_results=results.caseload() is not None)


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
    return ctx.render("person.html", status_code=status_code, p=p, cv=cv, cv_note=cv_note, labels=LABELS,
                      channels=CHANNELS,
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
