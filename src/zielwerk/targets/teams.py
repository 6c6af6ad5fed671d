"""Goals broken down to teams (issue 15 item 6): team targets, team actuals, small-number rule.

**Which targets can be broken down** (:data:`TEAM_CODES`): those whose persons can be attributed to a
caseworker and so to the caseworker's ``team`` (dataset table ``caseworkers``, assignment covering the
day): the LZB annual average ``LZB_JD`` (LZB at each Stichtag January..m by the team of their caseworker
at that Stichtag), the local counts ``ELTERN_2J`` and ``JUNGE_ELTERN_QUALI`` (event day → team) and the
point-in-time quota ``HEMMNIS_BEARB`` (LZB with an obstacle at the Stichtag → team). The official
§ 48a quotas and rates (K2, K3E1, …) are not broken down: they are defined per Jobcenter and
municipality (§ 48a SGB II, the engine's units), their rolling denominators cannot be attributed to the
team of today's caseworker, and a team quota would be a different figure under the same name.

**Derivation** (:func:`derive_team_targets`): a count target T of the Jobcenter (the year-end value the
monitoring resolves, e.g. 2,601 for "−2 %") is split by caseload share c_t / Σc (caseload = assignments
covering the reference day, ``pipeline.parts.caseload_table``), rounded by the largest-remainder method so
the team targets add up to round(T); a quota target applies unchanged to every team (a share does not
split). An agreed override (``[[teams.vorgaben]]``) replaces the derived value of that team.

**Small-number rule** (C10, :func:`suppress_small`): a team figure for a group of 1 or 2 persons is shown
as ``*`` outside the controlling role; if exactly one team is suppressed while the Jobcenter total is
shown, the next-smallest team is suppressed too (total − the others would reveal it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from zielwerk.domain.calendar import Month, stichtag
from zielwerk.domain.law import is_small_number

from . import catalogue
from .model import Agreement, TeamBreakdown

#: indicator codes whose targets can be broken down to teams (see module docstring)
TEAM_CODES = ("LZB_JD", "ELTERN_2J", "JUNGE_ELTERN_QUALI", "HEMMNIS_BEARB")
#: the row of persons without a caseworker (or whose caseworker has no team)
NO_TEAM = "ohne Teamzuordnung"
SUPPRESSED = "*"


@dataclass(frozen=True)
class TeamTarget:
    team: str
    target_id: str
    code: str
    unit: str  # catalogue.COUNT | catalogue.PERCENT
    caseload: int
    share: float  # caseload share in percent
    derived: float | None  # from the Jobcenter target
    value: float | None  # the team target (override or derived)
    overridden: bool = False
    reason: str = ""


def split_largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split the whole number ``total`` in proportion to ``weights`` so the parts add up to ``total``:
    floor of each quota, the rest one by one to the largest remainders (ties: larger weight, then name)."""
    w = sum(weights.values())
    if w <= 0:
        return {k: 0 for k in weights}
    exact = {k: total * v / w for k, v in weights.items()}
    parts = {k: int(x // 1) for k, x in exact.items()}
    rest = total - sum(parts.values())
    order = sorted(weights, key=lambda k: (-(exact[k] - parts[k]), -weights[k], k))
    for k in order[:rest]:
        parts[k] += 1
    return parts


def derive_team_targets(breakdown: TeamBreakdown, jc_targets: dict[str, tuple[str, float | None]],
                        caseload: dict[str, int]) -> list[TeamTarget]:
    """Team targets for every target of ``breakdown`` and every team of ``caseload``.

    ``jc_targets``: target id → (indicator code, the Jobcenter's resolved year-end target or None);
    ``caseload``: team → persons assigned at the reference day.
    """
    total = sum(caseload.values())
    overrides = {(o.team, o.target): o for o in breakdown.overrides}
    out: list[TeamTarget] = []
    for tid in breakdown.targets:
        code, end = jc_targets.get(tid, ("", None))
        unit = catalogue.get(code).unit if code else catalogue.COUNT
        if end is None:
            derived: dict[str, float | None] = {t: None for t in caseload}
        elif unit == catalogue.COUNT:
            derived = dict(split_largest_remainder(int(_round_half_up(end)), caseload))
        else:
            derived = {t: end for t in caseload}
        for team in sorted(caseload):
            o = overrides.get((team, tid))
            share = 100.0 * caseload[team] / total if total else 0.0
            out.append(TeamTarget(team, tid, code, unit, caseload[team], share, derived[team],
                                  o.value if o else derived[team], o is not None, o.reason if o else ""))
    return out


def _round_half_up(x: float) -> int:
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def suppress_small(counts: dict[str, tuple[float | None, ...]]) -> set[str]:
    """Teams whose figures are suppressed (C10). ``counts``: team → the person counts behind its figure
    (numerator, and the denominator for a quota). Primary: any count of 1 or 2. Secondary: if exactly
    one team is suppressed, also the unsuppressed team with the smallest positive first count."""
    hidden = {t for t, cs in counts.items() if any(is_small_number(c) for c in cs)}
    if len(hidden) == 1:
        rest = [(cs[0], t) for t, cs in counts.items() if t not in hidden and cs and cs[0]]
        if rest:
            hidden.add(min(rest)[1])
    return hidden


# --- team actuals from the dataset --------------------------------------------------------------


def _team_of(ds: Any, events: pd.DataFrame, jobcenter_id: str) -> pd.Series:
    """The team of each event's person on its day ``d`` (assignment covering ``d``, latest start)."""
    if events.empty:
        return pd.Series([], dtype=object)
    asg = ds["assignments"].select(["person_id", "caseworker_id", "start", "end"]).to_pandas()
    cw = ds["caseworkers"].select(["caseworker_id", "team", "jobcenter_id"]).to_pandas()
    cw = cw[cw["jobcenter_id"] == jobcenter_id]
    ev = events[["person_id", "d"]].reset_index(drop=True).assign(n_=lambda x: x.index)
    m = ev.merge(asg, on="person_id")
    m = m[(m["start"] <= m["d"]) & (m["end"].isna() | (m["end"] >= m["d"]))]
    m = m.sort_values(["n_", "start"]).drop_duplicates("n_", keep="last").merge(cw, on="caseworker_id")
    teams = dict(zip(m["n_"], m["team"]))
    return pd.Series([teams.get(i) or NO_TEAM for i in ev["n_"]])


def team_actuals(ds: Any, jobcenter_id: str, month: Month, codes: tuple[str, ...] = TEAM_CODES,
                 records: Any = None) -> dict[str, dict[str, dict[str, float | None]]]:
    """code → team → {"value", "numerator", "denominator"} for ``month`` (year to date or at its Stichtag,
    as the Jobcenter's series), by the caseworker's team; ``NO_TEAM`` for persons without one."""
    from zielwerk.indicators.engine import lzb_status_shared

    from . import local

    day = ds.stichtag_day
    lo = date.fromordinal(stichtag(Month(month.year - 1, 12), day).toordinal() + 1)
    hi = stichtag(month, day)
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    if "LZB_JD" in codes:
        days = [stichtag(Month(month.year, m), day) for m in range(1, month.month + 1)]
        status = lzb_status_shared(ds, days)
        sums: dict[str, float] = defaultdict(float)
        for d in days:
            st = status[d].select(["person_id", "jobcenter_id", "is_lzb"]).to_pandas()
            st = st[st["is_lzb"] & (st["jobcenter_id"] == jobcenter_id)][["person_id"]].assign(d=d)
            for team, n in _team_of(ds, st, jobcenter_id).value_counts().items():
                sums[team] += n
        last = status[days[-1]].select(["person_id", "jobcenter_id", "is_lzb"]).to_pandas()
        last = last[last["is_lzb"] & (last["jobcenter_id"] == jobcenter_id)][["person_id"]].assign(d=days[-1])
        now = _team_of(ds, last, jobcenter_id).value_counts().to_dict()
        out["LZB_JD"] = {t: {"value": sums[t] / len(days), "numerator": float(now.get(t, 0)), "denominator": None}
                         for t in sums}
    for code, fn in (("ELTERN_2J", lambda: local.parent_offer_events(ds, jobcenter_id, lo, hi, records)),
                     ("JUNGE_ELTERN_QUALI", lambda: local.young_parent_qualification_events(ds, jobcenter_id, lo, hi))):
        if code in codes:
            ev = fn()
            counts = _team_of(ds, ev, jobcenter_id).value_counts().to_dict() if len(ev) else {}
            out[code] = {t: {"value": float(n), "numerator": float(n), "denominator": None} for t, n in counts.items()}
    if "HEMMNIS_BEARB" in codes:
        st = local.obstacle_status(ds, jobcenter_id, [hi], records).rename(columns={"day": "d"})
        res: dict[str, dict[str, float | None]] = {}
        if len(st):
            st = st.assign(team=_team_of(ds, st, jobcenter_id).values)
            for team, g in st.groupby("team"):
                num, den = float(g["addressed"].sum()), float(len(g))
                res[str(team)] = {"value": 100.0 * num / den, "numerator": num, "denominator": den}
        out["HEMMNIS_BEARB"] = res
    return out


def caseload_at(ds: Any, jobcenter_id: str, day: date) -> dict[str, int]:
    """team → assignments covering ``day`` of the caseworkers of ``jobcenter_id`` (one per assignment, as
    the pipeline's ``caseload_table``; without a team: :data:`NO_TEAM`)."""
    asg = ds["assignments"].select(["person_id", "caseworker_id", "start", "end"]).to_pandas()
    asg = asg[(asg["start"] <= day) & (asg["end"].isna() | (asg["end"] >= day))]
    cw = ds["caseworkers"].select(["caseworker_id", "team", "jobcenter_id"]).to_pandas()
    m = asg.merge(cw[cw["jobcenter_id"] == jobcenter_id], on="caseworker_id")
    return caseload_by_team(m[["team"]])


def caseload_by_team(caseload_rows: list[dict[str, Any]] | pd.DataFrame) -> dict[str, int]:
    """team → persons in the caseload (rows of ``pipeline.parts.caseload_table``)."""
    rows = caseload_rows.to_dict("records") if isinstance(caseload_rows, pd.DataFrame) else caseload_rows
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        out[r.get("team") or NO_TEAM] += 1
    return dict(out)


@dataclass
class TeamRow:
    """One team's line for a target: target, actual and the counts behind it (already suppressed)."""

    team: str
    target: TeamTarget
    actual: float | None | str
    numerator: float | None | str
    denominator: float | None | str
    suppressed: bool


def team_rows(targets: list[TeamTarget], actuals: dict[str, dict[str, dict[str, float | None]]],
              unsuppressed: bool = False) -> dict[str, list[TeamRow]]:
    """target id → rows per team with the actuals (C10 applied unless ``unsuppressed``)."""
    by_target: dict[str, list[TeamTarget]] = defaultdict(list)
    for t in targets:
        by_target[t.target_id].append(t)
    out: dict[str, list[TeamRow]] = {}
    for tid, ts in by_target.items():
        act = actuals.get(ts[0].code, {})
        counts = {t.team: (act.get(t.team, {}).get("numerator"), act.get(t.team, {}).get("denominator"))
                  for t in ts}
        hidden = set() if unsuppressed else suppress_small(counts)
        rows = []
        for t in ts:
            a = act.get(t.team, {})
            h = t.team in hidden
            rows.append(TeamRow(t.team, t, SUPPRESSED if h else a.get("value", 0.0 if t.unit == catalogue.COUNT else None),
                                SUPPRESSED if h else a.get("numerator"), SUPPRESSED if h else a.get("denominator"), h))
        out[tid] = rows
    return out


def jc_targets_from_monitoring(agreement: Agreement, monitoring: Any) -> dict[str, tuple[str, float | None]]:
    """target id → (indicator code, resolved year-end target) from a :class:`~.monitoring.Monitoring`."""
    ends = {tm.target.id: (tm.resolved.end if tm.resolved is not None else None) for tm in monitoring.targets}
    return {t.id: (t.indicator, ends.get(t.id)) for _, t in agreement.targets()}
