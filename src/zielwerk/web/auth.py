"""Login and logout: server-side sessions, login CSRF (double submit), throttling, audit."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from urllib.parse import urlparse

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import delete

from zielwerk.store import audit, throttle, users
from zielwerk.store.models import WebSession

from .context import SESSION_COOKIE, PageCtx, render
from .permissions import LANDING, PASSWORD_CHANGE_PATH

LOGIN_CSRF_COOKIE = "zw_login_csrf"


def _safe_next(target: str) -> str:
    """Only local paths are followed after login (no open redirect)."""
    parsed = urlparse(target)
    if target.startswith("/") and not target.startswith("//") and not parsed.netloc:
        return target
    return ""


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int | None) -> None:
    cfg = request.app.state.config
    response.set_cookie(name, value, max_age=max_age, httponly=True, secure=cfg.secure_cookies,
                        samesite="strict", path="/")


def login_form(request: Request, next: str = "") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", login_csrf=token, next=_safe_next(next), error="")
    _cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response


def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form(""),
) -> Response:
    # a plain ``def``: FastAPI runs it in the thread pool, so argon2 does not block the event loop
    cfg = request.app.state.config
    client = request.client.host if request.client else ""
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")

    def again(message: str, status: int) -> Response:
        token = cookie_token or secrets.token_urlsafe(24)
        response = render(request, "login.html", status_code=status, login_csrf=token,
                          next=_safe_next(next), error=message, username=username)
        _cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
        return response

    if not cookie_token or not secrets.compare_digest(cookie_token, csrf_token):
        return again("Das Formular ist abgelaufen. Bitte erneut anmelden.", 400)
    factory = request.app.state.sessions
    now = datetime.now(UTC)
    name = username.strip()[:80]
    # atomic reservation of a try, committed before the password hash is verified (store/throttle.py)
    slot = throttle.reserve(factory, name, client, limit=cfg.max_failed_logins, window=cfg.throttle_window,
                            now=now)
    if not slot.allowed:
        with factory.begin() as db:
            throttle.audit_failed_login(db, name, client, "denied", cfg.throttle_window, now,
                                        client_locked=slot.client_count > throttle.CLIENT_FACTOR
                                        * cfg.max_failed_logins)
        minutes = max(1, -(-int(slot.retry_after.total_seconds()) // 60))
        return again(f"Zu viele Fehlversuche. Bitte in {minutes} Minuten erneut versuchen.", 429)
    with factory.begin() as db:
        user = users.authenticate(db, username, password)
        if user is None:
            throttle.audit_failed_login(db, name, client, "failed", cfg.throttle_window, now)
            failed_login = True
        else:
            failed_login = False
            earlier = throttle.release(db, user.username, client, now, cfg.throttle_window)
            sid = secrets.token_urlsafe(32)
            db.add(WebSession(id=sid, user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                              expires_at=now + cfg.session_lifetime))
            audit.record(db, username=user.username, role=user.role, action="login", object_type="user",
                         object_id=user.username, client=client,
                         after={"fehlversuche_vorher": earlier} if earlier else None)
            target = _safe_next(next) or LANDING[user.role]
            if user.must_change_password:
                target = PASSWORD_CHANGE_PATH
    if failed_login:
        return again("Benutzername oder Passwort ist falsch.", 401)
    response = RedirectResponse(target, status_code=303)
    _cookie(response, request, SESSION_COOKIE, sid, int(cfg.session_lifetime.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


def logout(ctx: PageCtx) -> Response:
    sid = ctx.request.cookies.get(SESSION_COOKIE, "")
    ctx.db.execute(delete(WebSession).where(WebSession.id == sid))
    ctx.audit("logout", object_type="user", object_id=ctx.user.username)
    response = RedirectResponse("/anmelden", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
