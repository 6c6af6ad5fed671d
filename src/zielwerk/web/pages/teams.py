"""Teamziele: the agreement's goals broken down to teams and monitored per team (issue 15 item 6).

Who sees what: lead roles (Geschäftsführung, Controlling) every team; team leads (role
``fallmanagement`` with a team, ``permissions.person_scope``) their team; case managers the team of
their caseload. Aggregate figures only, no persons. The small-number rule C10 applies for every role
but controlling (``figures.unsuppressed``), computed over all teams before the rows are filtered.

Team targets: :func:`zielwerk.targets.teams.derive_team_targets` from the stored agreement's
``[teams]`` and the Jobcenter monitoring's resolved year-end targets; team actuals and the caseload per
team from ``results/teams.json`` (written by the import, ``pipeline.teams_step``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

from zielwerk.domain import german
from zielwerk.store import agreements as store
from zielwerk.targets import catalogue
from zielwerk.targets import teams as team_logic

from ..context import PageCtx
from ..formats import german_date, german_month
from ..monitoring import monitoring_for
from ..results import results_dir

TEAMS_FILE = "teams.json"  # pipeline.teams_step.TEAMS_FILE


def _fmt(v: Any, unit: str) -> str:
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return german.pct(v, 1) if unit == catalogue.PERCENT else german.num(v, 0)


def _team_data(ctx: PageCtx, jobcenter_id: str, year: int) -> dict | None:
    path = results_dir(ctx.request.app.state.config.data_dir) / TEAMS_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text("utf-8")).get(jobcenter_id, {}).get(str(year))


def _visible_teams(ctx: PageCtx) -> set[str] | None:
    """None = every team; else the teams the user may see."""
    scope = ctx.person_scope()
    if scope.kind == "all":
        return None
    if scope.kind == "team":
        return {scope.value}
    if scope.kind == "caseworker":
        rows = ctx.request.app.state.results.caseload_in(scope)
        return {r["team"] for r in rows if r.get("team")} or ({ctx.user.team} if ctx.user.team else set())
    return set()


def page(ctx: PageCtx, vereinbarung: str = "") -> Response:
    from zielwerk.targets import AgreementFileInvalid, parse_agreement

    ctx.require("casework.view")
    stored = list(store.all_agreements(ctx.db))
    chosen = next((a for a in stored if a.key == vereinbarung), stored[0] if stored else None)
    visible = _visible_teams(ctx)
    notes: list[str] = []
    blocks: list[dict] = []
    data = None
    if chosen is None:
        notes.append("Es ist noch keine Zielvereinbarung hinterlegt.")
    else:
        version = chosen.versions[-1]
        try:
            model = parse_agreement(version.document, check_figures=False)
        except AgreementFileInvalid as exc:
            model = None
            notes.append(f"Die Zielvereinbarung ist fehlerhaft: {exc}")
        if model is not None and model.teams is None:
            notes.append("Diese Zielvereinbarung teilt keine Ziele auf Teams auf (Abschnitt [teams]).")
        elif model is not None:
            data = _team_data(ctx, model.jobcenter_id, model.year)
            mon, why = monitoring_for(ctx.request.app.state.results, version.id, version.document)
            if mon is None:
                notes.append(why)
            if data is None:
                notes.append("Die Ist-Werte je Team sind noch nicht berechnet (Seite „Daten“: Kennzahlen neu "
                              "berechnen).")
            caseload = data["caseload"] if data else {}
            jc = team_logic.jc_targets_from_monitoring(model, mon) if mon is not None else \
                {t.id: (t.indicator, None) for _, t in model.targets()}
            targets = team_logic.derive_team_targets(model.teams, jc, caseload)
            rows = team_logic.team_rows(targets, data["actuals"] if data else {},
                                        unsuppressed=ctx.can("figures.unsuppressed"))
            names = {t.id: (g.title, t) for g, t in model.targets()}
            for tid in model.teams.targets:
                goal, target = names[tid]
                spec = catalogue.get(target.indicator)
                shown = [r for r in rows.get(tid, []) if visible is None or r.team in visible]
                blocks.append({
                    "id": tid, "goal": goal, "name": spec.name, "breakable": target.indicator in team_logic.TEAM_CODES,
                    "how": ("Zielwert des Jobcenters nach Anteil am Fallbestand" if spec.unit == catalogue.COUNT
                            else "Quote des Jobcenters gilt für jedes Team"),
                    "rows": [{"team": r.team, "caseload": german.num(r.target.caseload, 0),
                              "share": german.pct(r.target.share, 1), "target": _fmt(r.target.value, spec.unit),
                              "derived": _fmt(r.target.derived, spec.unit), "overridden": r.target.overridden,
                              "reason": r.target.reason, "actual": _fmt(r.actual, spec.unit)} for r in shown]})
    return ctx.render("teams.html", agreements=stored, chosen=chosen, blocks=blocks, notes=notes,
                      day=german_date(data["day"]) if data else "", month=german_month(data["month"]) if data else "",
                      all_teams=visible is None,
                      unsuppressed=ctx.can("figures.unsuppressed"))


def report_sections(results: Any, data_dir: Any, agreement: Any, monitoring: Any, month: Any) -> dict[str, Any]:
    """(Thread pool) the Arbeitskreis and team sections of the web's monthly report from the generation's
    files (``kennzahlen.parquet``, ``teams.json``). C10 always applies: a cached report is served to every
    role holding ``reports.view``. Only the official codes are in the generation's table: other
    Arbeitskreis indicators show "–"; team actuals exist for the agreement year's report month only."""
    import pyarrow.compute as pc

    from zielwerk.reports.sections import arbeitskreis_from_rows, teams_from_data

    out: dict[str, Any] = {}
    if agreement.arbeitskreis is not None:
        kz = results.kennzahlen()
        rows = []
        if kz is not None:
            rows = kz.filter(pc.and_(pc.equal(kz["month"], str(month)), pc.equal(kz["unit_type"], "municipality"))
                             ).to_pylist()
        names = (results.meta() or {}).get("unit_names", {})
        known = {k.split(":", 1)[1] for k in names if k.startswith("municipality:")}
        out["arbeitskreis"] = arbeitskreis_from_rows(agreement, month, rows, known)
    if agreement.teams is not None:
        path = results_dir(data_dir) / TEAMS_FILE
        data = json.loads(path.read_text("utf-8")).get(agreement.jobcenter_id, {}).get(str(agreement.year)) \
            if path.is_file() else None
        if data is not None and data["month"] == str(month):
            from datetime import date

            sec = teams_from_data(agreement, monitoring, date.fromisoformat(data["day"]), data["caseload"],
                                  data["actuals"])
        else:
            sec = teams_from_data(agreement, monitoring, None, {}, {})
            if sec is not None:
                sec["day"] = "–"
                sec["problems"] = [("Ist-Werte je Team liegen für " + german_month(data["month"]) + " vor, nicht für "
                                    + german_month(str(month)) + ".") if data is not None else
                                   "Die Ist-Werte je Team sind noch nicht berechnet."]
        out["teams"] = sec
    return out
