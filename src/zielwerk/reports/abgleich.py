"""Report section of issue 14: the data basis of the monitoring and one reconciliation line per target.

``_abgleich.html.j2`` shows "Datengrundlage: amtliche Statistik der BA" or "… eigene Berechnung" (the
agreement's ``reihe``) and, where official figures are loaded, per target the newest month up to the report
month with both an own and an official value: own value, official value, difference and its explanation
category (:mod:`zielwerk.official.reconcile`).
"""

from __future__ import annotations

from typing import Any

from zielwerk.official.reconcile import CATEGORIES, Reconciled, line, reconcile
from zielwerk.official.series import series_label

SEX_TEXT = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}


def abgleich_section(mon: Any, own: Any, official: Any) -> dict:
    """``datengrundlage`` and ``abgleich`` (list of {ziel, text}) for the monitoring ``mon``; ``own``: the
    engine's long table around the report month (None: no person-level data), ``official``: the official
    long table (None: none loaded)."""
    agreement = mon.agreement
    out: dict[str, Any] = {"datengrundlage": series_label(agreement.series)}
    if official is None:
        return out
    latest: dict[tuple[str, str], Reconciled] = {}
    if own is not None:
        for r in reconcile(own, official, [agreement.jobcenter_id]):
            if r.month <= str(mon.report):
                latest[(r.indicator, r.sex)] = r  # sorted by month: the newest wins
    lines = []
    for tm in mon.targets:
        spec = tm.spec
        if not (spec.record.official and spec.record.monthly):
            continue  # local indicators are not published
        r = latest.get((spec.engine_code, tm.target.sex))
        text = line(r) if own is not None else "Abgleich: keine eigenen Daten (nur amtliche Statistik)."
        lines.append({"ziel": f"{spec.code} ({SEX_TEXT.get(tm.target.sex, tm.target.sex)})", "text": text})
    out["abgleich"] = lines
    out["abgleich_kategorien"] = ", ".join(CATEGORIES.values())
    return out


def own_table_for(ds: Any, mon: Any) -> Any:
    """The engine's Jobcenter-level table of the official codes for the six months up to the report month
    (the newest common month lies within them: the official figures lag three months)."""
    from zielwerk.indicators import compute_kennzahlen
    from zielwerk.official.figures import OFFICIAL_CODES

    return compute_kennzahlen(ds, mon.report - 6, mon.report, level="jobcenter", indicators=list(OFFICIAL_CODES))
