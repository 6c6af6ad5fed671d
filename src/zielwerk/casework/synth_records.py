"""Synthetic case records (contacts, action plans) for demos and tests on synthetic datasets.

The canonical dataset carries no case records (the web application records them). To show the
record-based lists on a synthetic dataset, this draws plausible records for the assigned customers
in the eLb stock at a Stichtag: 85 % have an action plan agreed 0–11 months before the Stichtag,
half of those older than 6 months were reviewed once; 0–3 contacts in the last 6 months.
Deterministic for a seed. Synthetic data only.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from zielwerk.data.dataset import Dataset

from .common import covers, lzb_status, query
from .records import CaseRecords

CONTACT_KINDS = ("persoenlich", "telefonisch", "schriftlich", "video")
CONTACT_OUTCOMES = ("Beratung erfolgt", "Angebot unterbreitet", "nicht erschienen", "Termin vereinbart")


def synthetic_case_records(ds: Dataset, stichtag: date, seed: int = 1) -> CaseRecords:
    st = lzb_status(ds, stichtag).select(["person_id"])
    asg = query(
        {"st": st, "a": ds["assignments"]},
        f"""SELECT st.person_id, arg_max(a.caseworker_id, a.start) AS caseworker_id
            FROM st JOIN a USING (person_id) WHERE {covers('a', stichtag)} GROUP BY 1 ORDER BY 1""",
    )
    rng = random.Random(seed)
    plans: list[dict] = []
    contacts: list[dict] = []
    for pid, cw in zip(asg.column("person_id").to_pylist(), asg.column("caseworker_id").to_pylist()):
        if rng.random() < 0.85:
            agreed = stichtag - timedelta(days=rng.randint(0, 340))
            reviewed = None
            if (stichtag - agreed).days > 183 and rng.random() < 0.5:
                reviewed = agreed + timedelta(days=rng.randint(120, (stichtag - agreed).days))
            plans.append({"person_id": pid, "agreed_on": agreed, "reviewed_on": reviewed})
        for _ in range(rng.randint(0, 3)):
            contacts.append({
                "person_id": pid, "caseworker_id": cw,
                "contact_date": stichtag - timedelta(days=rng.randint(0, 182)),
                "kind": rng.choice(CONTACT_KINDS), "outcome": rng.choice(CONTACT_OUTCOMES),
            })
    return CaseRecords.from_rows(contacts=contacts, action_plans=plans)
