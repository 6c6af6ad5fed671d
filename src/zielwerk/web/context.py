"""The request context every route receives: database session, user, CSRF, audit, rendering.

``ctx = Depends(page)`` for HTML routes and ``Depends(api)`` for JSON routes. ``ctx.require(perm)``
is the single enforcement point of the permission table; a refusal is audited and answered 403.

No database access on the event loop (issue 10): the context is a plain generator (FastAPI runs its
setup and its commit in the thread pool), and every handler that uses ``ctx.db`` or reads result files
is a plain ``def``; the few ``async`` handlers run their database part in the thread pool and hand
rendering to the bounded render pool of :mod:`zielwerk.web.report_bridge`
(``tests/web/test_eventloop.py`` checks this).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from zielwerk.store import audit, users
from zielwerk.store.models import User, WebSession

from . import permissions

SESSION_COOKIE = "zw_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotAuthenticated(Exception):
    """No valid session or token (HTML: redirect to the login page; API: 401)."""


class CsrfFailed(Exception):
    """A state-changing request without the session's CSRF token."""


@dataclass
class Ctx:
    request: Request
    db: Session
    user: User
    csrf_token: str = ""
    via_token: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def client(self) -> str:
        return self.request.client.host if self.request.client else ""

    def person_scope(self) -> permissions.PersonScope:
        """The persons this user may see (own caseload, team, all or none)."""
        return permissions.person_scope(self.user.role, self.user.caseworker_id, self.user.team)

    def can(self, permission: str) -> bool:
        return permissions.has(self.user.role, permission)

    def require(self, permission: str, *, object_type: str = "", object_id: str = "") -> None:
        """Refuse (403, audited) unless the user's role holds ``permission``."""
        if not self.can(permission):
            self.deny(permission, object_type=object_type, object_id=object_id)

    def deny(self, action: str, *, object_type: str = "", object_id: str = "") -> None:
        """Record the refusal in its own committed transaction, then raise 403."""
        factory = self.request.app.state.sessions
        with factory.begin() as s:
            audit.record(s, username=self.user.username, role=self.user.role, action=action,
                         object_type=object_type or "route", object_id=object_id or self.request.url.path,
                         outcome="denied", client=self.client)
        raise HTTPException(status_code=403, detail="Dafür fehlt Ihnen die Berechtigung.")

    def audit(self, action: str, *, object_type: str = "", object_id: str = "", before: Any = None,
              after: Any = None) -> None:
        """Audit a read of person-level data or a change (committed with the request)."""
        audit.record(self.db, username=self.user.username, role=self.user.role, action=action,
                     object_type=object_type, object_id=object_id, before=before, after=after,
                     client=self.client)

    def render(self, template: str, status_code: int = 200, **values: Any) -> Response:
        return render(self.request, template, status_code=status_code, user=self.user,
                      csrf_token=self.csrf_token, **values)


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> Response:
    templates = request.app.state.templates
    if values.get("user") is None:  # error pages keep the navigation: the request's user, if known
        known = getattr(request.state, "zw_user", None)
        if known is not None:
            values["user"], values["csrf_token"] = known, values.get("csrf_token") or known.csrf_token
    user = values.get("user")
    role = user.role if user is not None else None
    values.setdefault("csrf_token", "")
    return templates.TemplateResponse(
        request, template, {"nav": permissions.navigation(role), "roles": permissions.ROLES,
                            "path": request.url.path, "start": permissions.start_page(role),
                            "can": lambda perm: role is not None and permissions.has(role, perm), **values},
        status_code=status_code,
    )


@dataclass(frozen=True)
class KnownUser:
    """A detached copy of the request's user for error pages rendered after the session closed."""

    username: str
    full_name: str
    role: str
    csrf_token: str


def remember_user(request: Request) -> None:
    """(Thread pool) For error pages raised before a route's context ran (unknown paths): find the
    session's user so that the page keeps the navigation. Never raises."""
    if getattr(request.state, "zw_user", None) is not None or not request.cookies.get(SESSION_COOKIE):
        return
    try:
        with request.app.state.sessions() as db:
            found = _session_user(db, request)
            if found is not None and not found[0].must_change_password:
                user = found[0]
                request.state.zw_user = KnownUser(user.username, user.full_name or "", user.role, found[1])
    except Exception:  # noqa: BLE001 - an error page must render even when the store fails
        return


def _session_user(db: Session, request: Request) -> tuple[User, str] | None:
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return None
    row = db.scalar(select(WebSession).where(WebSession.id == sid))
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    if expires < datetime.now(UTC) or not row.user.active:
        return None
    return row.user, row.csrf_token


async def _sent_csrf(request: Request) -> str:
    """The CSRF token a state-changing request sent (header, else the form field); "" for safe methods.

    The only ``async`` part of the context: reading the request body must be awaited. Everything that
    touches the database runs in :func:`_context`, a plain generator FastAPI runs in its thread pool.
    """
    if request.method not in UNSAFE_METHODS:
        return ""
    sent = request.headers.get("x-csrf-token")
    if not sent and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        sent = str(form.get("csrf_token", ""))
    return sent or ""


def _check_csrf(sent: str, expected: str) -> None:
    if not sent or not secrets.compare_digest(sent, expected):
        raise CsrfFailed()


def _context(request: Request, sent_csrf: str, *, allow_token: bool) -> Iterator[Ctx]:
    """Open the request's session, authenticate, yield the context, commit (all in a worker thread)."""
    factory = request.app.state.sessions
    db: Session = factory()
    try:
        ctx = None
        auth = request.headers.get("authorization", "")
        if allow_token and auth.lower().startswith("bearer "):
            user = users.user_for_token(db, auth[7:].strip())
            if user is not None:
                ctx = Ctx(request, db, user, via_token=True)
        if ctx is None:
            found = _session_user(db, request)
            if found is None:
                raise NotAuthenticated()
            ctx = Ctx(request, db, found[0], csrf_token=found[1])
            if request.method in UNSAFE_METHODS:
                _check_csrf(sent_csrf, found[1])
        if not ctx.via_token:
            request.state.zw_user = KnownUser(ctx.user.username, ctx.user.full_name or "", ctx.user.role,
                                              ctx.csrf_token)
        if ctx.user.must_change_password and request.url.path not in permissions.ONE_TIME_PASSWORD_PATHS:
            raise permissions.PasswordChangeRequired()
        yield ctx
        db.commit()
    except BaseException:
        db.rollback()
        raise
    finally:
        db.close()


def page(request: Request, sent_csrf: Annotated[str, Depends(_sent_csrf)]) -> Iterator[Ctx]:
    """Context for HTML routes (session cookie only). A plain generator: runs in the thread pool."""
    yield from _context(request, sent_csrf, allow_token=False)


def api(request: Request, sent_csrf: Annotated[str, Depends(_sent_csrf)]) -> Iterator[Ctx]:
    """Context for ``/api`` routes (bearer token or session cookie + CSRF header); thread pool too."""
    yield from _context(request, sent_csrf, allow_token=True)


#: Annotated dependencies for route signatures (exit code – the commit – runs before the response).
PageCtx = Annotated[Ctx, Depends(page, scope="function")]
ApiCtx = Annotated[Ctx, Depends(api, scope="function")]
