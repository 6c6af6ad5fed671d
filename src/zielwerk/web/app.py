"""The Zielwerk web application. ``ROUTES`` below is the table of contents of the whole app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route

from zielwerk.store import default_url, open_store

from . import api, apidocs, auth, formats
from .config import WebConfig
from .context import CsrfFailed, NotAuthenticated, remember_user, render
from .pages import (
    account,
    admin,
    agreement,
    aufsicht,
    casework,
    data,
    fall_lists,
    heute,
    indicators,
    overview,
    reports,
    teams,
    vergleich,
)

# isort: split
from .pages import abgleich  # issue 14: own figures beside the official ones
from .permissions import PASSWORD_CHANGE_PATH, PasswordChangeRequired
from .report_bridge import RenderPool
from .results import BatchState, GenerationSnapshot, Results
from .security import SecurityHeaders

HERE = Path(__file__).parent

#: (method, path, handler) — one line per page or action.
ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/anmelden", auth.login_form),
    ("POST", "/anmelden", auth.login),
    ("POST", "/abmelden", auth.logout),
    ("GET", "/", overview.page),
    ("GET", "/kennzahlen", indicators.page),
    ("GET", "/kennzahlen/download.csv", indicators.download_csv),
    ("GET", "/kennzahlen/download.xlsx", indicators.download_xlsx),
    ("GET", "/kennzahlen/abgleich", abgleich.page),  # issue 14: reconciliation with the official figures
    ("GET", "/kennzahlen/{code}/definition", indicators.definition),
    ("GET", "/kennzahlen/{code}", indicators.indicator_page),  # every catalogue code, local ones included
    ("GET", "/zielvereinbarung", agreement.index),
    ("GET", "/zielvereinbarung/neu", agreement.create_form),
    ("POST", "/zielvereinbarung/neu", agreement.create),
    ("GET", "/zielvereinbarung/{key}", agreement.view),
    ("GET", "/zielvereinbarung/{key}/bearbeiten", agreement.edit_form),
    ("POST", "/zielvereinbarung/{key}/bearbeiten", agreement.edit),
    ("POST", "/zielvereinbarung/{key}/zielwert", agreement.change_target),
    ("GET", "/zielvereinbarung/{key}/unterzeichnen", agreement.sign_form),  # confirmation step
    ("POST", "/zielvereinbarung/{key}/unterzeichnen", agreement.sign),
    ("GET", "/zielvereinbarung/{key}/vergleich", agreement.compare_versions),
    ("GET", "/berichte", reports.page),
    ("GET", "/berichte/{monat}", reports.download),
    ("POST", "/berichte/{monat}/begruendung", reports.comment),  # Abweichungsbegründung per goal and month
    ("GET", "/daten", data.page),
    ("GET", "/daten/status", data.status),
    ("POST", "/daten/ordner", data.import_folder),
    ("POST", "/daten/hochladen", data.upload),
    ("POST", "/daten/berechnen", data.recompute),
    ("GET", "/fallsteuerung", casework.caseload),
    ("GET", "/fallsteuerung/teams", teams.page),  # issue 15 item 6: goals broken down to teams
    *heute.ROUTES,  # /fallsteuerung/heute: start page of case managers and team leads (issue 13 item 5)
    # work lists: /fallsteuerung/listen, …/{name}, …/{name}/download.csv, …/{name}/download.xlsx
    *fall_lists.ROUTES,
    ("GET", "/fallsteuerung/person/{person_id}", casework.person),
    ("POST", "/fallsteuerung/person/{person_id}/kontakt", casework.add_contact),
    ("POST", "/fallsteuerung/person/{person_id}/plan", casework.add_plan),
    # issue 14: Vergleichstyp peers; the supervising body's status matrix and a Jobcenter's aggregate overview
    ("GET", "/vergleich", vergleich.page),
    ("GET", "/aufsicht", aufsicht.matrix_page),
    ("GET", "/aufsicht/{jobcenter_id}", aufsicht.jobcenter_page),
    ("GET", "/verwaltung", admin.users_page),
    ("POST", "/verwaltung/benutzer", admin.create_user),
    ("POST", "/verwaltung/benutzer/{username}/aktiv", admin.set_active),
    ("POST", "/verwaltung/benutzer/{username}/aufsicht", admin.set_supervised),  # issue 14: assigned Jobcenters
    ("POST", "/verwaltung/benutzer/{username}/token", admin.issue_token),
    ("GET", "/verwaltung/protokoll", admin.audit_page),
    # own account (every role): password change, own API tokens (issue 12)
    ("GET", "/konto", account.page),
    ("GET", "/konto/passwort", account.password_form),
    ("POST", "/konto/passwort", account.change_password),
    ("POST", "/konto/token", account.create_token),
    ("POST", "/konto/token/{token_id}/widerrufen", account.revoke_token),
]


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(number=formats.number, integer=formats.integer, count=formats.count, date=formats.german_date,
                       month=formats.german_month)
    return templates


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Server start: start the render pool's worker processes (imports, fonts) if it has any; stop: end them."""
    app.state.render_pool.warm()
    yield
    app.state.render_pool.shutdown()


def create_app(config: WebConfig) -> FastAPI:
    """Build the app: migrate the store, mount static files, register routes and error pages."""
    app = FastAPI(title="Zielwerk API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json", lifespan=_lifespan)
    Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    engine, sessions = open_store(config.db_url or default_url(config.data_dir))
    app.state.config = config
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.templates = _templates()
    app.state.results = Results(config.data_dir)
    app.state.batch = BatchState()
    # PDF and Excel rendering off the event loop, at most two at a time (report_bridge.RenderPool): threads
    # here (tests, embedding); worker processes in the server (create_app_from_env)
    app.state.render_pool = RenderPool(processes=False)
    apidocs.install(app)  # /api/docs with local Swagger UI assets (before the /static mount)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for method, path, handler in ROUTES:
        methods = [method, "HEAD"] if method == "GET" else [method]
        app.add_api_route(path, handler, methods=methods, include_in_schema=False)  # type: ignore[arg-type]
    app.include_router(api.router)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(GenerationSnapshot, data_dir=config.data_dir)  # one generation per request
    _error_handlers(app)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory zielwerk.web.app:create_app_from_env`` (several worker processes).

    Reads ``ZIELWERK_DATA_DIR``, ``ZIELWERK_DB_URL`` (optional) and ``ZIELWERK_INSECURE_COOKIES=1``;
    reports and Excel files render in worker processes (``ZIELWERK_RENDER_WORKERS``, default 2;
    ``ZIELWERK_RENDER_PROCESSES=0``: threads).
    Note: the progress of a background import is held per process.
    """
    import os

    app = create_app(WebConfig(data_dir=Path(os.environ["ZIELWERK_DATA_DIR"]),
                               db_url=os.environ.get("ZIELWERK_DB_URL") or None,
                               secure_cookies=os.environ.get("ZIELWERK_INSECURE_COOKIES") != "1"))
    app.state.render_pool = RenderPool.from_env()  # worker processes unless ZIELWERK_RENDER_PROCESSES=0
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, _exc: PasswordChangeRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Bitte zuerst das Einmal-Passwort ändern."}, status_code=403)
        if request.headers.get("hx-request"):
            return Response(status_code=403, headers={"hx-redirect": PASSWORD_CHANGE_PATH})
        return RedirectResponse(PASSWORD_CHANGE_PATH, status_code=303)

    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Nicht angemeldet."}, status_code=401,
                                headers={"www-authenticate": "Bearer"})
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"hx-redirect": "/anmelden"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/anmelden?next={target}" if request.method == "GET" else "/anmelden",
                                status_code=303)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        message = "Sicherheitsprüfung fehlgeschlagen (CSRF-Token fehlt oder ist falsch). Bitte Seite neu laden."
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=403)
        return render(request, "error.html", status_code=403, message=message, code=403)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
                return JSONResponse({"detail": "Der Inhalt der Anfrage ist kein gültiges JSON."}, status_code=400)
            if exc.status_code == 422 and isinstance(exc.detail, str):  # the documented list (issue 12)
                return JSONResponse({"detail": [{"loc": [], "msg": exc.detail, "type": "value_error"}]},
                                    status_code=422, headers=exc.headers)
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", status_code=exc.status_code, message=exc.detail,
                      code=exc.status_code)

    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def starlette_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = "Diese Seite gibt es nicht." if exc.status_code == 404 else str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # e.g. TRACE: name the allowed methods (static files give none)
            message = f"Die Methode {request.method} ist hier nicht erlaubt."
            headers.setdefault("Allow", "GET, HEAD")
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=exc.status_code, headers=headers or None)
        if not request.url.path.startswith("/static/"):  # the error page keeps the navigation (issue 13)
            await run_in_threadpool(remember_user, request)
        response = render(request, "error.html", status_code=exc.status_code, message=message, code=exc.status_code)
        response.headers.update(headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) + ": " + str(e.get("msg", ""))
                          for e in exc.errors())
        message = f"Ungültige Eingabe ({where})."
        if _is_api(request):
            # the schema FastAPI documents for 422 (HTTPValidationError): a list of {loc, msg, type}
            items = [{"loc": [p if isinstance(p, (str, int)) else str(p) for p in e.get("loc", ())],
                      "msg": f"Ungültige Eingabe: {e.get('msg', '')}", "type": str(e.get("type", "value_error"))}
                     for e in exc.errors()]
            return JSONResponse({"detail": items}, status_code=422)
        return render(request, "error.html", status_code=422, message=message, code=422)


__all__ = ["ROUTES", "Route", "create_app"]
