"""Report section "Vergleich im Vergleichstyp" (issue 14 item 3; partial ``_vergleich.html.j2``).

For the agreement's Jobcenter, per official indicator of its targets (K2 and K3 if it has none): the
newest published month up to the report month, its value beside the Vergleichstyp's quartiles and median,
its rank, the same month a year earlier, and the distance to the best quartile in persons
(:mod:`zielwerk.peers`). The report reaches readers outside the controlling role, so C10 applies: a
Jobcenter's figure resting on 1 or 2 persons is left out of the statistics and shown as "*".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zielwerk.domain import german
from zielwerk.domain.calendar import Month
from zielwerk.indicators.definitions import INDICATORS, OFFICIAL_CODES
from zielwerk.indicators.suppression import SUPPRESSED, suppress_official


def codes_of(agreement: Any) -> list[str]:
    """The official indicators of the agreement's targets (K2 and K3 if it has none)."""
    from zielwerk.targets import catalogue

    codes = []
    for _, t in agreement.targets():
        code = catalogue.get(t.indicator).engine_code
        if code in OFFICIAL_CODES and code not in codes:
            codes.append(code)
    return codes or ["K2", "K3"]


def _month(m: str) -> str:
    mm = Month.parse(m)
    return german.month_name(mm.month, mm.year)


def vergleich_section(rows: Sequence[dict[str, Any]] | None, agreement: Any, report: Month) -> dict[str, Any]:
    """``{"vergleich": …}`` for the report context (``None`` without official figures of the Jobcenter)."""
    from zielwerk.peers import compare, distance_text, value_text

    if not rows:
        return {"vergleich": None}
    jid = agreement.jobcenter_id
    rows = suppress_official([r for r in rows if r["sex"] == "all"])
    lines = []
    vtyp = None
    for code in codes_of(agreement):
        mine = sorted(r["month"] for r in rows if r["jobcenter_id"] == jid and r["indicator"] == code
                      and r["month"] <= str(report))
        if not mine:
            continue
        month = mine[-1]
        chosen = [r for r in rows if r["indicator"] == code]
        c = compare(chosen, jid, code, month)
        cur, prev = c.current, c.previous
        vtyp = vtyp or cur.vergleichstyp
        d = cur.distribution
        hidden = cur.value is None
        lines.append({
            "code": code, "name": INDICATORS[code].name_for(Month.parse(month)), "month": _month(month),
            "value": SUPPRESSED if hidden else value_text(code, cur.value),
            "q1": value_text(code, d.q1) if d else "–", "median": value_text(code, d.median) if d else "–",
            "q3": value_text(code, d.q3) if d else "–",
            "rank": f"{cur.rank} von {cur.n}" if cur.rank and not hidden else "–",
            "previous": (SUPPRESSED if prev.value is None and prev.n else value_text(code, prev.value))
            + (f" (Rang {prev.rank} von {prev.n})" if prev.rank else ""),
            "distance": "–" if hidden else distance_text(cur),
        })
    if not lines:
        return {"vergleich": None}
    return {"vergleich": {"vergleichstyp": vtyp or "–", "lines": lines}}
