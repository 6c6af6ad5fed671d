"""A readable version diff of two agreements, in German, for the "Fassungen vergleichen" page.

Pure: two :class:`zielwerk.targets.model.Agreement` values in, a list of German sentences out, e.g.
``Zielwert K2 Frauen: +3,0 % → +2,5 %``, ``Ziel hinzugefügt: „Elternzeit“``,
``Träger von „Langzeitbezug“: Kreis → gemeinsam (Kreis und Agentur für Arbeit)``.

Figures carry their unit (``zielwerk.domain.german``): a relative change in % with sign, a change in
percentage points in Pp., levels of a quota in %, of a change rate (K1, K3) in % with sign, counts in
Personen (needs: Bedarfe), amounts in €. Signatures, status, version number and version history are not
content and not part of the diff (they are shown elsewhere).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from zielwerk.domain import german

from . import catalogue
from .model import CARRIERS, FORMS, LEGAL_GOALS, LINK_KINDS, PARTIES, Agreement, Goal, Link, Target

SEX_LABELS = {"all": "", "f": "Frauen", "m": "Männer"}
#: carrier tuples as users read them
_CARRIER_LABELS = {"kreis": "Kreis", "agentur": "Agentur für Arbeit"}
DIRECTIONS = {catalogue.HIGHER: "höher ist besser", catalogue.LOWER: "niedriger ist besser", None: "wie im Katalog"}


def carriers_text(owners: tuple[str, ...]) -> str:
    """``("kreis", "agentur")`` → ``gemeinsam (Kreis und Agentur für Arbeit)``."""
    owners = tuple(o for o in CARRIERS if o in owners) + tuple(o for o in owners if o not in CARRIERS)
    if set(CARRIERS) <= set(owners):
        return "gemeinsam (Kreis und Agentur für Arbeit)"
    return " und ".join(_CARRIER_LABELS.get(o, o) for o in owners) or "kein Träger"


def target_label(t: Target) -> str:
    """``K2 Frauen`` — indicator code and sex (nothing for all persons)."""
    return " ".join(p for p in (t.indicator, SEX_LABELS.get(t.sex, t.sex)) if p)


def _level_unit(code: str) -> tuple[str, bool]:
    """(display unit, is a change rate) of an indicator's level."""
    try:
        rec = catalogue.get(code).record
    except KeyError:
        return "", False
    return rec.unit, rec.shown_value == "change"


def figure(t: Target, attr: str, value: float | None) -> str:
    """One figure of a target with its unit."""
    if value is None:
        return "–"
    if attr == "change_pct":
        return german.pct(value, 1, sign=True)
    if attr == "change_points":
        return german.points(value)
    unit, change_rate = _level_unit(t.indicator)
    if attr == "tolerance":
        return german.points(value, sign=False) if unit == "%" else german.pct(value, 1) + " des Zielpfads"
    return german.with_unit(value, unit, change_rate=change_rate) if unit else german.num(value, 1)


#: the figures of a target, in the order they are reported; the main figure has no label of its own
_FIGURES = (("value", ""), ("change_pct", ""), ("change_points", ""), ("lower", "Untergrenze"),
            ("upper", "Obergrenze"), ("baseline", "Vorjahreswert"), ("tolerance", "Toleranz"),
            *((a, label) for a, label in (("prev_target", "Vorjahresziel"), ("prev_result", "Vorjahresergebnis"))
              if a in Target.__dataclass_fields__))


def target_summary(t: Target) -> str:
    """``Veränderung gegenüber dem Vorjahreswert (Berichtsmonat) +3,0 %`` — form and figures."""
    parts = [f"{label + ' ' if label else ''}{figure(t, attr, getattr(t, attr))}"
             for attr, label in _FIGURES if getattr(t, attr) is not None]
    return FORMS.get(t.form, t.form) + (" " + ", ".join(parts) if parts else "")


def _quote(text: str) -> str:
    return f"„{text}“"


def _goal_changes(a: Goal, b: Goal, out: list[str]) -> None:
    name = _quote(b.title)
    if a.title != b.title:
        out.append(f"Ziel {_quote(a.title)} umbenannt in {name}")
    if tuple(sorted(a.owners)) != tuple(sorted(b.owners)):
        out.append(f"Träger von {name}: {carriers_text(a.owners)} → {carriers_text(b.owners)}")
    if a.legal_goal != b.legal_goal:
        out.append(f"Gesetzliches Ziel von {name}: {_legal(a.legal_goal)} → {_legal(b.legal_goal)}")
    if a.description != b.description:
        out.append(f"Beschreibung von {name} geändert")
    _other_fields(f"Ziel {name}: ", a, b, out)
    old = {t.id: t for t in a.targets}
    new = {t.id: t for t in b.targets}
    for tid, t in old.items():
        if tid not in new:
            out.append(f"Zielwert entfernt: {target_label(t)} ({target_summary(t)}) aus Ziel {name}")
    for tid, t in new.items():
        if tid not in old:
            out.append(f"Zielwert hinzugefügt: {target_label(t)} ({target_summary(t)}) in Ziel {name}")
        elif old[tid] != t:
            _target_changes(old[tid], t, out)


def _legal(key: str | None) -> str:
    return LEGAL_GOALS.get(key, key) if key else "lokales Ziel"


def _target_changes(a: Target, b: Target, out: list[str]) -> None:
    label = f"Zielwert {target_label(b)}"
    if a.indicator != b.indicator or a.sex != b.sex:
        out.append(f"Zielwert {target_label(a)}: jetzt {target_label(b)}")
    if a.form != b.form:
        out.append(f"{label}: {target_summary(a)} → {target_summary(b)}")
    else:
        for attr, field_label in _FIGURES:
            va, vb = getattr(a, attr), getattr(b, attr)
            if va != vb:
                where = f"{label}, {field_label}" if field_label else label
                out.append(f"{where}: {figure(a, attr, va)} → {figure(b, attr, vb)}")
    if a.better != b.better:
        out.append(f"{label}, Richtung: {DIRECTIONS.get(a.better, a.better)} → {DIRECTIONS.get(b.better, b.better)}")
    if a.note != b.note:
        out.append(f"{label}, Anmerkung: {_quote(a.note) if a.note else '–'} → {_quote(b.note) if b.note else '–'}")
    _other_fields(f"{label}: ", a, b, out)


def _link_text(lk: Link, titles: dict[str, str]) -> str:
    verb = LINK_KINDS.get(lk.kind, lk.kind)
    return f"{_quote(titles.get(lk.source, lk.source))} {verb} {_quote(titles.get(lk.target, lk.target))}"


def readable_diff(old: Agreement, new: Agreement) -> list[str]:
    """What changed from ``old`` to ``new``, one German sentence per change (content only)."""
    out: list[str] = []
    for attr, label in (("title", "Titel"), ("jobcenter_name", "Jobcenter"), ("jobcenter_id", "Jobcenter-Kennung"),
                        ("year", "Jahr")):
        va, vb = getattr(old, attr), getattr(new, attr)
        if va != vb:
            out.append(f"{label}: {va or '–'} → {vb or '–'}")
    for attr, label in (("preamble", "Präambel"), ("notes", "Anmerkungen")):
        if getattr(old, attr) != getattr(new, attr):
            out.append(f"{label} geändert")
    pa, pb = dict(old.parties), dict(new.parties)
    for key in dict.fromkeys([*pa, *pb]):
        if pa.get(key) != pb.get(key):
            out.append(f"Partei {PARTIES.get(key, key)}: {pa.get(key) or '–'} → {pb.get(key) or '–'}")
    old_goals = {g.id: g for g in old.goals}
    new_goals = {g.id: g for g in new.goals}
    for gid, g in old_goals.items():
        if gid not in new_goals:
            out.append(f"Ziel entfernt: {_quote(g.title)}")
    for gid, g in new_goals.items():
        if gid not in old_goals:
            targets = "; ".join(f"{target_label(t)} {target_summary(t)}" for t in g.targets)
            out.append(f"Ziel hinzugefügt: {_quote(g.title)} (Träger: {carriers_text(g.owners)}"
                       + (f"; Zielwerte: {targets}" if targets else "") + ")")
        elif old_goals[gid] != g:
            _goal_changes(old_goals[gid], g, out)
    titles = {**{g.id: g.title for g in old.goals}, **{g.id: g.title for g in new.goals}}
    la = {(lk.source, lk.target): lk for lk in old.links}
    lb = {(lk.source, lk.target): lk for lk in new.links}
    for k, lk in la.items():
        if k not in lb:
            out.append(f"Verknüpfung entfernt: {_link_text(lk, titles)}")
    for k, lk in lb.items():
        if k not in la:
            out.append(f"Verknüpfung hinzugefügt: {_link_text(lk, titles)}"
                       + (f" ({lk.rationale})" if lk.rationale else ""))
        elif la[k] != lk:
            out.append(f"Verknüpfung {_link_text(lk, titles)}: Begründung geändert")
    _other_fields("", old, new, out)
    return out


#: fields :func:`readable_diff` reports in its own words (or skips: signatures, status, version, history)
_KNOWN = {
    Agreement: {"year", "jobcenter_id", "jobcenter_name", "parties", "goals", "links", "signatories", "status",
                "version", "history", "title", "preamble", "notes"},
    Goal: {"id", "title", "owners", "legal_goal", "description", "targets"},
    Target: {"id", "indicator", "form", "sex", "value", "change_pct", "change_points", "lower", "upper", "baseline",
             "tolerance", "better", "note", "prev_target", "prev_result"},
}


def _other_fields(where: str, a: Any, b: Any, out: list[str]) -> None:
    """Fields added to the model later (named by their file key): reported as changed, never lost."""
    from .model import FILE_KEYS

    known = _KNOWN.get(type(a), set())
    for f in fields(a):
        if f.name not in known and getattr(a, f.name) != getattr(b, f.name):
            out.append(f"{where}{FILE_KEYS.get(f.name, f.name)} geändert")
