"""The case view of one customer at a day: everything the case manager works with, in one structure.

``case_view(ds, person_id, day, records)`` returns a :class:`CaseView` with the person, their
status at ``day`` (eLb stock, LZB and crossing date — from the engine), the household (the BG of
the spell covering ``day`` with its type and members), the receipt history (spells), placement
obstacles (Handlungsbedarfe: open ones first), measures, employment, children (with completed
months and the day they turn 3), the caseworker, the action plans with their review due dates and
the recorded contacts. Pure: the web page renders it, the CLI could print it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow.compute as pc

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law

from .common import (
    EMPLOYMENT_STATUS_LABELS,
    NOT_RECORDED,
    casework_texts,
    flag_labels,
    ids_table,
    lzb_status,
    person_status,
    present_extensions,
)
from .parents import third_birthday
from .records import CaseRecords, action_plan_status, review_due


class PersonNotFound(KeyError):
    """The person is not in the dataset (German message)."""


@dataclass
class CaseView:
    person: dict
    status: dict | None
    household: dict | None
    spells: list[dict] = field(default_factory=list)
    obstacles: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    employment: list[dict] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    caseworker: dict | None = None
    action_plans: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    #: dated casework texts at the view's day (action plan term, review rule, part-time training)
    rules: dict = field(default_factory=dict)
    #: age group, employment status and flags at the day (``common.person_status_sql``)
    flags: dict = field(default_factory=dict)


def _rows(tbl, pid: str, order: list[tuple[str, str]]) -> list[dict]:
    """The rows of one person, sorted (pyarrow only: no database connection per call)."""
    sub = tbl.filter(pc.equal(tbl["person_id"], pid))
    return sub.sort_by(order).to_pylist() if sub.num_rows else []


_ROLE_ORDER = {"head": 0, "partner": 1, "child": 2, "other": 3}


def _open(row: dict, day: date, start: str = "start", end: str = "end") -> bool:
    return row[start] <= day and (row[end] is None or row[end] >= day)


def case_view(ds: Dataset, person_id: str, day: date, records: CaseRecords | None = None,
              status_table=None) -> CaseView:
    """The case view of ``person_id`` at ``day``.

    ``status_table``: the engine's status table at ``day`` if already computed (the web batch stores
    it, see ``casework.casefile``); otherwise it is asked from the engine for ``ds``.
    """
    persons = ds["persons"].filter(pc.equal(ds["persons"]["person_id"], person_id)).to_pylist()
    if not persons:
        raise PersonNotFound(f"Die Person {person_id!r} ist im Datensatz nicht enthalten.")
    p = persons[0]
    person = {**p, "age": law.age_in_years(p["birth_date"], day)}
    st = status_table if status_table is not None else lzb_status(ds, day)
    srow = st.filter(pc.equal(st["person_id"], person_id)).to_pylist()
    status = srow[0] if srow else None

    spells = _rows(ds["elb_spells"], person_id, [("start", "ascending"), ("bg_id", "ascending")])
    current = [s for s in spells if _open(s, day)]
    household = None
    if current:
        cur = max(current, key=lambda s: (s["start"], s["bg_id"]))  # C2: the spell that started last
        bg = cur["bg_id"]
        h = ds["households"].filter(pc.equal(ds["households"]["bg_id"], bg)).to_pylist()
        types = [r["bg_type"] for r in h if _open(r, day)]
        bg_spells = ds["elb_spells"].filter(pc.equal(ds["elb_spells"]["bg_id"], bg)).to_pylist()
        members = sorted(({"person_id": r["person_id"], "role": r["role"], "status": r["status"]}
                          for r in bg_spells if _open(r, day)),
                         key=lambda m: (_ROLE_ORDER.get(m["role"], 9), m["person_id"]))
        household = {"bg_id": bg, "bg_type": types[0] if types else None, "municipality_id": cur["municipality_id"],
                     "role": cur["role"], "members": members}

    def with_open(rows: list[dict]) -> list[dict]:
        out = [{**r, "open": _open(r, day)} for r in rows if r["start"] <= day]
        return sorted(out, key=lambda r: (not r["open"], -r["start"].toordinal()))

    kids = []
    for c in _rows(ds["children"], person_id, [("child_birth_date", "descending")]):
        b = c["child_birth_date"]
        if b <= day:
            kids.append({"child_birth_date": b, "age_months": law.age_in_months(b, day), "turns_3": third_birthday(b)})

    caseworker = None
    asg = [a for a in _rows(ds["assignments"], person_id, [("start", "descending"), ("caseworker_id", "descending")]) if _open(a, day)]
    if asg:
        cw = ds["caseworkers"].filter(pc.equal(ds["caseworkers"]["caseworker_id"], asg[0]["caseworker_id"])).to_pylist()
        caseworker = {"caseworker_id": asg[0]["caseworker_id"], "since": asg[0]["start"],
                      "name": cw[0]["name"] if cw else None, "team": cw[0]["team"] if cw else None}

    plans, contacts = [], []
    if records is not None:
        in_force = {r["person_id"]: r for r in action_plan_status(records.action_plans, day).to_pylist()}
        for r in _rows(records.action_plans, person_id, [("agreed_on", "descending")]):
            cur = in_force.get(person_id)
            plans.append({**r, "in_force": bool(cur and cur["agreed_on"] == r["agreed_on"]),
                          "review_due": review_due(r["agreed_on"], r["reviewed_on"] if r["reviewed_on"] and
                                                   r["reviewed_on"] <= day else None, r["review_on"])})
        contacts = [c for c in _rows(records.contacts, person_id, [("contact_date", "descending")]) if c["contact_date"] <= day]

    return CaseView(person=person, status=status, household=household, spells=spells,
                    obstacles=with_open(_rows(ds["obstacles"], person_id, [("start", "ascending")])),
                    measures=with_open(_rows(ds["measures"], person_id, [("start", "ascending")])),
                    employment=with_open(_rows(ds["employment"], person_id, [("start", "ascending")])),
                    children=kids, caseworker=caseworker, action_plans=plans, contacts=contacts,
                    rules=casework_texts(day), flags=_flags(ds, person_id, day))


def _flags(ds: Dataset, person_id: str, day: date) -> dict:
    row = person_status(ds, day, ids_table([person_id])).to_pylist()
    if not row:
        return {}
    labels = flag_labels(day)
    codes = (row[0]["flags"] or "").split()
    from .export import german_value  # German cells, "nicht erfasst" for a table the data lacks

    r = row[0]
    return {"age_group": r["age_group"],
            "employment_status": EMPLOYMENT_STATUS_LABELS.get(r["employment_status"], r["employment_status"]),
            "flags": codes, "reasons": [labels[c] for c in codes],
            # issue 15: from the extension tables (docs/data.md)
            "registered_unemployed": german_value("registered_unemployed", r["registered_unemployed"]),
            "exemption": german_value("exemption", r["exemption"]),
            "profile_stage": german_value("profile_stage", r["profile_stage"]),
            "action_plan_since": (german_value("action_plan_since", r["action_plan_since"]) or "keine")
            if "action_plan_periods" in present_extensions(ds) else NOT_RECORDED}
