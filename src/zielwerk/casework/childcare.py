"""Off-peak childcare (Randzeiten): match open needs to youth-welfare providers.

A need (``childcare_needs``) is open at the Stichtag when its interval covers the day and it names
at least one off-peak slot; only needs of persons in the eLb stock are considered (the Jobcenter's
customers; their municipality is the one of the stock, C2). A provider fits a need when

* it offers ALL slots of the need (``slots`` ⊇ need slots),
* the child's completed months of age at the Stichtag lie in [``min_age_months``, ``max_age_months``],
* it is in the same Jobcenter area (the Kreis is the youth-welfare carrier) and
* it still has a free place in the allocation.

"Nearest": same municipality first, then the other municipalities of the Jobcenter by the straight
distance between municipality centres (:data:`MUNICIPALITY_CENTRES`; municipalities without known
centre come after those with one, ordered by AGS), then provider id.

Capacity: needs are served greedily in priority order — longest waiting first (need ``start``), then
person and child — and each allocation takes one of the provider's ``free_places``; a place is never
promised twice. Every need gets its allocated provider (rank 1, ``reserved``) plus up to
``alternatives`` further fitting providers that still had places at its turn (not reserved). Needs
without allocation go to the youth-welfare planning list with the reason.
"""

from __future__ import annotations

import math
from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law

from .common import age_months_sql, covers, lzb_status, query

#: Approximate centres (latitude, longitude) of the municipalities of Kreis Siegen-Wittgenstein
#: (town centre / town hall, rounded to 0.01°; public map data). Used only to order alternatives.
MUNICIPALITY_CENTRES: dict[str, tuple[float, float]] = {
    "05970004": (51.05, 8.39),  # Bad Berleburg
    "05970028": (50.93, 8.42),  # Bad Laasphe
    "05970008": (50.75, 8.08),  # Burbach
    "05970012": (50.99, 8.26),  # Erndtebrück
    "05970016": (50.90, 7.87),  # Freudenberg
    "05970020": (51.00, 8.11),  # Hilchenbach
    "05970024": (50.96, 7.99),  # Kreuztal
    "05970032": (50.92, 8.10),  # Netphen
    "05970036": (50.80, 8.00),  # Neunkirchen
    "05970040": (50.87, 8.02),  # Siegen
    "05970044": (50.82, 8.10),  # Wilnsdorf
}

REASON_NO_SLOT = "no_slot"
REASON_NO_AGE = "no_age"
REASON_NO_PLACE = "no_place"
REASON_LABELS = {
    REASON_NO_SLOT: "kein Angebot mit allen benötigten Zeitfenstern",
    REASON_NO_AGE: "Zeitfenster vorhanden, aber nicht für das Alter des Kindes",
    REASON_NO_PLACE: "passende Angebote ausgelastet (keine freien Plätze)",
}


def distance_km(a: str, b: str, centres: dict[str, tuple[float, float]] = MUNICIPALITY_CENTRES) -> float | None:
    """Great-circle distance between two municipality centres in km; 0 for the same municipality;
    ``None`` when a centre is unknown."""
    if a == b:
        return 0.0
    if a not in centres or b not in centres:
        return None
    (la1, lo1), (la2, lo2) = centres[a], centres[b]
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def open_needs(ds: Dataset, stichtag: date, status: pa.Table | None = None) -> pa.Table:
    """Open off-peak needs at ``stichtag`` of persons in the eLb stock, in priority order."""
    st = status if status is not None else lzb_status(ds, stichtag)
    return query(
        {"needs": ds["childcare_needs"], "st": st, "municipalities": ds["municipalities"]},
        f"""
        SELECT row_number() OVER (ORDER BY n.start, n.person_id, n.child_birth_date, n.slots) AS priority,
               n.person_id, st.municipality_id, m.name AS municipality_name, m.jobcenter_id,
               n.child_birth_date, {age_months_sql('n.child_birth_date', stichtag)} AS child_age_months,
               n.slots AS need_slots, n.start AS need_since
        FROM needs n JOIN st USING (person_id) JOIN municipalities m ON m.municipality_id = st.municipality_id
        WHERE {covers('n', stichtag)} AND trim(coalesce(n.slots, '')) <> ''
        ORDER BY priority
        """,
    )


def match_childcare(
    ds: Dataset, stichtag: date, status: pa.Table | None = None, alternatives: int = 2
) -> tuple[pa.Table, pa.Table]:
    """Greedy capacity-respecting allocation. Returns ``(proposals, unmatched)``.

    ``proposals``: one row per need and proposed provider (``rank`` 1 = allocated and ``reserved``;
    higher ranks are alternatives). ``unmatched``: one row per open need without allocation with
    ``reason`` (see :data:`REASON_LABELS`).
    """
    needs = open_needs(ds, stichtag, status)
    providers = ds["childcare_providers"]
    pairs = query(
        {"needs": needs, "prov": providers, "municipalities": ds["municipalities"]},
        """
        SELECT n.priority, p.provider_id, p.municipality_id AS provider_municipality,
               list_has_all(string_split(coalesce(p.slots, ''), ' '), string_split(trim(n.need_slots), ' ')) AS slot_ok,
               n.child_age_months BETWEEN p.min_age_months AND p.max_age_months AS age_ok
        FROM needs n JOIN prov p ON true
        JOIN municipalities pm ON pm.municipality_id = p.municipality_id AND pm.jobcenter_id = n.jobcenter_id
        """,
    )
    free = {pid: int(f or 0) for pid, f in zip(providers.column("provider_id").to_pylist(),
                                                providers.column("free_places").to_pylist())}
    prov_info = {
        r["provider_id"]: r for r in providers.select(["provider_id", "name", "municipality_id", "kind"]).to_pylist()
    }
    by_need: dict[int, list[tuple[str, str]]] = {}
    slot_match: set[int] = set()
    for pr, pid, pmun, slot_ok, age_ok in zip(*(pairs.column(c).to_pylist() for c in pairs.column_names)):
        if slot_ok:
            slot_match.add(pr)
            if age_ok:
                by_need.setdefault(pr, []).append((pid, pmun))

    prop_rows: list[dict] = []
    unmatched_rows: list[dict] = []
    for need in needs.to_pylist():
        pr = need["priority"]
        cands = []
        for pid, pmun in by_need.get(pr, []):
            dist = distance_km(need["municipality_id"], pmun)
            key = (0 if pmun == need["municipality_id"] else 1, 0 if dist is not None else 1,
                   dist if dist is not None else 0.0, pmun, pid)
            cands.append((key, pid, dist))
        cands.sort()
        available = [(pid, dist) for _, pid, dist in cands if free.get(pid, 0) > 0]
        if not available:
            reason = REASON_NO_PLACE if cands else (REASON_NO_AGE if pr in slot_match else REASON_NO_SLOT)
            unmatched_rows.append({**need, "reason": reason, "reason_label": REASON_LABELS[reason]})
            continue
        free[available[0][0]] -= 1
        for rank, (pid, dist) in enumerate(available[: 1 + alternatives], start=1):
            info = prov_info[pid]
            prop_rows.append({
                **need,
                "rank": rank,
                "provider_id": pid,
                "provider_name": info["name"],
                "provider_municipality_id": info["municipality_id"],
                "provider_kind": info["kind"],
                "distance_km": None if dist is None else round(dist, 1),
                "reserved": rank == 1,
                "free_places_left": free[pid],
            })
    need_schema = needs.schema
    prop_schema = need_schema
    for name, typ in [("rank", pa.int64()), ("provider_id", pa.string()), ("provider_name", pa.string()),
                      ("provider_municipality_id", pa.string()), ("provider_kind", pa.string()),
                      ("distance_km", pa.float64()), ("reserved", pa.bool_()), ("free_places_left", pa.int64())]:
        prop_schema = prop_schema.append(pa.field(name, typ))
    un_schema = need_schema.append(pa.field("reason", pa.string())).append(pa.field("reason_label", pa.string()))
    prop_schema = prop_schema.remove_metadata()
    un_schema = un_schema.remove_metadata()
    return pa.Table.from_pylist(prop_rows, schema=prop_schema), pa.Table.from_pylist(unmatched_rows, schema=un_schema)


def unmatched_by_municipality_slot(unmatched: pa.Table) -> pa.Table:
    """Needs without a match for the Kreis' youth-welfare planning: per municipality and slot the
    number of needs (a need with several slots counts once per slot) and children's age range.
    ``needs_display`` applies small-number suppression (C10): counts below 3 show as ``*``."""
    agg = query(
        {"u": unmatched},
        """
        SELECT municipality_id, municipality_name, slot, count(*) AS needs,
               min(child_age_months) AS min_child_age_months, max(child_age_months) AS max_child_age_months
        FROM (SELECT *, unnest(string_split(trim(need_slots), ' ')) AS slot FROM u)
        GROUP BY ALL ORDER BY municipality_name, slot
        """,
    )
    display = ["*" if law.is_small_number(n) else str(n) for n in agg.column("needs").to_pylist()]
    return agg.append_column("needs_display", pa.array(display, pa.string()))
