"""Aufsicht (issue 14 item 6): for a supervising body (Regionaldirektion, Land) the status of every
agreement of its assigned Jobcenters per goal as one matrix, and a Jobcenter's overview restricted to
aggregates (no person-level data, no work lists; counts of 1 or 2 persons shown as "*", C10)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from sqlalchemy import select

from zielwerk.store.models import Agreement

from .. import supervision
from ..context import Ctx, PageCtx
from .overview import chart_for, target_rows


def _check_assigned(ctx: Ctx, jobcenter_id: str) -> list[str]:
    assigned = supervision.assigned_jobcenters(ctx.db, ctx.user)
    if jobcenter_id not in assigned:
        ctx.deny("supervision.view", object_type="jobcenter", object_id=jobcenter_id)
    return assigned


def matrix_page(ctx: PageCtx) -> Response:
    ctx.require("supervision.view")
    assigned = supervision.assigned_jobcenters(ctx.db, ctx.user)
    m = supervision.matrix(ctx.db, ctx.request.app.state.results, assigned)
    return ctx.render("aufsicht.html", matrix=m, month_name=supervision.german_month)


def _aggregate_rows(mon: Any) -> list[dict[str, Any]]:
    rows = target_rows(mon, lists_available=None, final=True)
    for i, r in enumerate(rows):
        tm = r.pop("monitor")
        unit = tm.spec.unit
        if supervision.small(tm.current.actual, unit):
            r["actual"] = "*"
        if supervision.small(tm.current.actual if r["final"] else tm.current.forecast, unit):
            r["forecast"] = "*"
        r["chart"] = chart_for(tm, f"aufsicht-chart-{i}", 300, 90) \
            if tm.current.actual is not None and r["actual"] != "*" and unit != "anzahl" else ""
        r["lists"] = []
    return rows


def jobcenter_page(ctx: PageCtx, jobcenter_id: str) -> Response:
    ctx.require("supervision.view")
    _check_assigned(ctx, jobcenter_id)
    results = ctx.request.app.state.results
    m = supervision.matrix(ctx.db, results, supervision.assigned_jobcenters(ctx.db, ctx.user))
    row = next(r for r in m.rows if r.jobcenter_id == jobcenter_id)
    agreement = None
    rows: list[dict[str, Any]] = []
    mon, why, series = None, row.problem, ""
    if row.agreement_key is not None:
        agreement = ctx.db.scalar(select(Agreement).where(Agreement.key == row.agreement_key))
        mon, why, series = supervision.monitor_agreement(ctx.db, results, agreement)
        if mon is not None:
            rows = _aggregate_rows(mon)
    return ctx.render("aufsicht_jobcenter.html", row=row, agreement=agreement, mon=mon, why=why, series=series,
                      rows=rows, month_name=supervision.german_month)
