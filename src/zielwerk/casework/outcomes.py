"""Outcome tracking: what became of the people on a list after k months (the "loop").

For the persons of a list drawn at Stichtag S, at S' = the Stichtag k reporting months later:

* ``integrated`` — started an integration-relevant employment in (S, S'] (svB, fully qualifying
  training, self-employment, not publicly funded under the regulation in force for the start's
  reporting month, ``law.is_integration``);
* ``left_receipt`` — not in the eLb stock at S' (engine status table);
* ``became_lzb`` — LZB at S' (engine status) although not LZB at S;
* ``still_in_receipt`` — in the stock at S'.

The flags are not exclusive (an integrated person may still receive benefits, C6 "leaving benefits is
not required").
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import month_of_day

from .common import ids_table, lzb_status, query, sql_date, stichtag_after

OUTCOMES = ("integrated", "left_receipt", "became_lzb", "still_in_receipt")
OUTCOME_LABELS = {
    "integrated": "integriert",
    "left_receipt": "Leistungsbezug beendet",
    "became_lzb": "trotzdem LZB geworden",
    "still_in_receipt": "weiter im Leistungsbezug",
}


def track_outcomes(ds: Dataset, person_ids, stichtag: date, months: int) -> pa.Table:
    """Per person of the list: the outcome flags ``months`` reporting months after ``stichtag``."""
    if months < 1:
        raise ValueError("Die Nachverfolgung braucht mindestens 1 Monat.")
    later = stichtag_after(ds, stichtag, months)
    if later > ds.as_of:
        raise ValueError(
            f"Ergebnis nach {months} Monaten (Stichtag {later:%d.%m.%Y}) liegt nach dem Datenstand "
            f"{ds.as_of:%d.%m.%Y} und ist noch nicht auswertbar."
        )
    ids = ids_table(person_ids)
    st0 = lzb_status(ds, stichtag).select(["person_id", "is_lzb"])
    st1 = lzb_status(ds, later).select(["person_id", "is_lzb"])
    starts = query(
        {"ids": ids, "employment": ds["employment"]},
        f"""SELECT e.person_id, e.kind, e.subsidy, e.start FROM employment e JOIN ids USING (person_id)
            WHERE e.start > {sql_date(stichtag)} AND e.start <= {sql_date(later)}""",
    )
    integrated = {
        pid
        for pid, kind, sub, start in zip(*(starts.column(c).to_pylist() for c in ("person_id", "kind", "subsidy", "start")))
        if law.is_integration(kind, sub, law.regulation_for(month_of_day(start, ds.stichtag_day)))
    }
    lzb0 = dict(zip(st0.column("person_id").to_pylist(), st0.column("is_lzb").to_pylist()))
    lzb1 = dict(zip(st1.column("person_id").to_pylist(), st1.column("is_lzb").to_pylist()))
    pids = ids.column("person_id").to_pylist()
    return pa.table({
        "person_id": pa.array(pids, pa.string()),
        "integrated": [p in integrated for p in pids],
        "left_receipt": [p not in lzb1 for p in pids],
        "became_lzb": [bool(lzb1.get(p)) and not bool(lzb0.get(p)) for p in pids],
        "still_in_receipt": [p in lzb1 for p in pids],
        "outcome_stichtag": pa.array([later] * len(pids), pa.date32()),
    })


def outcome_summary(outcomes: pa.Table) -> pa.Table:
    """Counts and shares (percent of the list) per outcome."""
    n = outcomes.num_rows
    rows = []
    for o in OUTCOMES:
        c = sum(outcomes.column(o).to_pylist())
        rows.append({"outcome": o, "label": OUTCOME_LABELS[o], "persons": c, "share_percent": (100.0 * c / n) if n else None})
    return pa.Table.from_pylist(rows, schema=pa.schema([("outcome", pa.string()), ("label", pa.string()),
                                                          ("persons", pa.int64()), ("share_percent", pa.float64())]))
