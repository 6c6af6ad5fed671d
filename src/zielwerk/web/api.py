"""JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``, docs at ``/api/docs``).

Same permission table as the pages; authentication by ``Authorization: Bearer <token>`` (tokens
issued under Verwaltung) or the session cookie (then state changes need ``X-CSRF-Token``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from zielwerk.domain.calendar import Month
from zielwerk.store import agreements as store

from .agreement_doc import DocumentError, parse
from .catalogue import catalogue
from .context import ApiCtx
from .monitoring import monitoring_for
from .pages import indicators as indicator_pages


class Error(BaseModel):
    """Body of every error answer except 422 (which is the documented list ``HTTPValidationError``)."""

    detail: str = Field(description="Meldung auf Deutsch")


#: error answers documented for every operation (issue 12: the OpenAPI document names them)
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "Nicht angemeldet (Token oder Sitzung fehlt)"},
    403: {"model": Error, "description": "Keine Berechtigung (Rolle) oder CSRF-Token fehlt"},
    404: {"model": Error, "description": "Nicht gefunden"},
}

router = APIRouter(prefix="/api", tags=["Zielwerk"], responses=ERRORS)


class NewVersion(BaseModel):
    document: str = Field(description="Das Dokument der Zielvereinbarung (TOML)")
    reason: str = Field(description="Begründung der Änderung")


@router.get("/meta", summary="Datenstand, vorläufige Monate")
def meta(ctx: ApiCtx) -> dict[str, Any]:
    ctx.require("indicators.view")
    m = ctx.request.app.state.results.meta()
    if m is None:
        raise HTTPException(404, "Es liegen noch keine berechneten Kennzahlen vor.")
    return {k: v for k, v in m.items() if k != "source"}


@router.get("/kennzahlen/katalog", summary="Katalog der Kennzahlen mit Definition und Rechtsquelle")
def indicator_catalogue(ctx: ApiCtx) -> list[dict[str, Any]]:
    ctx.require("indicators.view")
    return [vars(i) for i in catalogue().values()]


@router.get("/kennzahlen", summary="Werte einer Kennzahl für eine Einheit (alle Monate, nach Geschlecht)",
            response_class=JSONResponse)
def indicator_values(ctx: ApiCtx, k: str = "", einheit: str = "") -> JSONResponse:
    """Rows in the long format of the data contract; suppressed values (C10) are ``"*"``."""
    k, unit_type, unit_id, rows = indicator_pages.selection(ctx, k, einheit)
    # audited like the page's download (issue 12)
    ctx.audit("indicators.download", object_type="indicator", object_id=f"{k}:{unit_type}:{unit_id}",
              after={"format": "api"})
    # plain JSON types already: skip FastAPI's per-value encoder
    return JSONResponse({"indicator": k, "unit_type": unit_type, "unit_id": unit_id, "rows": rows})


@router.get("/zielvereinbarungen", summary="Alle Zielvereinbarungen")
def agreement_list(ctx: ApiCtx) -> list[dict[str, Any]]:
    ctx.require("agreement.view")
    return [{"key": a.key, "title": a.title, "jobcenter_id": a.jobcenter_id, "year": a.year,
             "versions": len(a.versions)} for a in store.all_agreements(ctx.db)]


def _version_json(v: Any) -> dict[str, Any]:
    return {"number": v.number, "reason": v.reason, "created_by": v.created_by,
            "created_at": v.created_at.isoformat(), "signatures": v.signatures, "document": v.document}


@router.get("/zielvereinbarungen/{key}", summary="Eine Zielvereinbarung mit allen Fassungen")
def agreement_detail(ctx: ApiCtx, key: str) -> dict[str, Any]:
    ctx.require("agreement.view")
    a = store.get(ctx.db, key)
    if a is None:
        raise HTTPException(404, f"Die Zielvereinbarung „{key}“ gibt es nicht.")
    return {"key": a.key, "title": a.title, "jobcenter_id": a.jobcenter_id, "year": a.year,
            "versions": [_version_json(v) for v in a.versions]}


@router.post("/zielvereinbarungen/{key}/fassungen", status_code=201, summary="Neue Fassung anlegen",
             responses={400: {"model": Error, "description": "Der Inhalt ist kein lesbares JSON"}})
def agreement_new_version(ctx: ApiCtx, key: str, body: NewVersion) -> dict[str, Any]:
    ctx.require("agreement.edit")
    a = store.get(ctx.db, key)
    if a is None:
        raise HTTPException(404, f"Die Zielvereinbarung „{key}“ gibt es nicht.")
    try:
        parse(body.document)
        before = a.versions[-1]
        v = store.add_version(ctx.db, a, body.document, reason=body.reason, created_by=ctx.user.username)
    except (DocumentError, store.AgreementError) as exc:
        raise HTTPException(422, str(exc)) from exc
    ctx.audit("agreement.version", object_type="agreement", object_id=f"{key}#{v.number}",
              before={"fassung": before.number, "dokument": before.document},
              after={"fassung": v.number, "begruendung": v.reason, "dokument": v.document})
    return _version_json(v)


@router.get("/monitoring", summary="Stand der aktuellen Zielvereinbarung je Zielwert (Status, Prognose)",
            responses={409: {"model": Error, "description": "Monitoring nicht möglich (z. B. keine Daten)"}})
def monitoring(ctx: ApiCtx, monat: Annotated[str, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$",
                                                       description="Berichtsmonat JJJJ-MM (leer: der neueste)")] = ""
               ) -> dict[str, Any]:
    ctx.require("overview.view")
    a = next(iter(store.all_agreements(ctx.db)), None)
    if a is None:
        raise HTTPException(404, "Es ist noch keine Zielvereinbarung hinterlegt.")
    version = a.versions[-1]
    try:
        month = Month.parse(monat) if monat else None
    except ValueError as exc:
        raise HTTPException(422, f"Ungültiger Monat „{monat}“ (JJJJ-MM).") from exc
    try:
        mon, why = monitoring_for(ctx.request.app.state.results, version.id, version.document, month, db=ctx.db)
    except ValueError as exc:  # e.g. a month outside the agreement's year
        raise HTTPException(409, str(exc)) from exc
    if mon is None:
        raise HTTPException(409, why)
    targets = []
    for tm in mon.targets:
        cur = tm.current
        targets.append({"goal": tm.goal.id, "target": tm.target.id, "indicator": tm.target.indicator,
                        "sex": tm.target.sex, "name": tm.spec.name, "unit": tm.spec.unit, "status": tm.status,
                        "actual": cur.actual, "path": cur.path, "forecast": cur.forecast,
                        "interval": list(cur.interval) if cur.interval else None, "problem": tm.problem})
    return {"agreement": a.key, "version": version.number, "report_month": str(mon.report),
            "alerts": [al.text() for al in mon.alerts], "targets": targets}


# --- issue 14: Vergleichstyp peers and the supervising body's matrix ---------------------------------------

@router.get("/vergleich", summary="Vergleich im Vergleichstyp: Wert, Median, Quartile, Rang, Vorjahr, Nachbarn")
def peer_comparison(ctx: ApiCtx,
                    jobcenter: Annotated[str, Query(max_length=40, description="Jobcenter-Kennung (leer: das erste "
                                                                               "eigene)")] = "",
                    k: Annotated[str, Query(pattern=r"^K[1-3](E[1-4])?$",
                                           description="Amtliche Kennzahl K1 … K3E4, z. B. K2")] = "K2",
                    monat: Annotated[str, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$",
                                                description="Monat JJJJ-MM (leer: der neueste)")] = "",
                    geschlecht: Annotated[str, Query(pattern=r"^(all|f|m)$",
                                                     description="all, f oder m")] = "all") -> dict[str, Any]:
    """Quartiles by type 7 (linear interpolation); rank 1 = best by the indicator's direction;
    ``to_best_quartile``: change of the numerator (persons, € for K1/K1E1) to reach the best quartile.
    Values of groups below 3 persons are left out for every role but controlling (C10)."""
    from . import supervision
    from .pages.vergleich import allowed_jobcenter

    ctx.require("peers.view")
    _, chosen = allowed_jobcenter(ctx, jobcenter)
    if not chosen:
        raise HTTPException(404, "Es liegen keine amtlichen Kennzahlen für Ihre Jobcenter vor.")
    try:
        view = supervision.peer_view(ctx.db, ctx.role, chosen, k, monat, geschlecht)
    except supervision.SelectionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    return view.to_json()


@router.get("/aufsicht", summary="Status je Ziel der Zielvereinbarungen der zugeordneten Jobcenter (Matrix)")
def supervision_matrix(ctx: ApiCtx) -> dict[str, Any]:
    from . import supervision

    ctx.require("supervision.view")
    m = supervision.matrix(ctx.db, ctx.request.app.state.results, supervision.assigned_jobcenters(ctx.db, ctx.user))
    return {"goals": [{"id": g, "title": t} for g, t in m.columns],
            "jobcenters": [{"jobcenter_id": r.jobcenter_id, "name": r.name, "agreement": r.agreement_key,
                            "report_month": r.report_month, "series": r.series, "problem": r.problem,
                            "goals": {g: {"status": c["status"], "detail": c["detail"]} for g, c in r.cells.items()}}
                           for r in m.rows]}
