"""Mein Konto (every role): change the own password, own API tokens (issue 12, points 6 and 7).

* Password change: with the old password, the session's CSRF token (``PageCtx``), the password rules of
  ``store/passwords.py``; wrong old passwords count against the login throttle of the account and
  the client; every outcome is audited; the user's other sessions end.
* A user with a one-time password (set by an administrator) is sent here after login and reaches
  nothing else until it is changed (``context._context``, ``permissions.ONE_TIME_PASSWORD_PATHS``).
* API tokens are created by their owner only and shown once; the owner can revoke them.
"""

from __future__ import annotations

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete

from zielwerk.store import audit, throttle, users
from zielwerk.store.models import WebSession

from ..context import SESSION_COOKIE, PageCtx
from ..permissions import LANDING


def _render(ctx: PageCtx, status_code: int = 200, *, error: str = "", ok: str = "", token: str = "") -> Response:
    return ctx.render("account.html", status_code=status_code, tokens=users.tokens_of(ctx.db, ctx.user),
                      error=error, ok=ok, token=token, must_change=ctx.user.must_change_password)


def page(ctx: PageCtx, geaendert: str = "") -> Response:
    ctx.require("account.self")
    return _render(ctx, ok="Ihr Passwort wurde geändert." if geaendert else "")


def password_form(ctx: PageCtx) -> Response:
    ctx.require("account.self")
    return _render(ctx)


def change_password(ctx: PageCtx, old: str = Form(""), new: str = Form(""), repeat: str = Form("")) -> Response:
    ctx.require("account.self")
    cfg = ctx.request.app.state.config
    name = ctx.user.username

    def refused(outcome: str, reason: str, status: int) -> Response:
        audit.record(ctx.db, username=name, role=ctx.role, action="password.change", object_type="user",
                     object_id=name, outcome=outcome, client=ctx.client, after={"grund": reason})
        return _render(ctx, status, error=reason)

    if new != repeat:  # a typo in the new password is not a guess of the old one: not counted
        return refused("failed", "Die beiden neuen Passwörter stimmen nicht überein.", 422)
    slot = throttle.reserve(ctx.request.app.state.sessions, name, ctx.client, limit=cfg.max_failed_logins,
                            window=cfg.throttle_window)
    if not slot.allowed:
        return refused("denied", "Zu viele Fehlversuche. Bitte später erneut versuchen.", 429)
    was_one_time = ctx.user.must_change_password
    try:
        users.change_own_password(ctx.db, ctx.user, old, new, repeat)
    except users.WrongPassword as exc:
        return refused("failed", str(exc), 422)
    except users.UserError as exc:
        throttle.release(ctx.db, name, ctx.client)
        return refused("failed", str(exc), 422)
    throttle.release(ctx.db, name, ctx.client)
    sid = ctx.request.cookies.get(SESSION_COOKIE, "")
    ctx.db.execute(delete(WebSession).where(WebSession.user_id == ctx.user.id, WebSession.id != sid))
    ctx.audit("password.change", object_type="user", object_id=name,
              after={"einmalpasswort_ersetzt": was_one_time})
    target = LANDING[ctx.role] if was_one_time else "/konto?geaendert=1"
    return RedirectResponse(target, status_code=303)


def create_token(ctx: PageCtx, label: str = Form("")) -> Response:
    """A token for the logged-in user only (shown once; only its hash is stored)."""
    ctx.require("api.token")
    label = label.strip()[:200] or "API"
    token = users.issue_token(ctx.db, ctx.user, label)
    ctx.audit("token.issue", object_type="user", object_id=ctx.user.username, after={"bezeichnung": label})
    return _render(ctx, token=token)


def revoke_token(ctx: PageCtx, token_id: int) -> Response:
    ctx.require("api.token")
    row = users.revoke_token(ctx.db, ctx.user, token_id)
    if row is None:
        raise HTTPException(404, "Dieses Token gibt es nicht (oder es gehört nicht Ihnen).")
    ctx.audit("token.revoke", object_type="user", object_id=ctx.user.username,
              before={"token": token_id, "bezeichnung": row.label})
    return RedirectResponse("/konto", status_code=303)
