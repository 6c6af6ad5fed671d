"""Überblick: the current agreement at a glance — every target with its latest value and status,
a small chart, the forecast, alerts."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from zielwerk.store import agreements as store

from .. import charts
from ..agreement_doc import DocumentError, parse
from ..catalogue import label
from ..context import Ctx, PageCtx
from ..suppression import suppress


def _monitoring(ctx: Ctx, doc: Any) -> list[dict[str, Any]]:
    """One row per target: indicator, target, latest value and, if the targets module offers it,
    status and forecast (``zielwerk.targets.monitoring.monitor``)."""
    results = ctx.request.app.state.results
    rows = []
    status_by_target: dict[str, Any] = {}
    if doc.model is not None and results.kennzahlen() is not None:
        try:
            from zielwerk.targets.monitoring import monitor  # type: ignore[import-not-found]

            meta = results.meta() or {}
            for st in monitor(doc.model, results.kennzahlen(), meta.get("last_month")):
                status_by_target[getattr(st, "target_id", "")] = st
        except Exception:  # monitoring not available yet or not applicable: show plain values
            status_by_target = {}
    unit = f"jobcenter:{doc.jobcenter_id}" if doc.jobcenter_id else None
    for goal in doc.goals:
        for t in goal.targets:
            code = t.get("indicator") or t.get("kennzahl") or ""
            sex = t.get("sex") or t.get("geschlecht") or "all"
            latest = None
            if unit and code:
                series = [r for r in results.indicator_rows(code, "jobcenter", doc.jobcenter_id) if r["sex"] == sex]
                if not ctx.can("figures.unsuppressed"):
                    series = suppress(series)
                latest = series[-1] if series else None
            st = status_by_target.get(str(t.get("id", "")))
            rows.append({
                "goal": goal.title, "target_id": t.get("id", ""), "indicator": code, "label": label(code),
                "sex": sex, "target": _target_text(t), "latest": latest,
                "status": getattr(st, "status_text", None) or getattr(st, "status", None),
                "forecast": getattr(st, "forecast", None),
            })
    return rows


def _target_text(t: dict[str, Any]) -> str:
    from ..formats import number

    if t.get("value") is not None or t.get("wert") is not None:
        return number(t.get("value", t.get("wert")))
    if t.get("change_pct") is not None:
        return f"{number(t['change_pct'])} % ggü. Vorjahr"
    if t.get("change_points") is not None:
        return f"{number(t['change_points'])} Prozentpunkte ggü. Vorjahr"
    if t.get("lower") is not None:
        return f"{number(t['lower'])} bis {number(t.get('upper'))}"
    return "Beobachtung"


async def page(ctx: PageCtx) -> Response:
    ctx.require("overview.view")
    results = ctx.request.app.state.results
    meta = results.meta()
    agreement = next(iter(store.all_agreements(ctx.db)), None)
    doc, rows, alerts = None, [], []
    if meta is None:
        alerts.append("Es liegen noch keine berechneten Kennzahlen vor. Bitte auf der Seite „Daten“ importieren.")
    elif meta.get("provisional_months"):
        alerts.append("Vorläufige Monate (Wartezeit 3 Monate): "
                      + ", ".join(m[5:7] + "/" + m[:4] for m in meta["provisional_months"]) + ".")
    if agreement is None:
        alerts.append("Es ist noch keine Zielvereinbarung hinterlegt.")
    else:
        version = agreement.versions[-1]
        if not version.signatures:
            alerts.append(f"Fassung {version.number} der Zielvereinbarung ist noch nicht unterzeichnet.")
        try:
            doc = parse(version.document)
            rows = _monitoring(ctx, doc)
        except DocumentError as exc:
            alerts.append(f"Die Zielvereinbarung ist fehlerhaft: {exc}")
    chart = ""
    if meta is not None:
        jc = doc.jobcenter_id if doc and doc.jobcenter_id else None
        units = [u for u in results.units() if u[0] == "jobcenter" and (jc is None or u[1] == jc)]
        code = rows[0]["indicator"] if rows and rows[0]["indicator"] in results.indicators() else "K2"
        if units and code in results.indicators():
            series = results.indicator_rows(code, "jobcenter", units[0][1])
            series = [r for r in series if r["sex"] in charts.SEX_LABELS]
            chart = charts.embed(charts.line_chart(series, label(code), "Wert", height=180),
                                 "ueberblick-chart", f"Verlauf {label(code)} im Jobcenter")
    return ctx.render("overview.html", agreement=agreement, doc=doc, rows=rows, alerts=alerts, chart=chart,
                      meta=meta)
