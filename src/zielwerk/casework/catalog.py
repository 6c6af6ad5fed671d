"""The catalogue of work lists: name → German title, description, goal and builder.

The CLI (``zielwerk liste NAME``) and the web pages take the lists from here. Every builder is a pure
function of the dataset, the Stichtag, the case records and the options, and returns an Arrow table
with the goal attached as metadata (:func:`zielwerk.casework.common.goal_of`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law

from . import childcare, lzb, parents, u25
from . import records as rec
from .common import apply_exclusions, dated_text, lzb_status, with_details, with_goal
from .goals import GOALS


@dataclass
class ListOptions:
    horizon_months: int = 6
    projection_months: int = 12
    young_parent_age: int = law.YOUNG_PARENT_AGE_LIMIT
    alternatives: int = 2
    #: flag codes (``common.FLAG_CODES``) kept although the list excludes them by default; ``"alle"``
    #: keeps everybody (CLI ``--einschliessen``)
    include: frozenset[str] = frozenset()


@dataclass(frozen=True)
class WorkList:
    name: str
    title: str
    description: str
    goal: str
    build: Callable[[Dataset, date, rec.CaseRecords, ListOptions], pa.Table]
    #: one row per person (outcome tracking possible)
    per_person: bool = True
    needs_records: bool = False
    columns_first: tuple[str, ...] = field(default=())
    #: flag codes whose persons the list leaves out by default (docs/fallsteuerung.md, "Who can be
    #: addressed"); all other flags are only shown
    excludes: tuple[str, ...] = ()

    def title_on(self, day: date) -> str:
        """The title in the legal wording in force on ``day`` (Eingliederungsvereinbarung until 6/2023)."""
        return dated_text(self.title, day)

    def description_on(self, day: date) -> str:
        return dated_text(self.description, day)


def _overdue(ds: Dataset, s: date, r: rec.CaseRecords, o: ListOptions) -> pa.Table:
    st = lzb_status(ds, s).select(["person_id", "jobcenter_id", "municipality_id", "is_lzb"])
    od = rec.overdue_reviews(r.action_plans, s)
    from .common import query

    base = query({"od": od, "st": st}, "SELECT od.*, st.jobcenter_id, st.municipality_id, st.is_lzb FROM od JOIN st USING (person_id)")
    return with_details(ds, base, s, r.contacts, order_by="review_due, person_id")


def _projection(ds: Dataset, s: date, o: ListOptions) -> pa.Table:
    """Projected crossings, with the calibrated forecast where the year before is in the data."""
    proj = lzb.projected_crossings(ds, s, o.projection_months)
    try:
        fc = lzb.forecast_lzb_entries(ds, s, o.projection_months)
    except ValueError:
        return proj
    for c in ("survival", "others", "forecast"):
        proj = proj.append_column(c, fc.column(c))
    return proj


def _childcare_proposals(ds, s, r, o):
    return childcare.match_childcare(ds, s, alternatives=o.alternatives)[0]


def _childcare_unmatched(ds, s, r, o):
    return childcare.match_childcare(ds, s, alternatives=o.alternatives)[1]


def _childcare_planning(ds, s, r, o):
    return childcare.unmatched_by_municipality_slot(childcare.match_childcare(ds, s, alternatives=o.alternatives)[1])


_LISTS = (
    WorkList("lzb-praevention", "LZB-Prävention",
             "eLb, die noch nicht LZB sind, mit dem Stichtag, an dem sie bei weiterem Bezug LZB werden (Horizont 1/3/6 Monate)",
             "lzb", lambda ds, s, r, o: lzb.lzb_prevention(ds, s, o.horizon_months, r),
             excludes=("school_age", "pupil", "pension_age")),
    WorkList("lzb-prognose", "LZB-Zugänge (Prognose)",
             "Voraussichtliche LZB-Zugänge je Monat aus dem heutigen Bestand (für die Prognose der Zielvereinbarung)",
             "lzb", lambda ds, s, r, o: _projection(ds, s, o), per_person=False),
    WorkList("lzb-ohne-massnahme", "LZB ohne aktive Maßnahme",
             "Langzeitleistungsbeziehende ohne laufende aktive arbeitsmarktpolitische Maßnahme (Aktivierung)",
             "lzb_activation", lambda ds, s, r, o: lzb.lzb_without_measure(ds, s, r),
             excludes=("employed_svb", "apprentice", "pension_age")),
    WorkList("lzb-ohne-kooperationsplan", "LZB mit Handlungsbedarf ohne Kooperationsplan",
             "Langzeitleistungsbeziehende mit offenem Handlungsbedarf und ohne gültigen Kooperationsplan",
             "lzb_activation", lambda ds, s, r, o: lzb.lzb_obstacles_without_plan(ds, s, r), needs_records=True),
    WorkList("eltern-kleinkind", "Eltern im 2./3. Erziehungsjahr",
             "Bedarfsgemeinschaften mit eLb-Eltern, deren jüngstes Kind in der BG 12 bis 35 Monate alt ist "
             "(beide Elternteile in einem Eintrag), mit dem Tag, an dem das Kind 3 wird",
             "parents", lambda ds, s, r, o: parents.parents_young_child(ds, s, r)),
    WorkList("junge-eltern", "Junge Eltern ohne Berufsabschluss",
             "eLb-Eltern unter 25 Jahren ohne Berufsabschluss und nicht in Ausbildung (Weg in (Teilzeit-)Ausbildung, "
             "§ 7a BBiG)",
             "parents", lambda ds, s, r, o: parents.young_parents_without_degree(ds, s, r, age_limit=o.young_parent_age)),
    WorkList("randzeiten-vorschlaege", "Kinderbetreuung in Randzeiten: Vorschläge",
             "Offene Betreuungsbedarfe in Randzeiten mit passenden Angeboten der Jugendhilfe (Platz reserviert auf Rang 1)",
             "childcare", _childcare_proposals),
    WorkList("randzeiten-ungedeckt", "Kinderbetreuung in Randzeiten: ohne Angebot",
             "Offene Betreuungsbedarfe in Randzeiten, für die kein passendes Angebot frei ist, mit Grund",
             "childcare", _childcare_unmatched),
    WorkList("randzeiten-planung", "Randzeiten: Bedarf für die Jugendhilfeplanung",
             "Ungedeckte Bedarfe nach Gemeinde und Zeitfenster für die Jugendhilfeplanung des Kreises",
             "childcare", _childcare_planning, per_person=False),
    WorkList("u25-ohne-ausbildung", "U25 ohne Berufsabschluss",
             "eLb unter 25 Jahren ohne Berufsabschluss, die nicht in Ausbildung sind",
             "u25", lambda ds, s, r, o: u25.u25_without_training(ds, s, r), excludes=("school_age", "pupil")),
    WorkList("u25-ausbildung", "U25-Integrationen in Ausbildung",
             "Integrationen junger Menschen unter 25 in Ausbildung: laufendes Jahr gegen Vorjahr, kumuliert je Monat",
             "u25", lambda ds, s, r, o: u25.training_comparison(ds, s), per_person=False),
    WorkList("ueberpruefung-ueberfaellig", "Überfällige Überprüfungen",
             "Kooperationspläne, deren Überprüfung (spätestens 6 Monate nach der letzten) überfällig ist",
             "casework", _overdue, needs_records=True),
    WorkList("fallbelastung", "Fallbelastung je Fachkraft",
             "Betreute eLb je Fachkraft gegen die Betreuungsschlüssel 1:75 (unter 25) und 1:150 (ab 25)",
             "casework", lambda ds, s, r, o: rec.caseload(ds, lzb_status(ds, s), s), per_person=False),
)

LISTS: dict[str, WorkList] = {w.name: w for w in _LISTS}


def build_list(
    name: str, ds: Dataset, stichtag: date, records: rec.CaseRecords | None = None, options: ListOptions | None = None
) -> pa.Table:
    """Build the list ``name``; the result carries its goal (German) as metadata."""
    if name not in LISTS:
        raise KeyError(f"Unbekannte Liste {name!r}. Verfügbar: {', '.join(LISTS)}")
    wl = LISTS[name]
    opts = options or ListOptions()
    tbl = wl.build(ds, stichtag, records or rec.CaseRecords(), opts)
    if wl.per_person and "flags" in tbl.column_names:
        tbl = apply_exclusions(tbl, wl.excludes, opts.include)
    tbl = with_goal(tbl, dated_text(GOALS[wl.goal].title, stichtag), name)
    meta = dict(tbl.schema.metadata or {})
    meta[b"zielwerk.title"] = wl.title_on(stichtag).encode()
    return tbl.replace_schema_metadata(meta)
