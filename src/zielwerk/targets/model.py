"""The joint target agreement (§ 48b SGB II) as plain, immutable Python values.

An :class:`Agreement` is one *version* of the agreement of a Jobcenter for one year. Values are
frozen dataclasses; every change produces a new value. :class:`AgreementRecord` holds the version
history and enforces the rule that a signed version is immutable: a change to a signed agreement
creates a new (draft) version with a reason; signing it supersedes the previously signed one.
No database and no web code here: the store and the web app persist and edit these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from zielwerk.domain import german

# --- code lists ------------------------------------------------------------------------------

DRAFT, SIGNED, SUPERSEDED = "entwurf", "unterzeichnet", "abgeloest"
STATUSES = {DRAFT: "Entwurf", SIGNED: "unterzeichnet", SUPERSEDED: "abgelöst"}

#: Parties of the agreement (§ 48b (1) Satz 1 Nr. 1–3 SGB II: the carriers agree with the Jobcenter
#: management; in a gE the Kreis as kommunaler Träger and the Agentur für Arbeit).
PARTIES = {"kreis": "Kreis (kommunaler Träger)", "agentur": "Agentur für Arbeit",
           "jobcenter": "Geschäftsführung des Jobcenters"}
#: Owners of a goal: one or both carriers.
CARRIERS = ("kreis", "agentur")

#: The legal goals of § 48b (3) SGB II.
LEGAL_GOALS = {
    "hilfebeduerftigkeit": "Verringerung der Hilfebedürftigkeit",
    "integration": "Verbesserung der Integration in Erwerbstätigkeit",
    "langzeitbezug": "Vermeidung von langfristigem Leistungsbezug",
    "teilhabe": "Verbesserung der sozialen Teilhabe",
}

# Target forms
ABSOLUTE = "absolut"
CHANGE_MONTH = "veraenderung_vorjahresmonat"
CHANGE_AVERAGE = "veraenderung_jahresdurchschnitt"
CORRIDOR = "korridor"
MONITOR = "beobachtung"
FORMS = {
    ABSOLUTE: "absoluter Zielwert",
    CHANGE_MONTH: "Veränderung gegenüber dem Vorjahreswert (Berichtsmonat)",
    CHANGE_AVERAGE: "Veränderung des Jahresdurchschnitts gegenüber dem Vorjahr",
    CORRIDOR: "Zielkorridor",
    MONITOR: "nur Beobachtung",
}
LINK_KINDS = {"unterstuetzt": "unterstützt"}
#: The series an agreement is monitored on (issue 14): the own computation from person-level data, or the
#: official figures of the statistics office (``zielwerk amtlich einlesen``, :mod:`zielwerk.official.series`).
OWN_SERIES, OFFICIAL_SERIES = "eigen", "amtlich"
SERIES = {OWN_SERIES: "eigene Berechnung", OFFICIAL_SERIES: "amtliche Statistik der BA"}


# --- plausible ranges of the agreed figures (docs/zielvereinbarung.md, "Zulässige Werte") -----------

#: kinds of indicator value a range depends on
QUOTA, CHANGE_RATE, NUMBER = "quote", "veraenderungsrate", "anzahl"
#: the largest absolute number of persons (or needs, cases) an agreement may name
MAX_COUNT = 10_000_000.0
#: level fields (``wert``, ``untergrenze``, ``obergrenze``, ``vorjahreswert``) by indicator kind:
#: a quota lies in 0..100 %, a change rate (K1, K3, K3_JD: (x/x_Vorjahr − 1)·100) cannot fall below
#: −100 % and is taken as absurd above +1000 % (elevenfold), a count is 0..10 million
LEVEL_RANGES = {QUOTA: (0.0, 100.0), CHANGE_RATE: (-100.0, 1000.0), NUMBER: (0.0, MAX_COUNT)}
#: change fields: a relative change cannot be below −100 % (nothing left) and above +1000 % is
#: absurd; a change in percentage points of a quota lies within ±100
CHANGE_RANGES = {"veraenderung_prozent": (-100.0, 1000.0), "veraenderung_punkte": (-100.0, 100.0)}
#: the tolerance band (percentage points or percent of the path): above 0, at most 100
TOLERANCE_RANGE = (0.0, 100.0)

#: TOML key → attribute of :class:`Target` and German label (messages name both)
NUMBER_FIELDS = {
    "wert": ("value", "Zielwert"),
    "veraenderung_prozent": ("change_pct", "Veränderung in %"),
    "veraenderung_punkte": ("change_points", "Veränderung in Prozentpunkten"),
    "untergrenze": ("lower", "Untergrenze"),
    "obergrenze": ("upper", "Obergrenze"),
    "vorjahreswert": ("baseline", "Vorjahreswert"),
    "toleranz": ("tolerance", "Toleranz"),
    "vorjahresziel": ("prev_target", "Vorjahresziel"),
    "vorjahresergebnis": ("prev_result", "Vorjahresergebnis"),
}
FIELD_KEYS = {attr: key for key, (attr, _) in NUMBER_FIELDS.items()}


def _num(x: float) -> str:
    return german.num(x, 0 if float(x).is_integer() else 1, minus="−")


def number_problem(key: str, value: Any, kind: str) -> str | None:
    """German message if ``value`` is not a plausible figure for the TOML field ``key`` of a target
    whose indicator is of ``kind`` (:data:`QUOTA`, :data:`CHANGE_RATE`, :data:`NUMBER`); else None.

    Non-finite values (``inf``, ``nan``) are never accepted; ranges: :data:`LEVEL_RANGES`,
    :data:`CHANGE_RANGES`, :data:`TOLERANCE_RANGE`.
    """
    import math

    label = NUMBER_FIELDS[key][1]
    name = f"{label} ('{key}')"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{name} muss eine Zahl sein, nicht {value!r}"
    if not math.isfinite(value):
        return f"{name} muss eine endliche Zahl sein, nicht {value!r}"
    if key == "toleranz":
        lo, hi = TOLERANCE_RANGE
        if not lo < value <= hi:
            return f"{name} muss größer als {_num(lo)} und höchstens {_num(hi)} sein, nicht {_num(value)}"
        return None
    lo, hi = CHANGE_RANGES.get(key) or LEVEL_RANGES[kind]
    if not lo <= value <= hi:
        what = {QUOTA: "einer Quote", CHANGE_RATE: "einer Veränderungsrate", NUMBER: "einer Anzahl"}[kind]
        where = "" if key in CHANGE_RANGES else f" bei {what}"
        return f"{name} muss{where} zwischen {_num(lo)} und {_num(hi)} liegen, nicht {_num(value)}"
    return None


def target_problems(target: Target, kind: str) -> list[tuple[str, str]]:
    """(TOML key, German message) for every implausible figure of ``target`` (:func:`number_problem`)."""
    out = []
    for key, (attr, _) in NUMBER_FIELDS.items():
        v = getattr(target, attr)
        if v is not None:
            msg = number_problem(key, v, kind)
            if msg:
                out.append((key, msg))
    return out


class AgreementError(ValueError):
    """A rule of the agreement model was broken (message in German)."""


class SignedVersionImmutable(AgreementError):
    """Attempt to change a signed (or superseded) version in place."""


# --- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signatory:
    name: str
    function: str
    party: str  # key of PARTIES
    signed_on: date | None = None


@dataclass(frozen=True)
class Target:
    """A target on one indicator.

    ``form`` is one of :data:`FORMS`. ``value`` is the absolute level (form ``absolut``);
    ``change_pct`` a relative change in percent and ``change_points`` a change in percentage points
    (change forms; exactly one); ``lower``/``upper`` the corridor; ``baseline`` the previous year's
    value if fixed in the agreement (else taken from the data). ``tolerance`` overrides the default
    tolerance band (percentage points for percent indicators, percent of the path for counts).
    """

    id: str
    indicator: str
    form: str
    sex: str = "all"
    value: float | None = None
    change_pct: float | None = None
    change_points: float | None = None
    lower: float | None = None
    upper: float | None = None
    baseline: float | None = None
    tolerance: float | None = None
    better: str | None = None  # override of the catalogue direction
    note: str = ""
    #: the previous year's agreed target and its result as recorded in the agreement (issue 15 item 5:
    #: "last year 20.8 % above the U25 target"); shown in the report, not used for the path
    prev_target: float | None = None
    prev_result: float | None = None

    @property
    def prev_deviation_pct(self) -> float | None:
        """How far the previous year's result lay above (+) or below (−) its target, in percent of the
        target: (result / target − 1) · 100; None if either is missing or the target is 0."""
        if self.prev_target is None or self.prev_result is None or self.prev_target == 0:
            return None
        return (self.prev_result / self.prev_target - 1.0) * 100.0


@dataclass(frozen=True)
class Goal:
    id: str
    title: str
    owners: tuple[str, ...]
    legal_goal: str | None = None  # key of LEGAL_GOALS; None = local goal
    description: str = ""
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Link:
    """``source`` supports ``target`` (goal ids), with a short rationale."""

    source: str
    target: str
    rationale: str
    kind: str = "unterstuetzt"


# --- Arbeitskreis with the municipalities and team breakdown (issue 15 items 5 and 6) -------------


@dataclass(frozen=True)
class Participant:
    """A municipality taking part in the Arbeitskreis; ``name``/``function`` only for public officials
    named in a public document (else empty: the municipality takes part without a named person)."""

    municipality_id: str  # AGS of the dataset's ``municipalities`` table
    municipality: str  # its name
    name: str = ""
    function: str = ""

    @property
    def id(self) -> str:
        return self.municipality_id


@dataclass(frozen=True)
class MunicipalTarget:
    """A municipal goal of the Arbeitskreis: a level of an indicator the engine computes per
    municipality (its monthly, published value), to be reached or kept in the report month."""

    id: str
    municipality_id: str
    indicator: str  # engine code with a monthly value (e.g. K3, K2, K3E1)
    title: str
    value: float
    better: str | None = None  # override of the catalogue direction
    note: str = ""


@dataclass(frozen=True)
class Arbeitskreis:
    """The Arbeitskreis of the Kreis with its municipalities as part of the agreement: participants,
    municipal goals and the indicators shown per municipality in the monthly report."""

    title: str = "Arbeitskreis mit den Kommunen"
    description: str = ""
    participants: tuple[Participant, ...] = ()
    indicators: tuple[str, ...] = ()
    goals: tuple[MunicipalTarget, ...] = ()


#: how Jobcenter targets are broken down to teams (only caseload share for now)
TEAM_SPLITS = {"fallbestand": "nach Anteil am Fallbestand"}


@dataclass(frozen=True)
class TeamOverride:
    """An edited team target: ``value`` replaces the derived target of ``target`` for ``team``."""

    team: str
    target: str  # target id
    value: float
    reason: str = ""

    @property
    def id(self) -> str:
        return f"{self.team}:{self.target}"


@dataclass(frozen=True)
class TeamBreakdown:
    """Which targets are broken down to the teams, how, and the edited team targets."""

    targets: tuple[str, ...] = ()  # target ids
    split: str = "fallbestand"
    overrides: tuple[TeamOverride, ...] = ()


@dataclass(frozen=True)
class VersionEntry:
    """One line of the version history: who changed what, when, and why."""

    version: int
    author: str
    on: date
    change: str
    reason: str = ""


@dataclass(frozen=True)
class Agreement:
    year: int
    jobcenter_id: str
    jobcenter_name: str
    parties: tuple[tuple[str, str], ...]  # (party key, name)
    goals: tuple[Goal, ...]
    links: tuple[Link, ...] = ()
    signatories: tuple[Signatory, ...] = ()
    status: str = DRAFT
    version: int = 1
    history: tuple[VersionEntry, ...] = ()
    title: str = ""
    preamble: str = ""
    notes: str = ""
    #: key of :data:`SERIES`: which figures the monitoring uses (file key ``reihe``)
    series: str = OWN_SERIES
    #: the Arbeitskreis with the municipalities (file table ``[arbeitskreis]``), None if not agreed
    arbeitskreis: Arbeitskreis | None = None
    #: goals broken down to teams (file table ``[teams]``), None if not agreed
    teams: TeamBreakdown | None = None

    # -- lookups --
    def goal(self, goal_id: str) -> Goal:
        for g in self.goals:
            if g.id == goal_id:
                return g
        raise KeyError(goal_id)

    def targets(self) -> list[tuple[Goal, Target]]:
        return [(g, t) for g in self.goals for t in g.targets]

    def party_name(self, key: str) -> str:
        return dict(self.parties).get(key, PARTIES.get(key, key))


# --- version diff ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One difference between two versions: a path like ``ziele[lzb].zielwerte[lzb-jd].veraenderung``."""

    path: str
    old: Any
    new: Any

    def describe(self) -> str:
        if self.old is None or self.old == "":
            return f"{self.path}: hinzugefügt ({_show(self.new)})"
        if self.new is None or self.new == "":
            return f"{self.path}: entfernt (war {_show(self.old)})"
        return f"{self.path}: {_show(self.old)} → {_show(self.new)}"


def _show(v: Any) -> str:
    if isinstance(v, date):
        return german.day(v)
    if isinstance(v, float):
        return german.num(v, 0) if v == int(v) else german.num(v, 4).rstrip("0").rstrip(",")
    if isinstance(v, Arbeitskreis):
        return v.title
    if isinstance(v, TeamBreakdown):
        return "Aufteilung auf Teams (" + (", ".join(v.targets) or "keine Zielwerte") + ")"
    if isinstance(v, (Participant, MunicipalTarget, TeamOverride)):
        return v.id
    if isinstance(v, (Goal, Target, Link, Signatory)):
        return getattr(v, "id", None) or getattr(v, "name", None) or f"{v.source}→{v.target}"  # type: ignore[union-attr]
    return str(v)


#: Field names as the keys of the agreement file (what users see in "compare versions").
FILE_KEYS = {
    "year": "jahr", "jobcenter_id": "jobcenter.id", "jobcenter_name": "jobcenter.name", "parties": "parteien",
    "goals": "ziele", "links": "verknuepfungen", "signatories": "unterzeichner", "title": "titel",
    "preamble": "praeambel", "notes": "anmerkungen", "owners": "traeger", "legal_goal": "gesetzliches_ziel",
    "description": "beschreibung", "targets": "zielwerte", "indicator": "kennzahl", "form": "form",
    "sex": "geschlecht", "value": "wert", "change_pct": "veraenderung_prozent",
    "change_points": "veraenderung_punkte", "lower": "untergrenze", "upper": "obergrenze",
    "baseline": "vorjahreswert", "tolerance": "toleranz", "better": "richtung", "note": "anmerkung",
    "source": "von", "target": "nach", "rationale": "begruendung", "kind": "art", "name": "name",
    "function": "funktion", "party": "partei", "signed_on": "datum", "id": "id", "series": "reihe",
    "prev_target": "vorjahresziel", "prev_result": "vorjahresergebnis", "arbeitskreis": "arbeitskreis",
    "participants": "teilnehmer", "municipality_id": "gemeinde", "municipality": "gemeinde_name",
    "indicators": "kennzahlen", "teams": "teams", "split": "aufteilung", "overrides": "vorgaben", "team": "team",
    "reason": "begruendung",
}


#: keys that differ by class from :data:`FILE_KEYS`
_CLASS_KEYS = {("Arbeitskreis", "goals"): "gemeindeziele", ("TeamOverride", "target"): "zielwert",
               ("TeamBreakdown", "targets"): "zielwerte"}


def _diff_obj(path: str, a: Any, b: Any, out: list[Change], skip: frozenset[str] = frozenset()) -> None:
    for f in fields(a):
        if f.name in skip:
            continue
        va, vb = getattr(a, f.name), getattr(b, f.name)
        key = _CLASS_KEYS.get((type(a).__name__, f.name)) or FILE_KEYS.get(f.name, f.name)
        if f.name in ("targets", "indicators") and isinstance(va, tuple) and all(isinstance(x, str) for x in va + vb):
            if va != vb:  # TeamBreakdown.targets, Arbeitskreis.indicators: lists of ids
                out.append(Change(f"{path}{key}", ", ".join(va), ", ".join(vb)))
        elif f.name in ("goals", "targets", "links", "signatories", "participants", "overrides"):
            _diff_seq(f"{path}{key}", va, vb, out)
        elif f.name in ("arbeitskreis", "teams") and va is not None and vb is not None:
            _diff_obj(f"{path}{key}.", va, vb, out)
        elif va != vb:
            out.append(Change(f"{path}{key}", va, vb))


def _key(x: Any) -> str:
    if isinstance(x, Link):
        return f"{x.source}->{x.target}"
    if isinstance(x, Signatory):
        return f"{x.party}:{x.name}"
    return x.id


def _diff_seq(path: str, a: tuple, b: tuple, out: list[Change]) -> None:
    da, db = {_key(x): x for x in a}, {_key(x): x for x in b}
    for k, x in da.items():
        if k not in db:
            out.append(Change(f"{path}[{k}]", x, None))
        elif x != db[k]:
            _diff_obj(f"{path}[{k}].", x, db[k], out)
    for k, x in db.items():
        if k not in da:
            out.append(Change(f"{path}[{k}]", None, x))


def diff_versions(old: Agreement, new: Agreement) -> list[Change]:
    """What changed from ``old`` to ``new`` (content only; status, version and history are skipped)."""
    out: list[Change] = []
    _diff_obj("", old, new, out, skip=frozenset({"status", "version", "history"}))
    return out


# --- versioning rules ------------------------------------------------------------------------


@dataclass
class AgreementRecord:
    """All versions of one agreement, oldest first. The last one is the current version."""

    versions: list[Agreement] = field(default_factory=list)

    @classmethod
    def start(cls, draft: Agreement, author: str, on: date) -> AgreementRecord:
        entry = VersionEntry(draft.version, author, on, "Erstfassung angelegt")
        return cls([replace(draft, status=DRAFT, history=draft.history + (entry,))])

    @property
    def current(self) -> Agreement:
        return self.versions[-1]

    def edit(self, author: str, on: date, reason: str = "", **changes: Any) -> Agreement:
        """Change fields of the current version.

        A draft is changed in place (same version number, history entry added). A signed version is
        immutable: with a ``reason`` a new draft version (number + 1) is created; without a reason
        :class:`SignedVersionImmutable` is raised. A superseded version cannot be the current one.
        """
        cur = self.current
        if not changes:
            raise AgreementError("Keine Änderung angegeben.")
        bad = [k for k in changes if k in ("status", "version", "history")]
        if bad:
            raise AgreementError(f"Feld(er) {', '.join(bad)} werden nicht direkt geändert.")
        candidate = replace(cur, **changes)
        what = "; ".join(c.describe() for c in diff_versions(cur, candidate)) or "keine inhaltliche Änderung"
        if cur.status == DRAFT:
            entry = VersionEntry(cur.version, author, on, what, reason)
            new = replace(candidate, history=cur.history + (entry,))
            self.versions[-1] = new
            return new
        if not reason.strip():
            raise SignedVersionImmutable(
                f"Version {cur.version} ist {STATUSES[cur.status]} und unveränderlich; eine Änderung "
                "erzeugt eine neue Version und braucht eine Begründung.")
        entry = VersionEntry(cur.version + 1, author, on, what, reason)
        new = replace(candidate, status=DRAFT, version=cur.version + 1, signatories=tuple(
            replace(s, signed_on=None) for s in candidate.signatories), history=cur.history + (entry,))
        self.versions.append(new)
        return new

    def sign(self, author: str, on: date, signatories: tuple[Signatory, ...] | None = None) -> Agreement:
        """Sign the current draft; the previously signed version becomes superseded."""
        cur = self.current
        if cur.status != DRAFT:
            raise SignedVersionImmutable(f"Version {cur.version} ist bereits {STATUSES[cur.status]}.")
        sigs = signatories if signatories is not None else cur.signatories
        if not sigs or any(s.signed_on is None for s in sigs):
            raise AgreementError("Zum Unterzeichnen braucht jede Unterschrift ein Datum.")
        parties = {s.party for s in sigs}
        missing = [PARTIES[p] for p in PARTIES if p not in parties]
        if missing:
            raise AgreementError("Es fehlt die Unterschrift von: " + ", ".join(missing) + ".")
        entry = VersionEntry(cur.version, author, on, "unterzeichnet")
        for i, v in enumerate(self.versions[:-1]):
            if v.status == SIGNED:
                self.versions[i] = replace(v, status=SUPERSEDED)
        new = replace(cur, status=SIGNED, signatories=sigs, history=cur.history + (entry,))
        self.versions[-1] = new
        return new

    def version(self, number: int) -> Agreement:
        for v in self.versions:
            if v.version == number:
                return v
        raise KeyError(number)

    def compare(self, a: int, b: int) -> list[Change]:
        """The "compare versions" view: changes from version ``a`` to version ``b``."""
        return diff_versions(self.version(a), self.version(b))
