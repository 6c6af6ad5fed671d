"""What is due today: a case manager's own cases ranked, each with the reasons it is due (the "Heute" page).

Pure: the reasons are read from the work lists the import pipeline wrote (``casework.batch``), already
restricted to the user's persons and overlaid with the store's live records by the web page; nothing is
recomputed from the dataset here. Reasons (code → meaning):

``lzb``
    in ``lzb-praevention`` and crossing the LZB threshold (``lzb_from``) within ``weeks`` weeks after
    the lists' Stichtag; due on ``lzb_from``.
``ueberpruefung``
    in ``ueberpruefung-ueberfaellig`` (review of the action plan overdue); due on ``review_due``.
``kind-2-jahr``
    in ``eltern-kleinkind`` and the youngest child's first birthday (start of the 2nd year of life)
    lies within the ``weeks`` weeks before the Stichtag (the list holds children from 12 months on, so
    the window looks back); due on that birthday; both parents of the entry get the reason.
``randzeit``
    an open off-peak childcare need (``randzeiten-vorschlaege`` or ``randzeiten-ungedeckt``); due
    since ``need_since``.
``u25``
    in ``u25-ohne-ausbildung`` and no training offer recorded: no store contact of kind ``angebot``
    (``web.pages.casework.CHANNELS``) since ``offer_since``; due on the Stichtag.

Ranking: earliest due date first (what has been due longest, then what comes next), ties by more
reasons first, then person id. Persons not in ``caseload`` (the user's scope) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pyarrow as pa

from .common import add_months

#: reason code → German label (filter and page)
REASONS: dict[str, str] = {
    "ueberpruefung": "Überprüfung überfällig",
    "lzb": "LZB-Schwelle naht",
    "kind-2-jahr": "Kind im 2. Lebensjahr",
    "randzeit": "Kinderbetreuung in Randzeiten offen",
    "u25": "U25 ohne Ausbildungsangebot",
}
#: default look-ahead/look-back window in weeks
DEFAULT_WEEKS = 8
#: the contact kind that records an offer (job, measure, training place)
OFFER_KIND = "angebot"

DUE_SCHEMA = pa.schema([
    ("rank", pa.int32()), ("person_id", pa.string()), ("due", pa.date32()), ("reasons", pa.string()),
    ("reason_text", pa.string()), ("caseworker_id", pa.string()), ("caseworker_name", pa.string()),
    ("team", pa.string()), ("municipality_id", pa.string()), ("last_contact", pa.date32()),
    ("last_contact_kind", pa.string()),
    # the person's name from the caseload, if the data has names (docs/data.md, "Person names")
    ("first_name", pa.string()), ("last_name", pa.string()),
])

__all__ = ["DEFAULT_WEEKS", "DUE_SCHEMA", "OFFER_KIND", "REASONS", "due_cases"]


def _d(v: date) -> str:
    return v.strftime("%d.%m.%Y")


def _first_birthday(birth: date) -> date:
    """The day the child is one year old; 29 February → 28 February (``common.add_months``, § 188 BGB)."""
    return add_months(birth, 12)


def _rows(lists: Mapping[str, pa.Table | None], name: str) -> list[dict]:
    tbl = lists.get(name)
    return tbl.to_pylist() if tbl is not None else []


def due_cases(lists: Mapping[str, pa.Table | None], stichtag: date, caseload: Mapping[str, Mapping],
              contacts: pa.Table | None = None, *, weeks: int = DEFAULT_WEEKS,
              offer_since: date | None = None, caseworker_names: Mapping[str, str] | None = None) -> pa.Table:
    """The user's due cases, ranked (schema :data:`DUE_SCHEMA`).

    ``lists``: work list name → table (scoped, live records applied); ``caseload``: person id → the
    caseload row (``caseworker_id``, ``team``, ``municipality_id``) of every person the user may see;
    ``contacts``: the store's contacts of these persons (``records.CONTACTS_SCHEMA``).
    """
    if weeks < 0:
        raise ValueError("Die Zahl der Wochen darf nicht negativ sein.")
    window = timedelta(weeks=weeks)
    found: dict[str, list[tuple[str, date, str]]] = {}

    def add(pid: str | None, code: str, due: date, text: str) -> None:
        if pid and pid in caseload:
            found.setdefault(pid, []).append((code, due, text))

    for r in _rows(lists, "ueberpruefung-ueberfaellig"):
        due = r["review_due"]
        add(r["person_id"], "ueberpruefung", due, f"Überprüfung des Kooperationsplans seit {_d(due)} überfällig")
    for r in _rows(lists, "lzb-praevention"):
        if r.get("lzb_from") and r["lzb_from"] <= stichtag + window:
            add(r["person_id"], "lzb", r["lzb_from"],
                f"wird am {_d(r['lzb_from'])} langzeitleistungsbeziehend, wenn der Bezug andauert")
    for r in _rows(lists, "eltern-kleinkind"):
        if not r.get("youngest_child_birth"):
            continue
        bday = _first_birthday(r["youngest_child_birth"])
        if stichtag - window <= bday <= stichtag + window:
            text = f"jüngstes Kind seit {_d(bday)} im 2. Lebensjahr" if bday <= stichtag else \
                f"jüngstes Kind ab {_d(bday)} im 2. Lebensjahr"
            add(r["person_id"], "kind-2-jahr", bday, text)
            if r.get("partner_id"):
                add(r["partner_id"], "kind-2-jahr", bday, text)
    for name, note in (("randzeiten-vorschlaege", "Angebot vorgeschlagen"),
                       ("randzeiten-ungedeckt", "kein passendes Angebot frei")):
        for r in _rows(lists, name):
            if name == "randzeiten-vorschlaege" and r.get("rank") not in (None, 1):
                continue
            since = r.get("need_since") or stichtag
            detail = r.get("provider_name") if name == "randzeiten-vorschlaege" else r.get("reason_label")
            add(r["person_id"], "randzeit", since,
                f"Betreuungsbedarf in Randzeiten seit {_d(since)} offen ({note}{': ' + detail if detail else ''})")

    last: dict[str, tuple[date, str]] = {}
    offered: set[str] = set()
    if contacts is not None:
        for c in contacts.to_pylist():
            pid, day, kind = c["person_id"], c["contact_date"], c.get("kind") or ""
            if pid not in last or day > last[pid][0]:
                last[pid] = (day, kind)
            if kind == OFFER_KIND and (offer_since is None or day >= offer_since):
                offered.add(pid)
    for r in _rows(lists, "u25-ohne-ausbildung"):
        if r["person_id"] not in offered:
            add(r["person_id"], "u25", stichtag, "unter 25, ohne Berufsabschluss, kein Ausbildungsangebot erfasst")

    names = caseworker_names or {}
    out = []
    for pid, reasons in found.items():
        seen: dict[str, tuple[str, date, str]] = {}
        for code, due, text in sorted(reasons, key=lambda t: t[1]):
            seen.setdefault(code, (code, due, text))  # one entry per reason: its earliest due date
        items = sorted(seen.values(), key=lambda t: (t[1], list(REASONS).index(t[0])))
        cl = caseload[pid]
        lc = last.get(pid)
        out.append({"person_id": pid, "due": items[0][1], "reasons": " ".join(t[0] for t in items),
                    "reason_text": "; ".join(t[2] for t in items), "caseworker_id": cl.get("caseworker_id"),
                    "caseworker_name": names.get(cl.get("caseworker_id") or "", cl.get("caseworker_name")),
                    "team": cl.get("team"), "municipality_id": cl.get("municipality_id"),
                    "last_contact": lc[0] if lc else None, "last_contact_kind": lc[1] if lc else None,
                    "first_name": cl.get("first_name"), "last_name": cl.get("last_name")})
    out.sort(key=lambda r: (r["due"], -len(r["reasons"].split()), r["person_id"]))
    for i, r in enumerate(out, 1):
        r["rank"] = i
    return pa.Table.from_pylist(out, schema=DUE_SCHEMA)
