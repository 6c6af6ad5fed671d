"""Berichte: the monthly report for every month that has an agreement, as HTML, PDF or Excel (rendered by
``zielwerk.reports``), a month picker, and the deviation comments (Abweichungsbegründung) per goal and
month that the report prints beside the deviation (issue 13)."""

from __future__ import annotations

from typing import Any

from fastapi import Form, HTTPException
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from zielwerk.domain.calendar import Month
from zielwerk.store import agreements as agreement_store
from zielwerk.store import comments as comment_store
from zielwerk.store.models import Agreement

from ..context import Ctx, PageCtx

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _months(meta: dict | None) -> list[str]:
    """Every month with computed indicators, newest first."""
    if not meta:
        return []
    first, last = Month.parse(meta["first_month"]), Month.parse(meta["last_month"])
    out, m = [], last
    while m >= first:
        out.append(str(m))
        m = m - 1
    return out


def _by_year(ctx: Ctx) -> dict[int, Agreement]:
    """Year → the agreement the report of that year uses (``report_bridge.prepare``: the first listed)."""
    out: dict[int, Agreement] = {}
    for a in agreement_store.all_agreements(ctx.db):
        out.setdefault(a.year, a)
    return out


def _official_months(ctx: Ctx, agreements: dict[int, Agreement]) -> set[str]:
    """Months of the official figures of the Jobcenter of every agreement on the official series (``reihe =
    "amtlich"``) within its year: such an agreement has a report without computed own figures (issue 14)."""
    from zielwerk.store.official import official_table
    from zielwerk.targets import AgreementFileInvalid, parse_agreement

    out: set[str] = set()
    for year, a in agreements.items():
        document = a.versions[-1].document if a.versions else ""
        if "reihe" not in document:
            continue
        try:
            if parse_agreement(document, check_figures=False).series != "amtlich":
                continue
        except AgreementFileInvalid:
            continue
        out |= set(official_table(ctx.db, [a.jobcenter_id], f"{year}-01", f"{year}-12")["month"].to_pylist())
    return out


def _available(ctx: Ctx, meta: dict | None, agreements: dict[int, Agreement]) -> list[str]:
    """Months with computed indicators or (agreements on the official series) official figures, newest first."""
    return sorted(set(_months(meta)) | _official_months(ctx, agreements), reverse=True)


def report_months(ctx: Ctx, meta: dict | None) -> tuple[list[str], list[int]]:
    """(months with indicators and an agreement for their year, newest first; years with data but no
    agreement, newest first)."""
    agreements = _by_year(ctx)
    months = _available(ctx, meta, agreements)
    return ([m for m in months if int(m[:4]) in agreements],
            sorted({int(m[:4]) for m in months if int(m[:4]) not in agreements}, reverse=True))


def _goal_rows(ctx: Ctx, agreement: Agreement, month: str) -> list[dict[str, Any]]:
    """Per goal of the month's agreement: its targets' deviations and the current comment."""
    from zielwerk.reports.context import deviation, value_unit

    from ..monitoring import monitoring_for
    from .overview import final_status

    version = agreement.versions[-1]
    mon, _why = monitoring_for(ctx.request.app.state.results, version.id, version.document, Month.parse(month),
                               db=ctx.db)  # db: an agreement on the official series (issue 14)
    notes = comment_store.current(ctx.db, agreement.key, month)
    goals: dict[str, dict[str, Any]] = {}
    for tm in mon.targets if mon is not None else []:
        g = goals.setdefault(tm.goal.id, {"id": tm.goal.id, "title": tm.goal.title, "targets": [],
                                          "comment": notes.get(tm.goal.id)})
        cur = tm.current
        sex = {"f": "Frauen", "m": "Männer"}.get(tm.target.sex, "")
        g["targets"].append({"name": tm.spec.name + (f", {sex}" if sex else ""),
                             "status": final_status(tm) or cur.status,  # as on the Überblick
                             "deviation": deviation(cur.deviation, value_unit(tm.spec))})
    return list(goals.values())


def page(ctx: PageCtx, monat: str = "") -> Response:
    ctx.require("reports.view")
    meta = ctx.request.app.state.results.meta()
    months, missing_years = report_months(ctx, meta)
    if monat and monat not in months:
        raise HTTPException(404, f"Für den Monat „{monat}“ gibt es keinen Bericht (keine Kennzahlen oder "
                                 "keine Zielvereinbarung für das Jahr).")
    selected = monat or (months[0] if months else "")
    agreement = _by_year(ctx).get(int(selected[:4])) if selected else None
    goals = _goal_rows(ctx, agreement, selected) if agreement is not None else []
    return ctx.render("reports.html", months=months, meta=meta, selected=selected, missing_years=missing_years,
                      agreement=agreement, goals=goals, max_comment=comment_store.MAX_LENGTH)


def _check(ctx: Ctx, monat: str, format: str) -> None:
    ctx.require("reports.view")
    meta = ctx.request.app.state.results.meta()
    official = _official_months(ctx, _by_year(ctx))  # agreements on the official series (issue 14 item 5)
    if monat not in _months(meta) and monat not in official:
        if meta is None and not official:  # nothing to report from: say why rather than "no such month"
            raise HTTPException(409, "Es liegen noch keine berechneten Kennzahlen vor. Ohne eigene Daten gibt es "
                                     "Berichte nur zu Zielvereinbarungen auf der amtlichen Statistik "
                                     "(reihe = „amtlich“).")
        raise HTTPException(404, f"Für den Monat „{monat}“ liegen keine Kennzahlen vor.")
    if format not in FORMATS:
        raise HTTPException(404, f"Unbekanntes Format „{format}“ (html, pdf, xlsx).")


async def download(ctx: PageCtx, monat: str, format: str = "html") -> Response:
    """``async``: the checks and the audit run in the thread pool, the render in the render pool
    (``report_bridge.monthly_report``, cached per generation, agreement version, month and format)."""
    from ..report_bridge import monthly_report

    await run_in_threadpool(_check, ctx, monat, format)
    body = await monthly_report(ctx, Month.parse(monat), format)
    await run_in_threadpool(ctx.audit, "report.download", object_type="report", object_id=monat,
                            after={"format": format})
    headers = {} if format == "html" else {
        "content-disposition": f'attachment; filename="monatsbericht_{monat}.{format}"'}
    return Response(body, media_type=FORMATS[format], headers=headers)


def comment(ctx: PageCtx, monat: str, goal_id: str = Form(""), text: str = Form("")) -> Response:
    """Save the Abweichungsbegründung of one goal for one month (controlling, geschäftsführung; audited)."""
    ctx.require("report.comment", object_type="report", object_id=monat)
    meta = ctx.request.app.state.results.meta()
    months, _ = report_months(ctx, meta)
    if monat not in months:
        raise HTTPException(404, f"Für den Monat „{monat}“ gibt es keinen Bericht.")
    agreement = _by_year(ctx)[int(monat[:4])]
    goals = {g["id"] for g in _goal_rows(ctx, agreement, monat)}
    if goal_id not in goals:
        raise HTTPException(422, f"Das Ziel „{goal_id}“ gehört nicht zur Zielvereinbarung {agreement.year}.")
    before = comment_store.current(ctx.db, agreement.key, monat).get(goal_id)
    try:
        row = comment_store.add(ctx.db, agreement_key=agreement.key, month=monat, goal_id=goal_id, text=text,
                                created_by=ctx.user.username)
    except comment_store.CommentError as exc:
        raise HTTPException(422, str(exc)) from exc
    ctx.audit("report.comment", object_type="report", object_id=f"{agreement.key}/{monat}/{goal_id}",
              before={"text": before.text} if before else None, after={"text": row.text})
    return RedirectResponse(f"/berichte?monat={monat}#ziel-{goal_id}", status_code=303)
