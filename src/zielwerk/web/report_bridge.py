"""The monthly report for any month: ``zielwerk.targets.monitor`` on the precomputed series, rendered
by ``zielwerk.reports`` (HTML, PDF, Excel)."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException

from zielwerk.domain.calendar import Month
from zielwerk.store import agreements as store

from .context import Ctx
from .monitoring import monitoring_for


def render_monthly(ctx: Ctx, month: Month, fmt: str) -> bytes:
    """The report of the agreement of ``month``'s year (newest version), in ``fmt``."""
    from zielwerk.reports import render_html, render_pdf, report_context
    from zielwerk.reports.excel import workbook_bytes

    candidates = [a for a in store.all_agreements(ctx.db) if a.year == month.year]
    if not candidates:
        raise HTTPException(404, f"Für das Jahr {month.year} ist keine Zielvereinbarung hinterlegt.")
    version = candidates[0].versions[-1]
    results = ctx.request.app.state.results
    mon, why = monitoring_for(results, version.id, version.document, month)
    if mon is None:
        raise HTTPException(409, why)
    meta = results.meta() or {}
    as_of = date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None
    context = report_context(mon, as_of=as_of, charts=True)
    if fmt == "html":
        return render_html(context).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(context)
    return workbook_bytes(context)
