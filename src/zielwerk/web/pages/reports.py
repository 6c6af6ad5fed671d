"""Berichte: the monthly report for any month as HTML, PDF or Excel (rendered by ``zielwerk.reports``)."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from zielwerk.domain.calendar import Month

from ..context import Ctx, PageCtx

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _months(meta: dict | None) -> list[str]:
    if not meta:
        return []
    first, last = Month.parse(meta["first_month"]), Month.parse(meta["last_month"])
    out, m = [], last
    while m >= first:
        out.append(str(m))
        m = m - 1
    return out


def page(ctx: PageCtx) -> Response:
    ctx.require("reports.view")
    meta = ctx.request.app.state.results.meta()
    return ctx.render("reports.html", months=_months(meta), meta=meta)


def _check(ctx: Ctx, monat: str, format: str) -> None:
    ctx.require("reports.view")
    meta = ctx.request.app.state.results.meta()
    if monat not in _months(meta):
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
