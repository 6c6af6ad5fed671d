"""Berichte: the monthly report for any month as HTML, PDF or Excel (rendered by ``zielwerk.reports``)."""

from __future__ import annotations

from fastapi import HTTPException
from fastapi.responses import Response

from zielwerk.domain.calendar import Month

from ..context import PageCtx

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


async def page(ctx: PageCtx) -> Response:
    ctx.require("reports.view")
    meta = ctx.request.app.state.results.meta()
    return ctx.render("reports.html", months=_months(meta), meta=meta)


async def download(ctx: PageCtx, monat: str, format: str = "html") -> Response:
    ctx.require("reports.view")
    from ..report_bridge import render_monthly

    meta = ctx.request.app.state.results.meta()
    if monat not in _months(meta):
        raise HTTPException(404, f"Für den Monat „{monat}“ liegen keine Kennzahlen vor.")
    if format not in FORMATS:
        raise HTTPException(404, f"Unbekanntes Format „{format}“ (html, pdf, xlsx).")
    body = render_monthly(ctx, Month.parse(monat), format)
    ctx.audit("report.download", object_type="report", object_id=monat, after={"format": format})
    headers = {} if format == "html" else {
        "content-disposition": f'attachment; filename="monatsbericht_{monat}.{format}"'}
    return Response(body, media_type=FORMATS[format], headers=headers)
