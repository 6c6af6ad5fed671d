"""The agreement editor as a form (issue 13 item 4): form fields ⇄ the agreement file's TOML.

The TOML file stays the import/export format and the one set of rules: the form is turned into the
file's tables, written as TOML and checked by ``zielwerk.targets.fileformat.parse_agreement``; each
problem it reports (with its line) is traced back to the form field that produced that line and its
message translated into the field's German label.

Editing never drops data: the form only replaces the keys it shows (goals, carriers, legal goal,
targets, links, titles, parties). Every other key of the stored document — sections or keys other
parts of Zielwerk add to the format, signatories, history — is carried over from the stored version
(goals and targets are matched by their original id, sent in a hidden field).

Field names: meta ``titel``, ``jahr``, ``jobcenter_id``, ``jobcenter_name``, ``partei_<key>``,
``praeambel``, ``anmerkungen``; goal i ``g<i>-<key>``; target j of goal i ``g<i>-t<j>-<key>``; link k
``l<k>-<key>``, where ``<key>`` is the file's key (``wert``, ``veraenderung_prozent``, …).
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import tomlkit

from zielwerk.domain import german
from zielwerk.targets import catalogue
from zielwerk.targets.model import CARRIERS, FORMS, LEGAL_GOALS, PARTIES

#: the target's number fields (file keys) with their German labels and units
NUMBER_KEYS = {
    "wert": "Zielwert", "veraenderung_prozent": "Veränderung in %", "veraenderung_punkte": "Veränderung in Pp.",
    "untergrenze": "Untergrenze", "obergrenze": "Obergrenze", "vorjahreswert": "Vorjahreswert",
    "toleranz": "Toleranz",
}
#: previous year's target and result (issue 15), where the file format has them
for _key, _label in (("vorjahresziel", "Vorjahresziel"), ("vorjahresergebnis", "Vorjahresergebnis")):
    from zielwerk.targets import fileformat as _ff

    if _key in getattr(_ff, "_TARGET", ()):
        NUMBER_KEYS[_key] = _label
TARGET_TEXT_KEYS = ("id", "kennzahl", "geschlecht", "form", "richtung", "anmerkung")
GOAL_KEYS = ("id", "titel", "traeger", "gesetzliches_ziel", "beschreibung")
LINK_KEYS = ("von", "nach", "begruendung")
META_KEYS = ("titel", "jahr", "jobcenter_id", "jobcenter_name", "praeambel", "anmerkungen", "reihe")
try:  # the monitored series (issue 14), where the model has it
    from zielwerk.targets.model import SERIES
except ImportError:  # pragma: no cover
    SERIES = {}
#: file key → German label (messages of the file format name file keys: translated to these)
LABELS = {
    **NUMBER_KEYS, "id": "Kennung", "kennzahl": "Kennzahl", "geschlecht": "Geschlecht", "form": "Zielform",
    "richtung": "Richtung", "anmerkung": "Anmerkung", "titel": "Titel", "traeger": "Träger",
    "gesetzliches_ziel": "Gesetzliches Ziel", "beschreibung": "Beschreibung", "von": "Ziel (unterstützt)",
    "nach": "Ziel (wird unterstützt)", "begruendung": "Begründung", "jahr": "Jahr", "name": "Name",
    "praeambel": "Präambel", "anmerkungen": "Anmerkungen",
}
#: carrier choice in the form → the file's ``traeger`` list
CARRIER_CHOICES = {"kreis": ("Kreis", ["kreis"]), "agentur": ("Agentur für Arbeit", ["agentur"]),
                   "gemeinsam": ("gemeinsam (Kreis und Agentur für Arbeit)", list(CARRIERS))}
SEXES = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}
DIRECTIONS = {"": "wie im Katalog", catalogue.HIGHER: "höher ist besser", catalogue.LOWER: "niedriger ist besser"}
MAX_ROWS = 200


def carrier_choice(owners: Any) -> str:
    owners = set(owners or [])
    if owners >= set(CARRIERS):
        return "gemeinsam"
    return next(iter(owners), "") if len(owners) == 1 else ""


def _show_number(v: Any) -> str:
    """A figure of the file as the form shows it: 2.5 → '2,5', -2.0 → '-2', 1234.0 → '1234'."""
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return "" if v is None else str(v)
    if not math.isfinite(v):
        return str(v)
    text = f"{float(v):.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def parse_number(text: str) -> float:
    """German input → float: '2,5', '−2,0', '1.234,5', '1234.5' (a single dot with ≠ 3 decimals)."""
    t = text.strip().replace("\u00a0", "").replace(" ", "").replace("−", "-").replace("+", "")
    t = t.removesuffix("%").removesuffix("Pp.").strip()
    if "," in t:
        t = t.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", t):
        t = t.replace(".", "")
    v = float(t)
    if not math.isfinite(v):
        raise ValueError(text)
    return v


# --- form state ------------------------------------------------------------------------------


@dataclass
class FormState:
    """What the form shows: strings per field, rows of goals, targets and links."""

    meta: dict[str, str] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)
    goals: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # field name → German message
    general: list[str] = field(default_factory=list)  # problems not tied to one field

    def error(self, name: str) -> str:
        return self.errors.get(name, "")


def _empty_target() -> dict[str, str]:
    return {"alt": "", **dict.fromkeys(TARGET_TEXT_KEYS, ""), "geschlecht": "all", **dict.fromkeys(NUMBER_KEYS, "")}


def _empty_goal() -> dict[str, Any]:
    return {"alt": "", "id": "", "titel": "", "traeger": "gemeinsam", "gesetzliches_ziel": "", "beschreibung": "",
            "targets": [_empty_target()]}


def state_from_document(text: str) -> FormState:
    """The form for a stored document (TOML)."""
    raw = tomllib.loads(text) if text.strip() else {}
    jc = raw.get("jobcenter") or {}
    st = FormState(
        meta={"titel": str(raw.get("titel", "")), "jahr": str(raw.get("jahr", "")), "jobcenter_id": str(jc.get("id", "")),
              "jobcenter_name": str(jc.get("name", "")), "praeambel": str(raw.get("praeambel", "")).strip("\n"),
              "anmerkungen": str(raw.get("anmerkungen", "")).strip("\n"), "reihe": str(raw.get("reihe", ""))},
        parties={k: str((raw.get("parteien") or {}).get(k, "")) for k in PARTIES})
    for g in raw.get("ziele") or []:
        goal = {"alt": str(g.get("id", "")), "id": str(g.get("id", "")), "titel": str(g.get("titel", "")),
                "traeger": carrier_choice(g.get("traeger")), "gesetzliches_ziel": str(g.get("gesetzliches_ziel", "")),
                "beschreibung": str(g.get("beschreibung", "")).strip("\n"), "targets": []}
        for t in g.get("zielwerte") or []:
            row = _empty_target()
            row.update({k: str(t.get(k, "")) for k in TARGET_TEXT_KEYS if k in t})
            row.update({k: _show_number(t.get(k)) for k in NUMBER_KEYS if k in t})
            row["alt"] = str(t.get("id", ""))
            goal["targets"].append(row)
        st.goals.append(goal)
    st.links = [{k: str(lk.get(k, "")) for k in LINK_KEYS} for lk in raw.get("verknuepfungen") or []]
    return st


def state_from_post(form: Mapping[str, Any]) -> tuple[FormState, str]:
    """The form as posted, and the action ('speichern', or a row to add: 'ziel', 'zielwert-<i>',
    'verknuepfung'); rows to add are appended here."""

    def get(name: str) -> str:
        v = form.get(name, "")
        return v if isinstance(v, str) else ""

    def count(name: str) -> int:
        try:
            return max(0, min(MAX_ROWS, int(get(name) or 0)))
        except ValueError:
            return 0

    action = get("aktion") or "speichern"
    st = FormState(meta={k: get(k) for k in META_KEYS}, parties={k: get(f"partei_{k}") for k in PARTIES})
    for i in range(count("anzahl_ziele")):
        p = f"g{i}-"
        if get(p + "loeschen"):
            continue
        goal: dict[str, Any] = {"alt": get(p + "alt"), **{k: get(p + k) for k in GOAL_KEYS}, "targets": []}
        for j in range(count(p + "anzahl_zielwerte")):
            tp = f"{p}t{j}-"
            if get(tp + "loeschen"):
                continue
            row = {"alt": get(tp + "alt"), **{k: get(tp + k) for k in TARGET_TEXT_KEYS},
                   **{k: get(tp + k) for k in NUMBER_KEYS}}
            row["geschlecht"] = row["geschlecht"] or "all"
            goal["targets"].append(row)
        if action == f"zielwert-{i}":
            goal["targets"].append(_empty_target())
        st.goals.append(goal)
    if action == "ziel":
        st.goals.append(_empty_goal())
    for k in range(count("anzahl_verknuepfungen")):
        if not get(f"l{k}-loeschen"):
            st.links.append({key: get(f"l{k}-{key}") for key in LINK_KEYS})
    if action == "verknuepfung":
        st.links.append(dict.fromkeys(LINK_KEYS, ""))
    return st, action


def with_blank_rows(st: FormState) -> FormState:
    """A new agreement starts with one empty goal (with one empty target) and one empty link row."""
    if not st.goals:
        st.goals.append(_empty_goal())
    return st


def assign_ids(st: FormState) -> None:
    """Give every titled goal without an id the id :func:`build` would give it (the links' choices)."""
    taken = {g["id"].strip() for g in st.goals if g["id"].strip()}
    for g in st.goals:
        if not g["id"].strip() and g["titel"].strip():
            g["id"] = _unique(_slug(g["titel"]), taken)


# --- form → file -----------------------------------------------------------------------------


def _slug(text: str) -> str:
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40] or "ziel"


def _unique(base: str, taken: set[str]) -> str:
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    taken.add(out)
    return out


def _blank_target(t: dict[str, str]) -> bool:
    return not any(t.get(k, "").strip() for k in ("id", "kennzahl", "anmerkung", *NUMBER_KEYS))


def _blank_goal(g: dict[str, Any]) -> bool:
    return not (g["id"].strip() or g["titel"].strip() or g["beschreibung"].strip()) and \
        all(_blank_target(t) for t in g["targets"])


@dataclass
class Built:
    """The file's tables built from the form, and where each goal/target/link came from."""

    raw: dict[str, Any]
    goal_rows: list[int]  # file index → form index
    target_rows: dict[tuple[int, int], tuple[int, int]]
    link_rows: list[int]


def build(st: FormState, base: dict[str, Any]) -> Built:
    """The agreement file's tables: ``base`` (the stored document's tables) with the form's parts
    replaced. Field errors of unreadable numbers go to ``st.errors``."""
    raw = copy.deepcopy(base)
    m = st.meta
    for key in ("titel", "praeambel", "anmerkungen"):
        if m.get(key, "").strip():
            raw[key] = m[key].replace("\r\n", "\n").strip()
        else:
            raw.pop(key, None)
    if m.get("reihe") in SERIES:
        raw["reihe"] = m["reihe"]
    elif not m.get("reihe"):
        raw.pop("reihe", None)
    year = m.get("jahr", "").strip()
    if year.isdigit():
        raw["jahr"] = int(year)
    else:
        raw.pop("jahr", None)
        st.errors["jahr"] = "Jahr: bitte eine vierstellige Jahreszahl angeben (z. B. 2017)."
    raw.setdefault("status", "entwurf")
    raw.setdefault("version", 1)
    jc = dict(raw.get("jobcenter") or {})
    jc["id"], jc["name"] = m.get("jobcenter_id", "").strip(), m.get("jobcenter_name", "").strip()
    raw["jobcenter"] = jc
    parties = dict(raw.get("parteien") or {})
    parties.update({k: v.strip() for k, v in st.parties.items()})
    raw["parteien"] = parties

    old_goals = {g.get("id"): g for g in base.get("ziele") or [] if isinstance(g, dict)}
    old_targets = {t.get("id"): t for g in old_goals.values() for t in g.get("zielwerte") or [] if isinstance(t, dict)}
    goal_ids = {g["id"].strip() for g in st.goals if g["id"].strip()}
    target_ids = {t["id"].strip() for g in st.goals for t in g["targets"] if t["id"].strip()}
    goals, goal_rows, target_rows = [], [], {}
    for fi, g in enumerate(st.goals):
        if _blank_goal(g):
            continue
        out = copy.deepcopy(old_goals.get(g["alt"], {})) if g["alt"] else {}
        gid = g["id"].strip() or _unique(_slug(g["titel"]), goal_ids)
        g["id"] = gid
        out["id"], out["titel"] = gid, g["titel"].strip()
        if g["traeger"] in CARRIER_CHOICES:
            chosen = list(CARRIER_CHOICES[g["traeger"]][1])
            if set(chosen) != set(out.get("traeger") or []):  # the file's order stays when the set is the same
                out["traeger"] = chosen
        else:
            out.pop("traeger", None)
            st.errors[f"g{fi}-traeger"] = "Träger: bitte Kreis, Agentur für Arbeit oder gemeinsam wählen."
        for key in ("gesetzliches_ziel", "beschreibung"):
            if g[key].strip():
                out[key] = g[key].replace("\r\n", "\n").strip()
            else:
                out.pop(key, None)
        targets = []
        for fj, t in enumerate(g["targets"]):
            if _blank_target(t):
                continue
            tout = copy.deepcopy(old_targets.get(t["alt"], {})) if t["alt"] else {}
            for key in (*NUMBER_KEYS, "richtung", "anmerkung", "geschlecht"):
                tout.pop(key, None)
            code = t["kennzahl"].strip()
            tid = t["id"].strip() or _unique(_slug(code + {"f": "-frauen", "m": "-maenner"}.get(t["geschlecht"], "")),
                                             target_ids)
            t["id"] = tid
            tout["id"] = tid
            tout["kennzahl"] = code
            tout["form"] = t["form"]
            if t["geschlecht"] in ("f", "m"):
                tout["geschlecht"] = t["geschlecht"]
            for key, label in NUMBER_KEYS.items():
                text = t[key].strip()
                if not text:
                    continue
                try:
                    tout[key] = parse_number(text)
                except ValueError:
                    st.errors[f"g{fi}-t{fj}-{key}"] = f"{label}: bitte eine Zahl angeben (z. B. 2,5 oder −1,0)."
            if t["richtung"]:
                tout["richtung"] = t["richtung"]
            if t["anmerkung"].strip():
                tout["anmerkung"] = t["anmerkung"].strip()
            target_rows[(len(goals), len(targets))] = (fi, fj)
            targets.append(tout)
        if targets:
            out["zielwerte"] = targets
        else:
            out.pop("zielwerte", None)
        goal_rows.append(fi)
        goals.append(out)
    raw["ziele"] = goals
    links, link_rows = [], []
    old_links = {(lk.get("von"), lk.get("nach")): lk for lk in base.get("verknuepfungen") or [] if isinstance(lk, dict)}
    for k, lk in enumerate(st.links):
        if not any(lk[key].strip() for key in LINK_KEYS):
            continue
        out = copy.deepcopy(old_links.get((lk["von"], lk["nach"]), {}))
        out.update({"von": lk["von"].strip(), "nach": lk["nach"].strip(), "art": out.get("art", "unterstuetzt"),
                    "begruendung": lk["begruendung"].strip()})
        links.append(out)
        link_rows.append(k)
    if links:
        raw["verknuepfungen"] = links
    else:
        raw.pop("verknuepfungen", None)
    return Built(raw, goal_rows, target_rows, link_rows)


def to_toml(raw: dict[str, Any], comment: str = "") -> str:
    """The tables as TOML in the file's layout: plain keys, then tables, then arrays of tables."""
    doc = tomlkit.document()
    if comment:
        doc.add(tomlkit.comment(comment))
    _fill(doc, raw)
    return tomlkit.dumps(doc)


def _is_aot(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _fill(table: Any, data: dict[str, Any]) -> None:
    plain = [(k, v) for k, v in data.items() if not isinstance(v, dict) and not _is_aot(v)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict)]
    aots = [(k, v) for k, v in data.items() if _is_aot(v)]
    for k, v in plain:
        table[k] = tomlkit.string(v, multiline=True) if isinstance(v, str) and "\n" in v else v
    for k, v in tables:
        t = tomlkit.table()
        _fill(t, v)
        table[k] = t
    for k, v in aots:
        arr = tomlkit.aot()
        for item in v:
            t = tomlkit.table()
            _fill(t, item)
            arr.append(t)
        table[k] = arr


# --- validation: the file format's problems, traced to form fields ----------------------------


def _translate(message: str) -> str:
    for key, label in LABELS.items():
        message = message.replace(f" ('{key}')", "")
    for key, label in sorted(LABELS.items(), key=lambda kv: -len(kv[0])):
        message = message.replace(f"'{key}'", f"„{label}“")
    for key, label in FORMS.items():
        message = message.replace(f"'{key}'", f"„{label}“")
    return message


def _field_of(path: tuple, built: Built) -> str | None:
    """The form field (or row) a value path of the file belongs to; None: the whole form."""
    if not path:
        return None
    head = path[0]
    if head == "ziele" and len(path) >= 2 and isinstance(path[1], int) and path[1] < len(built.goal_rows):
        fi = built.goal_rows[path[1]]
        if len(path) >= 4 and path[2] == "zielwerte" and isinstance(path[3], int):
            fi, fj = built.target_rows.get((path[1], path[3]), (fi, -1))
            key = path[4] if len(path) >= 5 else ""
            row = f"g{fi}-t{fj}"
            return f"{row}-{key}" if key in NUMBER_KEYS or key in TARGET_TEXT_KEYS else row
        key = path[2] if len(path) >= 3 else ""
        return f"g{fi}-{key}" if key in GOAL_KEYS else f"g{fi}"
    if head == "verknuepfungen" and len(path) >= 2 and isinstance(path[1], int) and path[1] < len(built.link_rows):
        k = built.link_rows[path[1]]
        key = path[2] if len(path) >= 3 else ""
        return f"l{k}-{key}" if key in LINK_KEYS else f"l{k}"
    if head == "jobcenter":
        return f"jobcenter_{path[1]}" if len(path) >= 2 and path[1] in ("id", "name") else "jobcenter_id"
    if head == "parteien":
        return f"partei_{path[1]}" if len(path) >= 2 and path[1] in PARTIES else None
    if head in META_KEYS:
        return head
    return None


def validate(st: FormState, built: Built) -> str | None:
    """Check the built file with the file format's rules. Return its TOML text if valid; else None with
    every problem in ``st.errors`` (by field) or ``st.general``."""
    from zielwerk.targets.fileformat import AgreementFileInvalid, locate_lines, parse_agreement

    text = to_toml(built.raw)
    if st.errors:
        return None
    try:
        parse_agreement(text, "Formular")
    except AgreementFileInvalid as exc:
        by_line: dict[int, tuple] = {}
        for path, line in locate_lines(text).items():
            if len(path) > len(by_line.get(line, ())):
                by_line[line] = path
        for p in exc.problems:
            path = by_line.get(p.line, ())
            # a problem of a whole row is reported on its header line; a missing key on the row
            name = _field_of(path, built)
            msg = _translate(p.message)
            if name is None:
                st.general.append(msg)
            elif name in st.errors:
                st.errors[name] += " " + msg
            else:
                st.errors[name] = msg
        if not st.errors and not st.general:
            st.general.append("Die Vereinbarung ist unvollständig.")
        return None
    return text


def new_version_tables(raw: dict[str, Any], old_model: Any, new_model: Any, signed: bool, author: str, on: date,
                       reason: str, changes: list[str]) -> dict[str, Any]:
    """The version rules of ``targets.model.AgreementRecord.edit`` applied to the file's tables: a signed
    version is immutable, so the change becomes a draft with the next version number and undated
    signatories; the history gains an entry with the readable changes and the reason."""
    raw = copy.deepcopy(raw)
    version = int(raw.get("version", 1) or 1)
    if signed:
        version += 1
        raw["unterzeichner"] = [{k: v for k, v in s.items() if k != "datum"} for s in raw.get("unterzeichner") or []]
        if not raw["unterzeichner"]:
            raw.pop("unterzeichner")
    raw["status"], raw["version"] = "entwurf", version
    entry = {"version": version, "autor": author, "datum": on,
             "aenderung": "; ".join(changes) or "keine inhaltliche Änderung"}
    if reason.strip():
        entry["grund"] = reason.strip()
    raw["versionen"] = [*(raw.get("versionen") or []), entry]
    return raw


def indicator_choices() -> list[tuple[str, str]]:
    """(code, 'K2 – Integrationsquote …') of every indicator a target may use."""
    return [(code, f"{code} – {spec.name}") for code, spec in catalogue.target_indicators().items()]


CHOICES = {"series": SERIES, "carriers": {k: v[0] for k, v in CARRIER_CHOICES.items()}, "legal": LEGAL_GOALS, "forms": FORMS,
           "sexes": SEXES, "directions": DIRECTIONS, "parties": PARTIES}


def number_hint(code: str) -> str:
    """Unit of a target's level fields, shown beside the inputs."""
    try:
        rec = catalogue.get(code).record
    except KeyError:
        return ""
    return german.UNIT_ABBR.get(rec.unit, rec.unit)
