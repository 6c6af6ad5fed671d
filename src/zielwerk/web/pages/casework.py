"""Fallsteuerung: the caseload (person-level) and a customer's case record.

Person-level data: lead roles see every person "where needed"; case managers only their own
caseload (``permissions.may_read_person``). Every read of a person and every refusal is audited.
"""

from __future__ import annotations

from datetime import date

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response

from zielwerk.store import caserecords

from ..context import Ctx, PageCtx
from ..permissions import may_read_person


async def caseload(ctx: PageCtx, fachkraft: str = "") -> Response:
    ctx.require("casework.view")
    results = ctx.request.app.state.results
    if ctx.role == "fallmanagement":
        worker = ctx.user.caseworker_id
        if fachkraft and fachkraft != worker:
            ctx.deny("caseload.read", object_type="caseworker", object_id=fachkraft)
    else:
        worker = fachkraft or None
    rows = results.caseload_of(worker) if worker or ctx.role != "fallmanagement" else []
    ctx.audit("caseload.read", object_type="caseworker", object_id=worker or "alle",
              after={"personen": len(rows)})
    return ctx.render("caseload.html", rows=rows[:500], total=len(rows), worker=worker,
                      has_results=results.caseload() is not None)


def _authorised_person(ctx: Ctx, person_id: str) -> dict:
    ctx.require("person.read", object_type="person", object_id=person_id)
    person = ctx.request.app.state.results.person(person_id)
    assigned = person["caseworker_id"] if person else None
    if not may_read_person(ctx.role, ctx.user.caseworker_id, assigned):
        ctx.deny("person.read", object_type="person", object_id=person_id)
    if person is None:
        raise HTTPException(404, f"Die Person „{person_id}“ ist in keinem aktuellen Fallbestand.")
    return person


async def person(ctx: PageCtx, person_id: str) -> Response:
    p = _authorised_person(ctx, person_id)
    ctx.audit("person.read", object_type="person", object_id=person_id)
    return ctx.render("person.html", p=p, contacts=caserecords.contacts_of(ctx.db, person_id),
                      plans=caserecords.plans_of(ctx.db, person_id), error="",
                      can_write=ctx.can("casework.write"))


async def add_contact(ctx: PageCtx, person_id: str, outcome: str = Form(""), channel: str = Form("persoenlich"),
                      note: str = Form("")) -> Response:
    ctx.require("casework.write", object_type="person", object_id=person_id)
    p = _authorised_person(ctx, person_id)
    if not outcome.strip():
        return ctx.render("person.html", status_code=422, p=p, contacts=caserecords.contacts_of(ctx.db, person_id),
                          plans=caserecords.plans_of(ctx.db, person_id), can_write=True,
                          error="Bitte das Ergebnis des Kontakts angeben.")
    c = caserecords.add_contact(ctx.db, person_id=person_id, caseworker_id=p["caseworker_id"],
                                created_by=ctx.user.username, outcome=outcome.strip(), channel=channel,
                                note=note.strip())
    ctx.audit("contact.create", object_type="person", object_id=person_id,
              after={"kontakt": c.id, "kanal": channel, "ergebnis": c.outcome})
    return RedirectResponse(f"/fallsteuerung/person/{person_id}", status_code=303)


async def add_plan(ctx: PageCtx, person_id: str, agreed_on: str = Form(""), review_on: str = Form(""),
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
        return ctx.render("person.html", status_code=422, p=p, contacts=caserecords.contacts_of(ctx.db, person_id),
                          plans=caserecords.plans_of(ctx.db, person_id), can_write=True, error=msg)
    ctx.audit("plan.create", object_type="person", object_id=person_id,
              after={"plan": plan.id, "vereinbart": plan.agreed_on, "ueberpruefung": plan.review_on})
    return RedirectResponse(f"/fallsteuerung/person/{person_id}", status_code=303)
