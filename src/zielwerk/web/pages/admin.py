"""Verwaltung (admin only): users and roles, API tokens, and the audit log viewer."""

from __future__ import annotations

import re

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete

from zielwerk.store import audit, users
from zielwerk.store.models import WebSession

from ..context import PageCtx
from ..permissions import ROLES

_JOBCENTER_ID = re.compile(r"^[0-9A-Za-z_-]{1,40}$")


def parse_jobcenters(text: str) -> list[str]:
    """Jobcenter ids of a supervision assignment (separated by commas, semicolons or blanks); German
    error naming the field if one is malformed."""
    ids = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    bad = [t for t in ids if not _JOBCENTER_ID.match(t)]
    if bad:
        raise users.UserError(f"Zugeordnete Jobcenter: „{bad[0][:40]}“ ist keine Jobcenter-Kennung "
                              "(Buchstaben, Ziffern, - und _, höchstens 40 Zeichen).")
    if len(ids) > 1000:
        raise users.UserError("Zugeordnete Jobcenter: höchstens 1.000 Jobcenter.")
    return ids


def _assignments(ctx: PageCtx) -> dict[int, list[str]]:
    from zielwerk.store import peers

    return {u.id: peers.assigned(ctx.db, u.id) for u in users.all_users(ctx.db) if u.role == "aufsicht"}


def users_page(ctx: PageCtx) -> Response:
    ctx.require("admin.users")
    return ctx.render("admin_users.html", users=users.all_users(ctx.db), error="", values={}, token="",
                      assignments=_assignments(ctx))


def create_user(
    ctx: PageCtx,
    username: str = Form(""),
    full_name: str = Form(""),
    password: str = Form(""),
    role: str = Form(""),
    jobcenter_id: str = Form(""),
    municipality_id: str = Form(""),
    caseworker_id: str = Form(""),
    team: str = Form(""),
    aufsicht_jobcenter: str = Form(""),
) -> Response:
    ctx.require("admin.users")
    values = {"username": username, "full_name": full_name, "role": role, "jobcenter_id": jobcenter_id,
              "municipality_id": municipality_id, "caseworker_id": caseworker_id, "team": team,
              "aufsicht_jobcenter": aufsicht_jobcenter}
    error = ""
    supervised: list[str] = []
    try:
        supervised = parse_jobcenters(aufsicht_jobcenter)
    except users.UserError as exc:
        error = str(exc)
    if supervised and role != "aufsicht":
        error = "Zugeordnete Jobcenter gibt es nur für die Rolle Aufsicht."
    if role == "kommune" and not municipality_id.strip():
        error = "Für die Rolle Kommune ist der Gemeindeschlüssel Pflicht."
    elif role == "fallmanagement" and not caseworker_id.strip() and not team.strip():
        # with a caseworker id: case manager (own caseload); with only a team: team lead (the team's caseload)
        error = ("Für die Rolle Fallmanagement ist die Fachkraft-Kennung (Fallmanager/in) oder – für eine "
                 "Teamleitung – das Team Pflicht.")
    if not error:
        try:
            # the first password is a one-time password: the user must change it (issue 12)
            user = users.create_user(ctx.db, username, password, role, full_name=full_name,
                                     jobcenter_id=jobcenter_id.strip(), municipality_id=municipality_id.strip(),
                                     caseworker_id=caseworker_id.strip(), team=team.strip(),
                                     known_roles=tuple(ROLES), one_time_password=True)
        except users.UserError as exc:
            error = str(exc)
    if error:
        audit.record(ctx.db, username=ctx.user.username, role=ctx.role, action="user.create", object_type="user",
                     object_id=username.strip()[:200], outcome="failed", client=ctx.client,
                     after={"rolle": role, "grund": error})
        return ctx.render("admin_users.html", status_code=422, users=users.all_users(ctx.db), error=error,
                          values=values, token="", assignments=_assignments(ctx))
    extra = {}
    if supervised:
        from zielwerk.store import peers

        _, extra["jobcenter"] = peers.assign(ctx.db, user, supervised)
    ctx.audit("user.create", object_type="user", object_id=user.username,
              after={"rolle": user.role, **user.scope(), "einmalpasswort": True, **extra})
    return RedirectResponse("/verwaltung", status_code=303)


def set_supervised(ctx: PageCtx, username: str, jobcenter: str = Form("")) -> Response:
    """Replace the Jobcenters assigned to a user of the role aufsicht (audited with before and after)."""
    from zielwerk.store import peers

    ctx.require("admin.users")
    user = users.by_name(ctx.db, username)
    if user is None:
        raise HTTPException(404, f"Den Benutzer „{username}“ gibt es nicht.")
    if user.role != "aufsicht":
        raise HTTPException(422, "Zugeordnete Jobcenter gibt es nur für die Rolle Aufsicht.")
    try:
        ids = parse_jobcenters(jobcenter)
    except users.UserError as exc:
        raise HTTPException(422, str(exc)) from exc
    before, after = peers.assign(ctx.db, user, ids)
    ctx.audit("user.supervision", object_type="user", object_id=username, before={"jobcenter": before},
              after={"jobcenter": after})
    return RedirectResponse("/verwaltung", status_code=303)


def set_active(ctx: PageCtx, username: str, active: str = Form("")) -> Response:
    ctx.require("admin.users")
    user = users.by_name(ctx.db, username)
    if user is None:
        raise HTTPException(404, f"Den Benutzer „{username}“ gibt es nicht.")
    if user.id == ctx.user.id:
        raise HTTPException(409, "Sie können sich nicht selbst sperren.")
    before = user.active
    user.active = active == "1"
    if not user.active:
        ctx.db.execute(delete(WebSession).where(WebSession.user_id == user.id))
    ctx.audit("user.active", object_type="user", object_id=username, before={"aktiv": before},
              after={"aktiv": user.active})
    return RedirectResponse("/verwaltung", status_code=303)


def issue_token(ctx: PageCtx, username: str, label: str = Form("")) -> Response:
    """Tokens are issued only to their owner (issue 12): for anyone else refused and audited; the own
    token is made on the account page."""
    ctx.require("admin.users")
    if username != ctx.user.username:
        ctx.deny("token.issue", object_type="user", object_id=username)
    return RedirectResponse("/konto", status_code=303)


def audit_page(ctx: PageCtx, benutzer: str = "", aktion: str = "", seite: int = 1, pruefen: str = "") -> Response:
    ctx.require("admin.audit")
    check = audit.verify_chain(ctx.db) if pruefen else None  # the hash chain (issue 12), on request
    if check is not None:
        ctx.audit("audit.verify", object_type="audit_log", object_id=str(check.last_id),
                  after={"unveraendert": check.ok, "eintraege": check.rows, "erster_fehler": check.broken_id})
    pages = max(1, -(-audit.count(ctx.db) // 100))
    if seite > pages:
        raise HTTPException(404, f"Diese Seite des Protokolls gibt es nicht (Seiten 1 bis {pages}).")
    seite = max(1, seite)
    entries = audit.entries(ctx.db, username=benutzer or None, action=aktion or None, limit=100,
                            offset=(seite - 1) * 100)
    return ctx.render("admin_audit.html", entries=entries, benutzer=benutzer, aktion=aktion, seite=seite,
                      total=audit.count(ctx.db), check=check)
