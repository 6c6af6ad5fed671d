"""Report sections built from the dataset (issue 15 items 5 and 6): the Arbeitskreis with the
municipalities (``_arbeitskreis.html.j2``) and the team breakdown (``_teams.html.j2``).

Both go to readers outside the controlling role (the Arbeitskreis, the carriers, team leads), so the
small-number rule C10 applies: a figure for a group of 1 or 2 persons is shown as ``*``
(municipality rows: numerator or denominator of a person indicator; teams: :func:`targets.teams.suppress_small`).
"""

from __future__ import annotations

from typing import Any

from zielwerk.domain import german
from zielwerk.domain.calendar import Month
from zielwerk.domain.law import is_small_number
from zielwerk.indicators.definitions import INDICATORS, MONEY
from zielwerk.indicators.suppression import SUPPRESSED
from zielwerk.targets import catalogue
from zielwerk.targets import teams as team_logic
from zielwerk.targets.model import Agreement


def _fmt(v: Any, unit: str) -> str:
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    return german.pct(v, 1) if unit == catalogue.PERCENT else german.num(v, 0)


def arbeitskreis_section(ds: Any, agreement: Agreement, month: Month) -> dict | None:
    """Per participating municipality: the named participant, the Arbeitskreis indicators for
    ``month`` (the engine's municipal values, C10 applied) and the municipal goals with their status."""
    ak = agreement.arbeitskreis
    if ak is None:
        return None
    from zielwerk import indicators as engine

    codes = sorted(set(ak.indicators) | {g.indicator for g in ak.goals})
    tbl = engine.compute_kennzahlen(ds, month, month, level="municipality", indicators=codes) if codes else None
    known = {r["municipality_id"] for r in ds["municipalities"].to_pylist()}
    return arbeitskreis_from_rows(agreement, month, tbl.to_pylist() if tbl is not None else [], known)


def arbeitskreis_from_rows(agreement: Agreement, month: Month, kennzahlen_rows: list[dict],
                           known: set[str] | None = None) -> dict | None:
    """:func:`arbeitskreis_section` from precomputed long rows of the engine (the web app's generation);
    ``known``: the municipalities of the data (None: not checked)."""
    ak = agreement.arbeitskreis
    if ak is None:
        return None
    rows: dict[tuple[str, str], dict] = {}
    for r in kennzahlen_rows:
        if r["unit_type"] == "municipality" and r["sex"] == "all" and r["month"] == str(month):
            rows[(r["unit_id"], r["indicator"])] = r
    known = known if known is not None else {p.municipality_id for p in ak.participants}
    problems = [f"Gemeinde {p.municipality} ({p.municipality_id}) ist nicht in den Daten." for p in ak.participants
                if p.municipality_id not in known]
    out = []
    for p in ak.participants:
        lines = []
        for code in ak.indicators:
            ind, spec = INDICATORS[code], catalogue.get(INDICATORS[code].agreement_code or code)
            r = rows.get((p.municipality_id, code), {})
            hidden = ind.measure != MONEY and (is_small_number(r.get("numerator")) or is_small_number(r.get("denominator")))
            lines.append({"code": code, "name": ind.name_for(month),
                          "value": SUPPRESSED if hidden else _fmt(r.get("value"), spec.unit),
                          "numerator": SUPPRESSED if hidden else _fmt(r.get("numerator"), catalogue.COUNT)})
        goals = []
        for g in ak.goals:
            if g.municipality_id != p.municipality_id:
                continue
            spec = catalogue.get(INDICATORS[g.indicator].agreement_code or g.indicator)
            r = rows.get((p.municipality_id, g.indicator), {})
            v = r.get("value")
            hidden = INDICATORS[g.indicator].measure != MONEY and (is_small_number(r.get("numerator"))
                                                                   or is_small_number(r.get("denominator")))
            better = g.better or spec.better
            if v is None or hidden:
                status, cls = "–", "info"
            elif (v >= g.value) if better == catalogue.HIGHER else (v <= g.value):
                status, cls = "erreicht", "ok"
            else:
                status, cls = "nicht erreicht", "bad"
            goals.append({"title": g.title, "code": g.indicator, "target": _fmt(g.value, spec.unit),
                          "direction": "mindestens" if better == catalogue.HIGHER else "höchstens",
                          "actual": SUPPRESSED if hidden else _fmt(v, spec.unit), "status": status, "cls": cls,
                          "note": g.note})
        person = f"{p.function} {p.name}".strip() if p.name else ""
        out.append({"id": p.municipality_id, "name": p.municipality, "person": person, "lines": lines,
                    "goals": goals})
    return {"title": ak.title, "description": ak.description.strip(), "municipalities": out,
            "month": german.month_name(month.month, month.year), "problems": problems}


def teams_section(ds: Any, agreement: Agreement, month: Month, monitoring: Any, records: Any = None,
                  unsuppressed: bool = False) -> dict | None:
    """Team targets (caseload share at the report month's Stichtag, overrides) and team actuals."""
    tb = agreement.teams
    if tb is None:
        return None
    from zielwerk.domain.calendar import stichtag

    day = stichtag(month, ds.stichtag_day)
    caseload = team_logic.caseload_at(ds, agreement.jobcenter_id, day)
    codes = tuple(dict.fromkeys(t.indicator for _, t in agreement.targets()
                                if t.id in tb.targets and t.indicator in team_logic.TEAM_CODES))
    actuals = team_logic.team_actuals(ds, agreement.jobcenter_id, month, codes, records)
    return teams_from_data(agreement, monitoring, day, caseload, actuals, unsuppressed)


def teams_from_data(agreement: Agreement, monitoring: Any, day: Any, caseload: dict[str, int],
                    actuals: dict, unsuppressed: bool = False) -> dict | None:
    """:func:`teams_section` from a caseload per team and team actuals (the web app: ``results/teams.json``)."""
    tb = agreement.teams
    if tb is None:
        return None
    targets = team_logic.derive_team_targets(tb, team_logic.jc_targets_from_monitoring(agreement, monitoring),
                                             caseload)
    rows = team_logic.team_rows(targets, actuals, unsuppressed)
    titles = {t.id: (g.title, t) for g, t in agreement.targets()}
    blocks = []
    for tid in tb.targets:
        goal_title, target = titles[tid]
        spec = catalogue.get(target.indicator)
        if target.indicator not in team_logic.TEAM_CODES:
            blocks.append({"id": tid, "goal": goal_title, "name": spec.name, "rows": [],
                           "note": "nicht auf Teams aufteilbar (Kennzahl je Jobcenter/Kommune)"})
            continue
        block_rows = [{"team": r.team, "caseload": german.num(r.target.caseload, 0),
                       "share": german.pct(r.target.share, 1), "target": _fmt(r.target.value, spec.unit),
                       "derived": _fmt(r.target.derived, spec.unit), "overridden": r.target.overridden,
                       "reason": r.target.reason, "actual": _fmt(r.actual, spec.unit)}
                      for r in rows.get(tid, [])]
        blocks.append({"id": tid, "goal": goal_title, "name": spec.name, "rows": block_rows,
                       "how": ("Jobcenter-Zielwert nach Anteil am Fallbestand" if spec.unit == catalogue.COUNT
                               else "Quote des Jobcenters gilt für jedes Team"), "note": ""})
    problems = [f"Vorgabe für das Team „{o.team}“ ({o.target}): kein solches Team im Fallbestand am "
                f"{german.day(day)}." for o in tb.overrides if o.team not in caseload]
    return {"blocks": blocks, "day": german.day(day), "split": "Anteil am Fallbestand", "problems": problems,
            "suppressed_note": "" if unsuppressed else
            "Werte für Gruppen unter 3 Personen sind mit * ausgeblendet (Kleinzahlregel)."}


def extra_sections(ds: Any, agreement: Agreement, month: Month, monitoring: Any) -> dict:
    """The dataset-based sections for the report context (keys ``arbeitskreis`` and ``teams``)."""
    return {"arbeitskreis": arbeitskreis_section(ds, agreement, month),
            "teams": teams_section(ds, agreement, month, monitoring)}


#: the report's German note for a section that needs person-level data (issue 14 item 5)
NO_PERSON_DATA = "Keine personenbezogenen Daten: {what} entfällt."


def no_person_data_sections(agreement: Agreement) -> dict:
    """The report context of an agreement on the official series without person-level data (no dataset, no
    computed own figures; issue 14 item 5): the Arbeitskreis per municipality and the team breakdown are left
    out (both need the own data), and ``entfaellt`` says so in German."""
    notes = [NO_PERSON_DATA.format(what="der Abgleich mit eigenen Werten (Listen, Einzelfälle)")]
    if agreement.arbeitskreis is not None:
        notes.append(NO_PERSON_DATA.format(what="der Abschnitt „Arbeitskreis“ (Kennzahlen je Gemeinde aus "
                                                "eigenen Daten)"))
    if agreement.teams is not None:
        notes.append(NO_PERSON_DATA.format(what="der Abschnitt „Teams“ (Zielwerte und Ist-Werte je Team)"))
    return {"arbeitskreis": None, "teams": None, "entfaellt": notes}
