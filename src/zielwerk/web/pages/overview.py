"""Überblick: the current agreement at a glance — every target with its status, a small chart,
the year-end forecast and alerts (monitoring by ``zielwerk.targets``)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response
from markupsafe import Markup

from zielwerk.store import agreements as store

from .. import charts
from ..context import PageCtx
from ..formats import german_month
from ..monitoring import monitoring_for


def target_rows(mon: Any) -> list[dict[str, Any]]:
    """Display rows of a :class:`zielwerk.targets.Monitoring` (text from ``zielwerk.reports``)."""
    from zielwerk.reports.context import target_text, value

    rows = []
    for tm in mon.targets:
        unit = tm.spec.unit
        cur = tm.current
        rows.append({
            "goal": tm.goal.title, "target_id": tm.target.id, "indicator": tm.spec.engine_code,
            "name": tm.spec.name, "target": target_text(tm.target, tm, unit),
            "actual": value(cur.actual, unit), "path": value(cur.path, unit), "status": tm.status,
            "forecast": value(cur.forecast, unit), "problem": tm.problem,
        })
    return rows


_chart_cache: dict[int, tuple[Any, Markup]] = {}


def chart_for(tm: Any, chart_id: str) -> Markup:
    """The reports module's target chart, embedded for in-page rendering (cached per monitor object,
    which ``monitoring_for`` caches per agreement version and results)."""
    from zielwerk.reports.charts import chart_spec

    hit = _chart_cache.get(id(tm))
    if hit is not None and hit[0] is tm:
        return hit[1]
    spec = chart_spec(tm, width=460, height=140)
    spec.pop("width", None)
    html = charts.embed({**spec, "width": "container"}, chart_id,
                        f"{tm.spec.name}: Ist, Zielpfad, Vorjahr und Prognose")
    if len(_chart_cache) > 64:
        _chart_cache.clear()
    _chart_cache[id(tm)] = (tm, html)
    return html


def page(ctx: PageCtx) -> Response:
    ctx.require("overview.view")
    results = ctx.request.app.state.results
    meta = results.meta()
    agreement = next(iter(store.all_agreements(ctx.db)), None)
    alerts: list[str] = []
    rows: list[dict[str, Any]] = []
    chart: Markup | str = ""
    mon = None
    if meta is None:
        alerts.append("Es liegen noch keine berechneten Kennzahlen vor. Bitte auf der Seite „Daten“ importieren.")
    elif meta.get("provisional_months"):
        alerts.append("Vorläufige Monate (Wartezeit 3 Monate): "
                      + ", ".join(german_month(m) for m in sorted(meta["provisional_months"])) + ".")
    if agreement is None:
        alerts.append("Es ist noch keine Zielvereinbarung hinterlegt.")
    else:
        version = agreement.versions[-1]
        if not version.signatures:
            alerts.append(f"Fassung {version.number} der Zielvereinbarung ist im System noch nicht unterzeichnet.")
        mon, why = monitoring_for(results, version.id, version.document)
        if mon is None:
            alerts.append(why)
        else:
            alerts.extend(a.text() for a in mon.alerts)
            rows = target_rows(mon)
            shown = [tm for tm in mon.targets if tm.current.actual is not None]
            if shown:
                chart = chart_for(shown[0], "ueberblick-chart")
    return ctx.render("overview.html", agreement=agreement, rows=rows, alerts=alerts, chart=chart, meta=meta,
                      mon=mon)
