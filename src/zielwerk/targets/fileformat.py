"""The human-editable agreement file (TOML): parse with line-exact German errors, and write back.

Format (keys are German, see ``examples/siegen-wittgenstein-2016/ziele.toml`` and
``docs/zielvereinbarung.md``)::

    jahr = 2016
    status = "unterzeichnet"          # entwurf | unterzeichnet | abgeloest
    version = 1
    reihe = "eigen"                   # eigen | amtlich: the series monitored (issue 14; default eigen)
    [jobcenter]   id = "05970"  name = "..."
    [parteien]    kreis = "..."  agentur = "..."  jobcenter = "..."
    [[unterzeichner]]  name, funktion, partei, datum
    [[ziele]]          id, titel, traeger = ["kreis", "agentur"], gesetzliches_ziel, beschreibung
    [[ziele.zielwerte]] id, kennzahl, form, geschlecht, wert | veraenderung_prozent |
                        veraenderung_punkte | untergrenze + obergrenze, vorjahreswert, toleranz,
                        richtung, anmerkung
    [[verknuepfungen]] von, nach, art = "unterstuetzt", begruendung
    [arbeitskreis]     titel, beschreibung, kennzahlen = ["K3", ...]      (optional, issue 15 item 5)
    [[arbeitskreis.teilnehmer]]    gemeinde (AGS), gemeinde_name, name, funktion
    [[arbeitskreis.gemeindeziele]] id, gemeinde, kennzahl, titel, wert, richtung, anmerkung
    [teams]            zielwerte = ["lzb-jd", ...], aufteilung = "fallbestand"  (optional, item 6)
    [[teams.vorgaben]] team, zielwert, wert, begruendung
    [[versionen]]      version, autor, datum, aenderung, grund

:func:`load_agreement` validates everything and raises :class:`AgreementFileInvalid` listing every
problem as ``FILE:LINE: message``. :func:`dumps_agreement` writes a model back (tomlkit), so that
``parse(dumps(a)) == a`` (the web app edits the same model).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit

from . import catalogue
from .model import (
    ABSOLUTE,
    CARRIERS,
    CHANGE_AVERAGE,
    CHANGE_MONTH,
    CHANGE_RATE,
    CORRIDOR,
    FORMS,
    LEGAL_GOALS,
    LINK_KINDS,
    MONITOR,
    NUMBER,
    OWN_SERIES,
    PARTIES,
    QUOTA,
    SERIES,
    SIGNED,
    STATUSES,
    TEAM_SPLITS,
    Agreement,
    Arbeitskreis,
    Goal,
    Link,
    MunicipalTarget,
    Participant,
    Signatory,
    Target,
    TeamBreakdown,
    TeamOverride,
    VersionEntry,
    number_problem,
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class AgreementFileInvalid(ValueError):
    """The agreement file is invalid; ``problems`` lists every problem with its line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- line locator ----------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\s]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def locate_lines(text: str) -> dict[tuple, int]:
    """Map a value path, e.g. ``("ziele", 2, "zielwerte", 0, "kennzahl")``, to its 1-based line.

    Handles the structure of this format (tables, arrays of tables one level nested, simple keys);
    lines inside multi-line strings and arrays are skipped.
    """
    where: dict[tuple, int] = {}
    counters: dict[tuple, int] = {}
    current: tuple = ()
    in_string: str | None = None
    depth = 0
    for no, line in enumerate(text.splitlines(), start=1):
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        if depth > 0:
            depth += line.count("[") - line.count("]")
            continue
        m = _HEADER.match(line)
        if m and "=" not in line:
            names = [p.strip() for p in m.group(2).split(".")]
            if m.group(1) == "[[":
                parent: tuple = ()
                for name in names[:-1]:
                    parent = parent + (name,)
                    if parent in counters:
                        parent = parent + (counters[parent],)
                key = parent + (names[-1],)
                counters[key] = counters.get(key, -1) + 1
                current = key + (counters[key],)
            else:
                current = tuple(names)
            where.setdefault(current, no)
            continue
        k = _KEY.match(line)
        if k:
            where.setdefault(current + (k.group(1),), no)
            rest = line[k.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
            if in_string is None:
                depth = max(0, rest.count("[") - rest.count("]"))
    return where


# --- parsing ---------------------------------------------------------------------------------


class _Reader:
    """Reads typed values out of the parsed dict and collects problems with their lines."""

    check_figures = True  # refuse non-finite and implausible target figures

    def __init__(self, name: str, lines: dict[tuple, int]):
        self.name = name
        self.lines = lines
        self.problems: list[Problem] = []

    def line(self, path: tuple) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def err(self, path: tuple, message: str) -> None:
        self.problems.append(Problem(self.name, self.line(path), message))

    def check_keys(self, data: dict, path: tuple, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.err(path + (key,), f"Unbekannter Schlüssel '{key}' (erlaubt: {', '.join(sorted(allowed))})")

    def text(self, data: dict, path: tuple, key: str, required: bool = True, default: str = "") -> str:
        if key not in data:
            if required:
                self.err(path, f"Pflichtangabe '{key}' fehlt")
            return default
        v = data[key]
        if not isinstance(v, str) or (required and not v.strip()):
            self.err(path + (key,), f"'{key}' muss ein nicht leerer Text sein")
            return default
        return v

    def number(self, data: dict, path: tuple, key: str) -> float | None:
        if key not in data:
            return None
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.err(path + (key,), f"'{key}' muss eine Zahl sein, nicht {v!r}")
            return None
        if not math.isfinite(v) and self.check_figures:  # TOML allows inf and nan
            self.err(path + (key,), f"'{key}' muss eine endliche Zahl sein, nicht {v!r}")
            return None
        return float(v)

    def integer(self, data: dict, path: tuple, key: str, default: int | None = None) -> int | None:
        if key not in data:
            if default is None:
                self.err(path, f"Pflichtangabe '{key}' fehlt")
            return default
        v = data[key]
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(path + (key,), f"'{key}' muss eine ganze Zahl sein, nicht {v!r}")
            return default
        return v

    def day(self, data: dict, path: tuple, key: str, required: bool) -> date | None:
        if key not in data:
            if required:
                self.err(path, f"Pflichtangabe '{key}' fehlt")
            return None
        v = data[key]
        if not isinstance(v, date):
            self.err(path + (key,), f"'{key}' muss ein Datum JJJJ-MM-TT sein (ohne Anführungszeichen), nicht {v!r}")
            return None
        return v

    def choice(self, data: dict, path: tuple, key: str, options, what: str, default: str | None = None) -> str | None:
        if key not in data:
            if default is None:
                self.err(path, f"Pflichtangabe '{key}' fehlt")
            return default
        v = data[key]
        if v not in options:
            self.err(path + (key,), f"Unbekannte{what} '{v}' (erlaubt: {', '.join(options)})")
            return default
        return v

    def tables(self, data: dict, path: tuple, key: str) -> list[dict]:
        v = data.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            self.err(path + (key,), f"'{key}' muss eine Liste von Tabellen [[{'.'.join(path + (key,))}]] sein")
            return []
        return v


_TOP = {"jahr", "titel", "praeambel", "anmerkungen", "status", "version", "jobcenter", "parteien", "unterzeichner",
        "ziele", "verknuepfungen", "versionen", "reihe", "arbeitskreis", "teams"}
_GOAL = {"id", "titel", "traeger", "gesetzliches_ziel", "beschreibung", "zielwerte"}
_TARGET = {"id", "kennzahl", "form", "geschlecht", "wert", "veraenderung_prozent", "veraenderung_punkte",
           "untergrenze", "obergrenze", "vorjahreswert", "toleranz", "richtung", "anmerkung", "vorjahresziel",
           "vorjahresergebnis"}
_SEXES = ("all", "f", "m")


def indicator_kind(code: str) -> str:
    """The value kind of a target indicator for the plausible ranges (model.LEVEL_RANGES): a count,
    a change rate ((x/x_Vorjahr − 1)·100: K1, K3, K3_JD) or a quota."""
    spec = catalogue.get(code)
    if spec.unit == catalogue.COUNT:
        return NUMBER
    return CHANGE_RATE if spec.record.value == "change" else QUOTA


def _target(r: _Reader, d: dict, path: tuple) -> Target | None:
    r.check_keys(d, path, _TARGET)
    tid = r.text(d, path, "id")
    code = d.get("kennzahl")
    known = catalogue.target_indicators()
    spec = None
    if code is None:
        r.err(path, "Pflichtangabe 'kennzahl' fehlt")
    elif code not in known:
        r.err(path + ("kennzahl",), f"Unbekannte Kennzahl '{code}' (bekannt: {', '.join(known)})")
    else:
        spec = known[code]
    form = r.choice(d, path, "form", tuple(FORMS), " Zielform")
    sex = r.choice(d, path, "geschlecht", _SEXES, "s Geschlecht", default="all") or "all"
    if spec is not None and sex != "all" and not spec.by_sex:
        r.err(path + ("geschlecht",), f"Die Kennzahl {spec.code} gibt es nicht nach Geschlecht")
    vals = {k: r.number(d, path, k) for k in ("wert", "veraenderung_prozent", "veraenderung_punkte", "untergrenze",
                                               "obergrenze", "vorjahreswert", "toleranz", "vorjahresziel",
                                               "vorjahresergebnis")}
    better = r.choice(d, path, "richtung", (catalogue.HIGHER, catalogue.LOWER), " Richtung", default="") or None

    def forbid(*keys: str) -> None:
        for k in keys:
            if k in d:
                r.err(path + (k,), f"'{k}' passt nicht zur Zielform '{form}'")

    if form == ABSOLUTE:
        if vals["wert"] is None and "wert" not in d:
            r.err(path, "Zielform 'absolut' braucht 'wert'")
        forbid("veraenderung_prozent", "veraenderung_punkte", "untergrenze", "obergrenze")
    elif form in (CHANGE_MONTH, CHANGE_AVERAGE):
        given = [k for k in ("veraenderung_prozent", "veraenderung_punkte") if k in d]
        if len(given) != 1:
            r.err(path, f"Zielform '{form}' braucht genau eine Angabe 'veraenderung_prozent' oder "
                        "'veraenderung_punkte'")
        if "veraenderung_punkte" in d and spec is not None and spec.unit != catalogue.PERCENT:
            r.err(path + ("veraenderung_punkte",), f"'veraenderung_punkte' nur für Quoten in Prozent; "
                                                   f"{spec.code} ist eine Anzahl")
        if form == CHANGE_AVERAGE and spec is not None and not spec.annual_average:
            r.err(path + ("form",), f"Die Kennzahl {spec.code} ist kein Jahresdurchschnitt; "
                                    "verwenden Sie 'veraenderung_vorjahresmonat'")
        forbid("wert", "untergrenze", "obergrenze")
    elif form == CORRIDOR:
        lo, hi = vals["untergrenze"], vals["obergrenze"]
        if lo is None or hi is None:
            r.err(path, "Zielform 'korridor' braucht 'untergrenze' und 'obergrenze'")
        elif lo >= hi:
            r.err(path + ("obergrenze",), "'obergrenze' muss größer als 'untergrenze' sein")
        forbid("wert", "veraenderung_prozent", "veraenderung_punkte")
    elif form == MONITOR:
        forbid("wert", "veraenderung_prozent", "veraenderung_punkte", "untergrenze", "obergrenze")
    if spec is not None and r.check_figures:  # plausible ranges per field and indicator kind (model.number_problem)
        kind = indicator_kind(spec.code)
        for key, v in vals.items():
            msg = number_problem(key, v, kind) if v is not None else None
            if msg:
                r.err(path + (key,), msg)
    if form in (ABSOLUTE, CHANGE_MONTH, CHANGE_AVERAGE) and spec is not None and spec.better is None and not better:
        r.err(path, f"Für {spec.code} gibt es keine natürliche Richtung: bitte 'richtung' angeben")
    if spec is None or form is None:
        return None
    return Target(tid, spec.code, form, sex, vals["wert"], vals["veraenderung_prozent"], vals["veraenderung_punkte"],
                  vals["untergrenze"], vals["obergrenze"], vals["vorjahreswert"], vals["toleranz"], better,
                  r.text(d, path, "anmerkung", required=False), vals["vorjahresziel"], vals["vorjahresergebnis"])


_ARBEITSKREIS = {"titel", "beschreibung", "kennzahlen", "teilnehmer", "gemeindeziele"}
_PARTICIPANT = {"gemeinde", "gemeinde_name", "name", "funktion"}
_MUNICIPAL_GOAL = {"id", "gemeinde", "kennzahl", "titel", "wert", "richtung", "anmerkung"}
_TEAMS = {"zielwerte", "aufteilung", "vorgaben"}
_OVERRIDE = {"team", "zielwert", "wert", "begruendung"}


def municipal_indicators() -> dict[str, catalogue.TargetIndicator]:
    """Indicators a municipal goal or the Arbeitskreis section may use: those the engine computes per
    month, so per municipality (``compute_kennzahlen(level="municipality")``)."""
    from zielwerk.indicators.definitions import INDICATORS

    return {c: catalogue.get(i.agreement_code or c) for c, i in INDICATORS.items() if i.monthly}


def _code_list(r: _Reader, d: dict, path: tuple, key: str, known: dict, what: str) -> tuple[str, ...]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        r.err(path + (key,), f"'{key}' muss eine Liste von Texten sein, nicht {v!r}")
        return ()
    for x in v:
        if x not in known:
            r.err(path + (key,), f"Unbekannte{what} '{x}' in '{key}' (bekannt: {', '.join(known)})")
    if len(set(v)) != len(v):
        r.err(path + (key,), f"'{key}' enthält einen Eintrag doppelt")
    return tuple(x for x in v if x in known)


def _arbeitskreis(r: _Reader, d: Any) -> Arbeitskreis | None:
    p = ("arbeitskreis",)
    if not isinstance(d, dict):
        r.err(p, "'arbeitskreis' muss eine Tabelle [arbeitskreis] sein")
        return None
    r.check_keys(d, p, _ARBEITSKREIS)
    known = municipal_indicators()
    indicators = _code_list(r, d, p, "kennzahlen", known, " Kennzahl")
    parts: list[Participant] = []
    for i, t in enumerate(r.tables(d, p, "teilnehmer")):
        tp = p + ("teilnehmer", i)
        r.check_keys(t, tp, _PARTICIPANT)
        mid = r.text(t, tp, "gemeinde")
        if mid and not re.fullmatch(r"\d{8}", mid):
            r.err(tp + ("gemeinde",), f"Gemeinde ('gemeinde') muss ein achtstelliger Gemeindeschlüssel sein, "
                                      f"nicht '{mid}'")
        if mid in {x.municipality_id for x in parts}:
            r.err(tp + ("gemeinde",), f"Gemeinde '{mid}' ist doppelt im Arbeitskreis")
        name, function = r.text(t, tp, "name", False), r.text(t, tp, "funktion", False)
        if name and not function:
            r.err(tp, "Eine genannte Person ('name') braucht ihre Funktion ('funktion'), z. B. Bürgermeisterin")
        parts.append(Participant(mid, r.text(t, tp, "gemeinde_name"), name, function))
    members = {x.municipality_id for x in parts}
    goals: list[MunicipalTarget] = []
    ids: set[str] = set()
    for i, t in enumerate(r.tables(d, p, "gemeindeziele")):
        tp = p + ("gemeindeziele", i)
        r.check_keys(t, tp, _MUNICIPAL_GOAL)
        gid = r.text(t, tp, "id")
        if gid in ids:
            r.err(tp + ("id",), f"Gemeindeziel-ID '{gid}' ist doppelt")
        ids.add(gid)
        mid = r.text(t, tp, "gemeinde")
        if mid and mid not in members:
            r.err(tp + ("gemeinde",), f"Gemeinde '{mid}' nimmt nicht am Arbeitskreis teil "
                                      "(erst unter [[arbeitskreis.teilnehmer]] aufführen)")
        code = t.get("kennzahl")
        spec = known.get(code) if isinstance(code, str) else None
        if code is None:
            r.err(tp, "Pflichtangabe 'kennzahl' fehlt")
        elif spec is None:
            r.err(tp + ("kennzahl",), f"Kennzahl '{code}' gibt es nicht je Gemeinde (bekannt: {', '.join(known)})")
        val = r.number(t, tp, "wert")
        if "wert" not in t:
            r.err(tp, "Pflichtangabe 'wert' fehlt")
        elif val is not None and spec is not None:
            msg = number_problem("wert", val, indicator_kind(spec.code))
            if msg:
                r.err(tp + ("wert",), msg)
        better = r.choice(t, tp, "richtung", (catalogue.HIGHER, catalogue.LOWER), " Richtung", default="") or None
        if spec is not None and spec.better is None and not better:
            r.err(tp, f"Für {spec.code} gibt es keine natürliche Richtung: bitte 'richtung' angeben")
        goals.append(MunicipalTarget(gid, mid, spec.engine_code if spec else str(code), r.text(t, tp, "titel"),
                                     val if val is not None else 0.0, better, r.text(t, tp, "anmerkung", False)))
    return Arbeitskreis(r.text(d, p, "titel", False, Arbeitskreis.title), r.text(d, p, "beschreibung", False),
                        tuple(parts), indicators, tuple(goals))


def _teams(r: _Reader, d: Any, targets: dict[str, Target]) -> TeamBreakdown | None:
    p = ("teams",)
    if not isinstance(d, dict):
        r.err(p, "'teams' muss eine Tabelle [teams] sein")
        return None
    r.check_keys(d, p, _TEAMS)
    chosen = _code_list(r, d, p, "zielwerte", targets, "r Zielwert")
    split = r.choice(d, p, "aufteilung", tuple(TEAM_SPLITS), " Aufteilung", default="fallbestand") or "fallbestand"
    overrides: list[TeamOverride] = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(r.tables(d, p, "vorgaben")):
        tp = p + ("vorgaben", i)
        r.check_keys(t, tp, _OVERRIDE)
        team, tid = r.text(t, tp, "team"), r.text(t, tp, "zielwert")
        if tid and tid not in chosen:
            r.err(tp + ("zielwert",), f"Zielwert '{tid}' wird nicht auf Teams aufgeteilt "
                                      "(erst unter [teams] zielwerte aufführen)")
        if (team, tid) in seen:
            r.err(tp, f"Vorgabe für Team '{team}' und Zielwert '{tid}' ist doppelt")
        seen.add((team, tid))
        val = r.number(t, tp, "wert")
        if "wert" not in t:
            r.err(tp, "Pflichtangabe 'wert' fehlt")
        elif val is not None and tid in targets:
            msg = number_problem("wert", val, indicator_kind(targets[tid].indicator))
            if msg:
                r.err(tp + ("wert",), msg.replace("Zielwert ('wert')", "Teamzielwert ('wert')"))
        overrides.append(TeamOverride(team, tid, val if val is not None else 0.0, r.text(t, tp, "begruendung", False)))
    return TeamBreakdown(chosen, split, tuple(overrides))


def parse_agreement(text: str, name: str = "ziele.toml", check_figures: bool = True) -> Agreement:
    """Parse and validate the TOML text of an agreement.

    ``check_figures=False`` (only for evaluating an already stored document, ``web.monitoring``):
    implausible or non-finite target figures are kept instead of refused, so the monitoring can name
    the one affected target (``targets.monitoring``) while the others are evaluated.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else 1
        detail = re.sub(r"\s*\(at line.*\)", "", msg)
        raise AgreementFileInvalid([Problem(name, line, f"TOML-Syntaxfehler: {detail}")]) from None
    r = _Reader(name, locate_lines(text))
    r.check_figures = check_figures
    r.check_keys(data, (), _TOP)
    year = r.integer(data, (), "jahr") or 0
    if year and not 2005 <= year <= 2100:
        r.err(("jahr",), f"Unplausibles Jahr {year} (SGB II gilt seit 2005)")
    status = r.choice(data, (), "status", tuple(STATUSES), "r Status", default="entwurf") or "entwurf"
    version = r.integer(data, (), "version", default=1) or 1
    jc = data.get("jobcenter")
    if not isinstance(jc, dict):
        r.err((), "Tabelle [jobcenter] mit 'id' und 'name' fehlt")
        jc = {}
    else:
        r.check_keys(jc, ("jobcenter",), {"id", "name"})
    jc_id = r.text(jc, ("jobcenter",), "id")
    jc_name = r.text(jc, ("jobcenter",), "name")
    parties_d = data.get("parteien")
    parties: list[tuple[str, str]] = []
    if not isinstance(parties_d, dict):
        r.err((), "Tabelle [parteien] (kreis, agentur, jobcenter) fehlt")
    else:
        r.check_keys(parties_d, ("parteien",), set(PARTIES))
        for key in PARTIES:
            parties.append((key, r.text(parties_d, ("parteien",), key)))

    sigs = []
    for i, s in enumerate(r.tables(data, (), "unterzeichner")):
        p = ("unterzeichner", i)
        r.check_keys(s, p, {"name", "funktion", "partei", "datum"})
        sigs.append(Signatory(r.text(s, p, "name"), r.text(s, p, "funktion"),
                              r.choice(s, p, "partei", tuple(PARTIES), " Partei") or "",
                              r.day(s, p, "datum", required=status != "entwurf")))
    if status == SIGNED:
        missing = [PARTIES[k] for k in PARTIES if k not in {s.party for s in sigs}]
        if missing:
            r.err(("status",), "Eine unterzeichnete Vereinbarung braucht Unterschriften von: " + ", ".join(missing))

    goals: list[Goal] = []
    goal_ids: set[str] = set()
    target_ids: set[str] = set()
    for i, g in enumerate(r.tables(data, (), "ziele")):
        p = ("ziele", i)
        r.check_keys(g, p, _GOAL)
        gid = r.text(g, p, "id")
        if gid in goal_ids:
            r.err(p + ("id",), f"Ziel-ID '{gid}' ist doppelt")
        goal_ids.add(gid)
        owners = g.get("traeger")
        if not isinstance(owners, list) or not owners or any(o not in CARRIERS for o in owners):
            r.err(p + ("traeger",), f"'traeger' muss eine Liste aus {', '.join(CARRIERS)} sein, nicht {owners!r}")
            owners = []
        legal = r.choice(g, p, "gesetzliches_ziel", tuple(LEGAL_GOALS), "s gesetzliches Ziel", default="") or None
        targets = []
        for j, t in enumerate(r.tables(g, p, "zielwerte")):
            tp = p + ("zielwerte", j)
            tgt = _target(r, t, tp)
            if tgt is not None:
                if tgt.id in target_ids:
                    r.err(tp + ("id",), f"Zielwert-ID '{tgt.id}' ist doppelt")
                target_ids.add(tgt.id)
                targets.append(tgt)
        goals.append(Goal(gid, r.text(g, p, "titel"), tuple(owners), legal, r.text(g, p, "beschreibung", False),
                          tuple(targets)))
    if not goals:
        r.err((), "Die Vereinbarung enthält kein Ziel ([[ziele]])")

    links = []
    for i, lk in enumerate(r.tables(data, (), "verknuepfungen")):
        p = ("verknuepfungen", i)
        r.check_keys(lk, p, {"von", "nach", "art", "begruendung"})
        src, dst = r.text(lk, p, "von"), r.text(lk, p, "nach")
        for key, gid in (("von", src), ("nach", dst)):
            if gid and gid not in goal_ids:
                r.err(p + (key,), f"Unbekanntes Ziel '{gid}'")
        if src and src == dst:
            r.err(p + ("nach",), "Ein Ziel kann sich nicht selbst unterstützen")
        kind = r.choice(lk, p, "art", tuple(LINK_KINDS), " Verknüpfungsart", default="unterstuetzt") or "unterstuetzt"
        links.append(Link(src, dst, r.text(lk, p, "begruendung"), kind))

    history = []
    for i, v in enumerate(r.tables(data, (), "versionen")):
        p = ("versionen", i)
        r.check_keys(v, p, {"version", "autor", "datum", "aenderung", "grund"})
        history.append(VersionEntry(r.integer(v, p, "version") or 0, r.text(v, p, "autor"),
                                    r.day(v, p, "datum", required=True) or date.min, r.text(v, p, "aenderung"),
                                    r.text(v, p, "grund", required=False)))
    for i, v in enumerate(history):
        if v.version > version:
            r.err(("versionen", i, "version"), f"Versionseintrag {v.version} liegt nach der aktuellen Version {version}")
    series = r.choice(data, (), "reihe", tuple(SERIES), " Datenreihe", default=OWN_SERIES) or OWN_SERIES
    arbeitskreis = _arbeitskreis(r, data["arbeitskreis"]) if "arbeitskreis" in data else None
    teams = _teams(r, data["teams"], {t.id: t for g in goals for t in g.targets}) if "teams" in data else None
    if r.problems:
        raise AgreementFileInvalid(sorted(r.problems, key=lambda x: x.line))
    return Agreement(year, jc_id, jc_name, tuple(parties), tuple(goals), tuple(links), tuple(sigs), status, version,
                     tuple(history), r.text(data, (), "titel", False), r.text(data, (), "praeambel", False),
                     r.text(data, (), "anmerkungen", False), series, arbeitskreis, teams)


def load_agreement(path: str | Path) -> Agreement:
    """Read and validate an agreement file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgreementFileInvalid([Problem(path.name, 0, f"Datei nicht gefunden: {path}")]) from None
    except UnicodeDecodeError as exc:
        raise AgreementFileInvalid([Problem(path.name, 1, f"Die Datei ist nicht UTF-8-kodiert ({exc.reason})")]) \
            from None
    return parse_agreement(text, path.name)


# --- writing ---------------------------------------------------------------------------------


def _put(table: Any, key: str, value: Any, skip_empty: bool = True) -> None:
    if value is None or (skip_empty and value == ""):
        return
    if isinstance(value, str) and "\n" in value:
        table[key] = tomlkit.string(value, multiline=True)
    else:
        table[key] = value


def dumps_agreement(a: Agreement) -> str:
    """Write ``a`` as TOML in the format :func:`parse_agreement` reads."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"Zielvereinbarung {a.year} nach § 48b SGB II – {a.jobcenter_name}"))
    doc["jahr"] = a.year
    _put(doc, "titel", a.title)
    doc["status"] = a.status
    doc["version"] = a.version
    _put(doc, "praeambel", a.preamble)
    _put(doc, "anmerkungen", a.notes)
    if a.series != OWN_SERIES:  # default "eigen" is not written (older files stay byte-identical)
        doc["reihe"] = a.series
    jc = tomlkit.table()
    jc["id"], jc["name"] = a.jobcenter_id, a.jobcenter_name
    doc["jobcenter"] = jc
    pt = tomlkit.table()
    for key, name in a.parties:
        pt[key] = name
    doc["parteien"] = pt
    if a.signatories:
        arr = tomlkit.aot()
        for s in a.signatories:
            t = tomlkit.table()
            t["name"], t["funktion"], t["partei"] = s.name, s.function, s.party
            _put(t, "datum", s.signed_on)
            arr.append(t)
        doc["unterzeichner"] = arr
    goals = tomlkit.aot()
    for g in a.goals:
        t = tomlkit.table()
        t["id"], t["titel"] = g.id, g.title
        t["traeger"] = list(g.owners)
        _put(t, "gesetzliches_ziel", g.legal_goal)
        _put(t, "beschreibung", g.description)
        if g.targets:
            tv = tomlkit.aot()
            for x in g.targets:
                tt = tomlkit.table()
                tt["id"], tt["kennzahl"], tt["form"] = x.id, x.indicator, x.form
                if x.sex != "all":
                    tt["geschlecht"] = x.sex
                for key, val in (("wert", x.value), ("veraenderung_prozent", x.change_pct),
                                 ("veraenderung_punkte", x.change_points), ("untergrenze", x.lower),
                                 ("obergrenze", x.upper), ("vorjahreswert", x.baseline), ("toleranz", x.tolerance),
                                 ("richtung", x.better), ("anmerkung", x.note), ("vorjahresziel", x.prev_target),
                                 ("vorjahresergebnis", x.prev_result)):
                    _put(tt, key, val)
                tv.append(tt)
            t["zielwerte"] = tv
        goals.append(t)
    doc["ziele"] = goals
    if a.links:
        arr = tomlkit.aot()
        for lk in a.links:
            t = tomlkit.table()
            t["von"], t["nach"], t["art"], t["begruendung"] = lk.source, lk.target, lk.kind, lk.rationale
            arr.append(t)
        doc["verknuepfungen"] = arr
    if a.arbeitskreis is not None:
        doc["arbeitskreis"] = _dump_arbeitskreis(a.arbeitskreis)
    if a.teams is not None:
        doc["teams"] = _dump_teams(a.teams)
    if a.history:
        arr = tomlkit.aot()
        for v in a.history:
            t = tomlkit.table()
            t["version"], t["autor"], t["datum"], t["aenderung"] = v.version, v.author, v.on, v.change
            _put(t, "grund", v.reason)
            arr.append(t)
        doc["versionen"] = arr
    return tomlkit.dumps(doc)


def _dump_arbeitskreis(ak: Arbeitskreis) -> Any:
    t = tomlkit.table()
    t["titel"] = ak.title
    _put(t, "beschreibung", ak.description)
    t["kennzahlen"] = list(ak.indicators)
    if ak.participants:
        arr = tomlkit.aot()
        for x in ak.participants:
            pt = tomlkit.table()
            pt["gemeinde"], pt["gemeinde_name"] = x.municipality_id, x.municipality
            _put(pt, "name", x.name)
            _put(pt, "funktion", x.function)
            arr.append(pt)
        t["teilnehmer"] = arr
    if ak.goals:
        arr = tomlkit.aot()
        for g in ak.goals:
            gt = tomlkit.table()
            gt["id"], gt["gemeinde"], gt["kennzahl"], gt["titel"], gt["wert"] = (
                g.id, g.municipality_id, g.indicator, g.title, g.value)
            _put(gt, "richtung", g.better)
            _put(gt, "anmerkung", g.note)
            arr.append(gt)
        t["gemeindeziele"] = arr
    return t


def _dump_teams(tb: TeamBreakdown) -> Any:
    t = tomlkit.table()
    t["zielwerte"] = list(tb.targets)
    t["aufteilung"] = tb.split
    if tb.overrides:
        arr = tomlkit.aot()
        for o in tb.overrides:
            ot = tomlkit.table()
            ot["team"], ot["zielwert"], ot["wert"] = o.team, o.target, o.value
            _put(ot, "begruendung", o.reason)
            arr.append(ot)
        t["vorgaben"] = arr
    return t


def save_agreement(a: Agreement, path: str | Path) -> None:
    """Write atomically (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(dumps_agreement(a), encoding="utf-8")
    tmp.replace(path)
