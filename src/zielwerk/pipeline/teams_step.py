"""Pipeline step: team actuals for the team pages (issue 15 item 6), ``results/teams.json``.

For every Jobcenter with a stored agreement and every agreement year up to the data's last month, the
report month is the one the web monitoring uses (``web.monitoring.report_month``: the last month in
the current year, December before); per report month the caseload per team at its Stichtag and the
team actuals of the breakable indicators (:data:`zielwerk.targets.teams.TEAM_CODES`). The file holds
unsuppressed counts (controlling sees them); the page applies C10 for every other role.

Format::

    {"JC": {"2016": {"month": "2016-12", "day": "2016-12-15", "caseload": {team: n},
                     "actuals": {code: {team: {"value", "numerator", "denominator"}}}}}}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from zielwerk.domain.calendar import Month, stichtag

TEAMS_FILE = "teams.json"


def agreement_years(db_url: str | None) -> list[tuple[str, int]]:
    """(Jobcenter, year) of every stored agreement."""
    if not db_url:
        return []
    from zielwerk.store import agreements, open_store

    engine, sessions = open_store(db_url)
    try:
        with sessions() as s:
            return sorted({(a.jobcenter_id, a.year) for a in agreements.all_agreements(s)})
    finally:
        engine.dispose()


def team_results(ds: Any, pairs: list[tuple[str, int]], last: Month, records: Any = None) -> dict[str, Any]:
    from zielwerk.targets import teams

    known = set(ds["jobcenters"].column("jobcenter_id").to_pylist())
    if not ds["caseworkers"].num_rows or not ds["assignments"].num_rows:  # optional tables: nothing to break down
        return {}
    out: dict[str, Any] = {}
    for jc, year in pairs:
        if jc not in known or year > last.year:
            continue
        month = last if year == last.year else Month(year, 12)
        day = stichtag(month, ds.stichtag_day)
        out.setdefault(jc, {})[str(year)] = {
            "month": str(month), "day": day.isoformat(), "caseload": teams.caseload_at(ds, jc, day),
            "actuals": teams.team_actuals(ds, jc, month, teams.TEAM_CODES, records)}
    return out


def write_team_results(ds: Any, folder: Path, db_url: str | None, last: Month, records: Any = None) -> None:
    """Write ``teams.json`` into the staging ``results`` folder (nothing without stored agreements)."""
    pairs = agreement_years(db_url)
    if not pairs:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TEAMS_FILE).write_text(json.dumps(team_results(ds, pairs, last, records)), "utf-8")
