"""Überblick = the report's first page, live (issue 13): per target of the current agreement its goal,
the carriers, the indicator (with Frauen/Männer) linked to its page, the agreed value, actual, target
path, deviation, a coloured status, the year-end forecast, a small chart, the goal's deviation comment
and the work lists that serve the goal.

Decision (issue 13 item 2, "a status that is final once the year is over"): taken in this view model,
not in ``targets.monitoring`` — once the report month is December, the row shows
``TargetMonitor.achieved`` as "erreicht"/"verfehlt" (marked "vorläufig" while December is in the
waiting period) instead of the path status; the forecast is then the actual value itself.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from zielwerk.store import agreements as store
from zielwerk.store import comments as comment_store

from .. import charts, permissions, signatures
from ..context import Ctx, PageCtx
from ..formats import german_month
from ..monitoring import monitoring_for

SEX_LABEL = {"f": "Frauen", "m": "Männer"}
#: status → CSS class (colour); the final statuses too
STATUS_CLASS = {"im Plan": "ok", "gefährdet": "warn", "nicht im Plan": "bad", "erreicht": "ok", "verfehlt": "bad"}


def final_status(tm: Any) -> str | None:
    """"erreicht"/"verfehlt" once December of the agreement year is known (None before, or when the
    target has no direction)."""
    achieved = tm.achieved
    if achieved is None:
        return None
    return "erreicht" if achieved else "verfehlt"


def work_lists(engine_code: str) -> list[tuple[str, str]]:
    """(title, path) of the work lists serving the goals whose agreement indicators include the code."""
    from zielwerk.casework.catalog import LISTS
    from zielwerk.casework.goals import GOALS

    keys = {k for k, g in GOALS.items() if engine_code in g.agreement_indicators}
    return [(wl.title, f"/fallsteuerung/listen/{name}") for name, wl in LISTS.items() if wl.goal in keys]


def target_rows(mon: Any, agreement_model: Any = None, comments: dict | None = None,
                lists_available: set[str] | None = None, final: bool = False) -> list[dict[str, Any]]:
    """Display rows of a :class:`zielwerk.targets.Monitoring` (text from ``zielwerk.reports``).

    ``lists_available``: names of the work lists in the live generation the user may open (None: none
    are linked). ``final``: in December show "erreicht"/"verfehlt" instead of the path status (the
    Überblick; the work-list pages call this without it and keep the path status).
    """
    from zielwerk.reports.context import deviation, target_text, value, value_unit

    model = agreement_model or mon.agreement
    rows = []
    for tm in mon.targets:
        unit = value_unit(tm.spec)  # one convention per unit (domain.german): %, Pp., €, Personen
        cur = tm.current
        final_word = final_status(tm) if final else None
        status = final_word or tm.status
        if final_word and cur.provisional:
            status_text = f"{final_word} (vorläufig)"
        else:
            status_text = status
        sex = SEX_LABEL.get(tm.target.sex, "")
        lists = [(t, p) for t, p in work_lists(tm.spec.engine_code)
                 if lists_available is not None and p.rsplit("/", 1)[-1] in lists_available]
        comment = (comments or {}).get(tm.goal.id)
        rows.append({
            "goal": tm.goal.title, "goal_id": tm.goal.id, "target_id": tm.target.id,
            "carriers": " und ".join(model.party_name(o) for o in tm.goal.owners),
            "indicator": tm.spec.engine_code, "name": tm.spec.name + (f", {sex}" if sex else ""),
            "target": target_text(tm.target, tm, unit), "actual": value(cur.actual, unit),
            "path": value(cur.path, unit),
            "deviation": deviation(cur.deviation, unit),
            "status": status_text, "status_class": STATUS_CLASS.get(status, "info"), "final": bool(final_word),
            "forecast": value(cur.actual if final_word else cur.forecast, unit), "problem": tm.problem,
            "lists": lists, "comment": comment.text if comment else "", "monitor": tm,
        })
    return rows


_chart_cache: dict[tuple[int, str], tuple[Any, Markup]] = {}


def chart_for(tm: Any, chart_id: str, width: int = 460, height: int = 140) -> Markup:
    """The reports module's target chart, embedded for in-page rendering (cached per monitor object,
    which ``monitoring_for`` caches per agreement version and results)."""
    from zielwerk.reports.charts import chart_spec

    hit = _chart_cache.get((id(tm), chart_id))
    if hit is not None and hit[0] is tm:
        return hit[1]
    spec = chart_spec(tm, width=width, height=height)
    spec.pop("width", None)
    html = charts.embed({**spec, "width": "container"}, chart_id,
                        f"{tm.spec.name}: Ist, Zielpfad, Vorjahr und Prognose")
    if len(_chart_cache) > 256:
        _chart_cache.clear()
    _chart_cache[(id(tm), chart_id)] = (tm, html)
    return html


def _lists_available(ctx: Ctx) -> set[str] | None:
    if not ctx.can("casework.view"):
        return None
    from zielwerk.casework.batch import read_meta

    from ..results import lists_dir

    meta = read_meta(lists_dir(ctx.request.app.state.config.data_dir))
    return set((meta or {}).get("lists", {}))


def page(ctx: PageCtx) -> Response:
    if not ctx.can("overview.view"):  # "/" is every role's address: the others go to their own start page
        start = permissions.start_page(ctx.role)
        if start != "/":
            return RedirectResponse(start, status_code=303)
    ctx.require("overview.view")
    results = ctx.request.app.state.results
    meta = results.meta()
    agreement = next(iter(store.all_agreements(ctx.db)), None)
    alerts: list[str] = []
    rows: list[dict[str, Any]] = []
    mon = None
    signed = False
    if meta is None:
        alerts.append("Es liegen noch keine berechneten Kennzahlen vor. Bitte auf der Seite „Daten“ importieren.")
    elif meta.get("provisional_months"):
        alerts.append("Vorläufige Monate (Wartezeit 3 Monate): "
                      + ", ".join(german_month(m) for m in sorted(meta["provisional_months"])) + ".")
    if agreement is None:
        alerts.append("Es ist noch keine Zielvereinbarung hinterlegt.")
    else:
        version = agreement.versions[-1]
        sigs = signatures.state_of(version)
        signed = signatures.complete(sigs)
        if not signed:
            missing = [signatures.PARTIES[p] for p in signatures.PARTIES if p not in signatures.signed_parties(sigs)]
            alerts.append(f"Fassung {version.number} der Zielvereinbarung ist noch nicht von allen Parteien "
                          f"unterzeichnet (es fehlt: {', '.join(missing)}).")
        mon, why = monitoring_for(results, version.id, version.document, db=ctx.db)  # db: reihe = amtlich
        if mon is None:
            alerts.append(why)
        else:
            alerts.extend(a.text() for a in mon.alerts)
            notes = comment_store.current(ctx.db, agreement.key, str(mon.report))
            rows = target_rows(mon, comments=notes, lists_available=_lists_available(ctx), final=True)
            for i, r in enumerate(rows):
                tm = r.pop("monitor")
                r["chart"] = chart_for(tm, f"ueberblick-chart-{i}", 300, 90) if tm.current.actual is not None \
                    else ""
    return ctx.render("overview.html", agreement=agreement, rows=rows, alerts=alerts, meta=meta, mon=mon,
                      signed=signed)
