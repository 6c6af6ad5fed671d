"""View models of issue 14 for the pages and the API: the peer comparison of a Jobcenter (official
figures, :mod:`zielwerk.peers`) and the status matrix of the Jobcenters assigned to a supervising body
(role ``aufsicht``).

Everything here runs in the thread pool (plain ``def`` handlers). Caches, all keyed by what they depend
on so that they never serve stale data: the official rows per (store state of ``official_figures``,
indicator, sex, C10 or not); the monitoring of an agreement on the official series per (agreement
version, document, official state); the matrix per (Jobcenters, agreement versions, results generation,
official state). The official state is one cheap aggregate query (row count, highest id, latest import).

C10 (domain.md; :mod:`zielwerk.indicators.suppression`): for every role but controlling, a Jobcenter's row
whose numerator or denominator is 1 or 2 persons is shown as "*" and left out of the statistics; in a
Jobcenter's overview, counts of 1 or 2 persons are shown as "*".
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zielwerk.domain import german
from zielwerk.domain.calendar import Month
from zielwerk.domain.law import is_small_number
from zielwerk.indicators.definitions import INDICATORS, OFFICIAL_CODES
from zielwerk.indicators.suppression import suppress_official
from zielwerk.store import peers as peer_store
from zielwerk.store.models import Agreement, AgreementVersion

from . import permissions

SEX_LABEL = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}
STATUS_CLASS = {"im Plan": "ok", "gefährdet": "warn", "nicht im Plan": "bad", "erreicht": "ok", "verfehlt": "bad",
                "Beobachtung": "info", "keine Daten": "info"}

_lock = threading.Lock()
_rows_cache: dict[tuple, list[dict[str, Any]]] = {}
_mon_cache: dict[tuple, tuple[Any, str]] = {}
_matrix_cache: dict[tuple, Any] = {}


def _remember(cache: dict, key: tuple, value: Any, limit: int | None = None) -> Any:
    """Store ``value``; a full cache is emptied (the monitors: one per agreement of every supervised
    Jobcenter, so room for many)."""
    if limit is None:
        limit = 4096 if cache is _mon_cache else 64
    with _lock:
        if len(cache) > limit:
            cache.clear()
        cache[key] = value
    return value


# --- which Jobcenters a user may compare ------------------------------------------------------------------

def assigned_jobcenters(db: Session, user: Any) -> list[str]:
    """The Jobcenters assigned to a supervision user (empty for every other role)."""
    if user.role != "aufsicht":
        return []
    return peer_store.assigned(db, user.id)


def own_jobcenters(db: Session, user: Any, results: Any) -> list[str]:
    """The Jobcenters a user may pick in the peer comparison: a supervising body its assigned ones; the
    Jobcenter's own roles the Jobcenters of this instance (its results, its agreements, the user's own)."""
    if user.role == "aufsicht":
        return assigned_jobcenters(db, user)
    ids: dict[str, None] = {}
    if getattr(user, "jobcenter_id", None):
        ids[user.jobcenter_id] = None
    meta = results.meta() or {}
    for key in sorted(meta.get("unit_names", {})):
        if key.startswith("jobcenter:"):
            ids[key.split(":", 1)[1]] = None
    for jid in db.scalars(select(Agreement.jobcenter_id).order_by(Agreement.id)):
        ids[jid] = None
    return list(ids)


# --- official rows (cached, C10) ----------------------------------------------------------------------------

def official_rows(db: Session, indicator: str, sex: str, suppressed: bool, state: tuple | None = None
                  ) -> list[dict[str, Any]]:
    """All official rows of one indicator and sex (every Jobcenter and month), C10 applied if asked."""
    state = state or peer_store.official_state(db)
    key = (state, indicator, sex, suppressed)
    hit = _rows_cache.get(key)
    if hit is not None:
        return hit
    rows = peer_store.official_rows(db, indicator=indicator, sex=sex)
    return _remember(_rows_cache, key, suppress_official(rows) if suppressed else rows)


def _structure_rows(db: Session, month: str, state: tuple) -> list[dict[str, Any]]:
    key = (state, "structure", month)
    hit = _rows_cache.get(key)
    if hit is not None:
        return hit
    rows = [r for r in peer_store.official_rows(db, sex="all", months=[month])
            if r["indicator"] in ("K1E2", "K3", "K2E4", "K2")]
    return _remember(_rows_cache, key, rows)


# --- the peer comparison ------------------------------------------------------------------------------------

def _fmt(code: str, v: Any) -> str:
    from zielwerk.peers import value_text

    if isinstance(v, str):
        return v
    return value_text(code, v)


def _position_json(code: str, pos: Any) -> dict[str, Any]:
    from zielwerk.peers import distance_text

    d = pos.distribution
    return {
        "month": pos.month, "value": pos.value, "numerator": pos.numerator, "denominator": pos.denominator,
        "n": pos.n, "minimum": d.minimum if d else None, "q1": d.q1 if d else None,
        "median": d.median if d else None, "q3": d.q3 if d else None, "maximum": d.maximum if d else None,
        "rank": pos.rank, "best_quartile": pos.best_quartile, "to_best_quartile": pos.to_best_quartile,
        "to_best_quartile_unit": pos.unit, "text": distance_text(pos),
    }


@dataclass
class PeerView:
    """Everything the Vergleich page, the API and the CLI show for one selection."""

    jobcenter_id: str
    jobcenter_name: str
    vergleichstyp: str | None
    indicator: str
    month: str
    sex: str
    months: list[str]
    current: Any  # zielwerk.peers.Position
    previous: Any
    band: list[Any]
    neighbours: list[Any]
    suppressed_own: bool = False
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        ind = INDICATORS.get(self.indicator)
        return {
            "jobcenter_id": self.jobcenter_id, "jobcenter_name": self.jobcenter_name,
            "vergleichstyp": self.vergleichstyp, "indicator": self.indicator,
            "indicator_name": ind.name if ind else self.indicator, "month": self.month, "sex": self.sex,
            "direction": ind.better if ind else None, "unit": "%",
            "quantile_definition": "Typ 7 (lineare Interpolation, wie QUARTIL.INKL)",
            "current": _position_json(self.indicator, self.current),
            "previous_year": _position_json(self.indicator, self.previous),
            "suppressed": self.suppressed_own,
            "peers": [{"jobcenter_id": e.jobcenter_id, "jobcenter_name": e.jobcenter_name, "value": e.value,
                       "rank": e.rank} for e in self.current.peers],
            "band": [{"month": b.month, "value": b.value,
                      "minimum": b.distribution.minimum if b.distribution else None,
                      "q1": b.distribution.q1 if b.distribution else None,
                      "median": b.distribution.median if b.distribution else None,
                      "q3": b.distribution.q3 if b.distribution else None,
                      "maximum": b.distribution.maximum if b.distribution else None} for b in self.band],
            "neighbours": [{"jobcenter_id": n.profile.jobcenter_id, "jobcenter_name": n.profile.jobcenter_name,
                            "vergleichstyp": n.profile.vergleichstyp, "same_type": n.same_type,
                            "distance": round(n.distance, 4), "elb": n.profile.elb,
                            "lzb_share": round(n.profile.lzb_share, 2),
                            "single_parent_share": round(n.profile.single_parent_share, 2)}
                           for n in self.neighbours],
        }


class SelectionError(ValueError):
    """An invalid selection (German message); ``status`` 404 (unknown) or 422 (malformed)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def check_selection(indicator: str, month: str, sex: str) -> None:
    if indicator not in OFFICIAL_CODES:
        raise SelectionError(f"Kennzahl: „{indicator}“ ist keine amtliche Kennzahl ({', '.join(OFFICIAL_CODES)}).")
    if sex not in SEX_LABEL:
        raise SelectionError(f"Geschlecht: „{sex}“ ist unbekannt (all, f oder m).")
    if month:
        try:
            Month.parse(month)
        except ValueError:
            raise SelectionError(f"Monat: „{month}“ ist kein Monat (JJJJ-MM).") from None


def peer_view(db: Session, role: str, jobcenter_id: str, indicator: str = "K2", month: str = "", sex: str = "all",
              k: int = 5, fallback: bool = False) -> PeerView:
    """The comparison of ``jobcenter_id`` (the caller checked that the user may see it). ``fallback`` (the
    page's pickers): a month without a value shows the newest month with a note instead of refusing."""
    from zielwerk.peers import band, compare, nearest, profiles

    check_selection(indicator, month, sex)
    if sex != "all" and not INDICATORS[indicator].by_sex:
        raise SelectionError(f"Geschlecht: die Kennzahl {indicator} gibt es nicht nach Geschlecht.")
    state = peer_store.official_state(db)
    suppressed = permissions.suppressed_figures(role)
    rows = official_rows(db, indicator, sex, suppressed, state)
    own_months = sorted({r["month"] for r in rows if r["jobcenter_id"] == jobcenter_id})
    if not own_months:
        raise SelectionError(f"Für das Jobcenter {jobcenter_id} liegen keine amtlichen Kennzahlen vor.", 404)
    problems = []
    if month and month not in own_months:
        if not fallback:
            raise SelectionError(f"Monat: für {german_month(month)} liegen für dieses Jobcenter keine amtlichen "
                                 "Kennzahlen vor.", 404)
        problems.append(f"Für {german_month(month)} liegt kein amtlicher Wert vor; gezeigt wird "
                        f"{german_month(own_months[-1])}.")
        month = ""
    month = month or own_months[-1]
    cmp = compare(rows, jobcenter_id, indicator, month, sex)
    own = next(r for r in rows if r["jobcenter_id"] == jobcenter_id and r["month"] == month)
    neighbours = nearest(profiles(_structure_rows(db, month, state), month), jobcenter_id, k)
    return PeerView(jobcenter_id, own.get("jobcenter_name") or jobcenter_id, own.get("vergleichstyp"), indicator,
                    month, sex, own_months, cmp.current, cmp.previous, band(rows, jobcenter_id, indicator, sex),
                    neighbours, suppressed_own=isinstance(own.get("value"), str), problems=problems)


def indicators_of(db: Session, jobcenter_id: str) -> list[str]:
    """The official indicators with figures of the Jobcenter, in catalogue order."""
    from zielwerk.store.models import OfficialFigure

    have = set(db.scalars(select(OfficialFigure.indicator).where(OfficialFigure.jobcenter_id == jobcenter_id)
                          .distinct()))
    return [c for c in OFFICIAL_CODES if c in have]


def german_month(month: str) -> str:
    try:
        m = Month.parse(month)
    except ValueError:
        return month
    return german.month_name(m.month, m.year)


def band_chart(view: PeerView) -> dict[str, Any]:
    """Vega-Lite: the type's band (min–max light, quartiles darker), its median and the Jobcenter's line."""
    values = []
    for b in view.band:
        d = b.distribution
        row = {"Monat": b.month + "-01"}
        if d is not None:
            row.update({"Min": d.minimum, "Q1": d.q1, "Median": d.median, "Q3": d.q3, "Max": d.maximum})
        if isinstance(b.value, (int, float)):
            row["Jobcenter"] = b.value
        values.append(row)
    x = {"field": "Monat", "type": "temporal", "title": "Monat", "axis": {"format": "%m/%Y"}}
    y_title = f"{view.indicator} (%)"
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": f"{view.indicator}: {view.jobcenter_name} im Vergleichstyp {view.vergleichstyp or '–'}",
        "width": "container", "height": 240, "data": {"values": values},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.15, "color": "#1f4e79"},
             "encoding": {"x": x, "y": {"field": "Min", "type": "quantitative", "title": y_title},
                          "y2": {"field": "Max"}}},
            {"mark": {"type": "area", "opacity": 0.3, "color": "#1f4e79"},
             "encoding": {"x": x, "y": {"field": "Q1", "type": "quantitative"}, "y2": {"field": "Q3"}}},
            {"mark": {"type": "line", "strokeDash": [4, 3], "color": "#1f4e79"},
             "encoding": {"x": x, "y": {"field": "Median", "type": "quantitative"}}},
            {"mark": {"type": "line", "point": True, "color": "#c0392b"},
             "encoding": {"x": x, "y": {"field": "Jobcenter", "type": "quantitative"},
                          "tooltip": [{"field": "Monat", "type": "temporal", "format": "%m/%Y"},
                                      {"field": "Jobcenter", "format": ",.1f", "title": view.jobcenter_name},
                                      {"field": "Median", "format": ",.1f"}, {"field": "Q1", "format": ",.1f"},
                                      {"field": "Q3", "format": ",.1f"}]}},
        ],
    }


# --- monitoring of an agreement (own or official series) ------------------------------------------------------

def _official_monitor(db: Session, version: AgreementVersion, model: Any, state: tuple) -> tuple[Any, str]:
    key = (version.id, hashlib.sha256(version.document.encode()).hexdigest(), state)
    hit = _mon_cache.get(key)
    if hit is not None:
        return hit
    from zielwerk.official.series import official_series_set
    from zielwerk.targets import catalogue, monitor

    from .monitoring import report_month

    last = peer_store.latest_month(db, model.jobcenter_id)
    if last is None:
        return _remember(_mon_cache, key, (None, "Für dieses Jobcenter liegen keine amtlichen Kennzahlen vor."))
    report = report_month(model.year, last)
    if report is None:
        why = f"Für das Vereinbarungsjahr {model.year} liegen noch keine amtlichen Kennzahlen vor."
        return _remember(_mon_cache, key, (None, why))
    # only what official_series_set reads: the engine codes of the targets, the years report.year−4..report
    codes = {catalogue.get(t.indicator).engine_code for _, t in model.targets()}
    table = peer_store.official_long_table(db, model.jobcenter_id, sorted(codes), str(Month(report.year - 4, 1)),
                                           str(report))
    series = official_series_set(model, table, report)
    return _remember(_mon_cache, key, (monitor(model, series, report), ""))


def monitor_agreement(db: Session, results: Any, agreement: Agreement, state: tuple | None = None
                      ) -> tuple[Any, str, str]:
    """(Monitoring or None, German reason if None, series label) of an agreement's newest version: on the
    official series if the agreement says so (``reihe = "amtlich"``) or the instance holds no own actual
    values for its Jobcenter (a Jobcenter without person-level data), else on the own figures."""
    from zielwerk.targets import AgreementFileInvalid, parse_agreement

    from .monitoring import monitoring_for

    version = agreement.versions[-1]
    pkey = ("parsed", version.id, hashlib.sha256(version.document.encode()).hexdigest())
    model = _mon_cache.get(pkey)
    if model is None:  # parsed once per version and document (not again after an official import)
        try:
            model = parse_agreement(version.document, check_figures=False)
        except AgreementFileInvalid as exc:
            return None, f"Die Zielvereinbarung ist fehlerhaft: {exc}", ""
        _remember(_mon_cache, pkey, model)
    raw = results.series() or {}
    if getattr(model, "series", "eigen") != "amtlich" and model.jobcenter_id in raw:
        mon, why = monitoring_for(results, version.id, version.document)
        return mon, why, "eigene Berechnung"
    try:
        mon, why = _official_monitor(db, version, model, state or peer_store.official_state(db))
    except ImportError:  # the official series module is not installed in this build
        return None, "Monitoring auf der amtlichen Reihe ist nicht verfügbar.", "amtliche Statistik der BA"
    return mon, why, "amtliche Statistik der BA"


def _agreements_of(db: Session, jobcenter_ids: list[str]) -> dict[str, Agreement]:
    """Per Jobcenter its agreement of the latest year (the newest one if several)."""
    out: dict[str, Agreement] = {}
    if not jobcenter_ids:
        return out
    for a in db.scalars(select(Agreement).where(Agreement.jobcenter_id.in_(jobcenter_ids))
                        .order_by(Agreement.year, Agreement.id)):
        out[a.jobcenter_id] = a
    return out


def _status(tm: Any) -> str:
    """The path status; once December is known the final "erreicht"/"verfehlt" (as on the Überblick)."""
    achieved = tm.achieved
    if achieved is None:
        return tm.status
    return "erreicht" if achieved else "verfehlt"


def _worst(statuses: list[str]) -> str:
    from zielwerk.targets.monitoring import SEVERITY

    order = {**SEVERITY, "Beobachtung": 0, "keine Daten": -1, "erreicht": 0, "verfehlt": 2}
    return max(statuses, key=lambda s: (order.get(s, 0), s == "im Plan")) if statuses else "keine Daten"


@dataclass
class MatrixRow:
    jobcenter_id: str
    name: str
    agreement_key: str | None
    report_month: str | None
    series: str
    problem: str
    cells: dict[str, dict[str, Any]]


@dataclass
class Matrix:
    columns: list[tuple[str, str]]  # (goal id, title)
    rows: list[MatrixRow]


def _state_key(db: Session, results: Any, jobcenter_ids: list[str]) -> tuple:
    versions = tuple(db.execute(
        select(Agreement.jobcenter_id, AgreementVersion.id).join(AgreementVersion, AgreementVersion.agreement_id
                                                                 == Agreement.id)
        .where(Agreement.jobcenter_id.in_(jobcenter_ids)).order_by(AgreementVersion.id)).all()) if jobcenter_ids \
        else ()
    meta = results.meta() or {}
    return (tuple(jobcenter_ids), versions, meta.get("generation"), meta.get("computed_at"),
            peer_store.official_state(db))


def matrix(db: Session, results: Any, jobcenter_ids: list[str]) -> Matrix:
    """Rows: the Jobcenters; columns: the goals of their agreements (by goal id, in order of appearance);
    a cell: the worst status of the goal's targets and each target's status as text."""
    key = _state_key(db, results, jobcenter_ids)
    hit = _matrix_cache.get(key)
    if hit is not None:
        return hit
    names = peer_store.official_jobcenters(db)
    meta_names = (results.meta() or {}).get("unit_names", {})
    agreements = _agreements_of(db, jobcenter_ids)
    columns: dict[str, str] = {}
    rows = []
    for jid in jobcenter_ids:
        name = names.get(jid, (None,))[0] or meta_names.get(f"jobcenter:{jid}") or jid
        a = agreements.get(jid)
        if a is None:
            rows.append(MatrixRow(jid, name, None, None, "", "keine Zielvereinbarung hinterlegt", {}))
            continue
        mon, why, series = monitor_agreement(db, results, a, key[-1])
        cells: dict[str, dict[str, Any]] = {}
        if mon is not None:
            by_goal: dict[str, list[Any]] = {}
            for tm in mon.targets:
                columns.setdefault(tm.goal.id, tm.goal.title)
                by_goal.setdefault(tm.goal.id, []).append(tm)
            for gid, tms in by_goal.items():
                statuses = [_status(t) for t in tms]
                worst = _worst(statuses)
                cells[gid] = {"status": worst, "class": STATUS_CLASS.get(worst, "info"),
                              "detail": "; ".join(f"{t.spec.name}: {_status(t)}" for t in tms)}
        rows.append(MatrixRow(jid, name, a.key, str(mon.report) if mon is not None else None, series, why, cells))
    rows.sort(key=lambda r: (r.agreement_key is None, r.name))  # Jobcenters with an agreement first, by name
    return _remember(_matrix_cache, key, Matrix(list(columns.items()), rows), limit=32)


def small(value: Any, unit: str) -> bool:
    """A count (targets catalogue unit ``anzahl``) of 1 or 2 persons (C10)."""
    from zielwerk.targets.catalogue import COUNT

    return unit == COUNT and isinstance(value, (int, float)) and is_small_number(value)


def report_section(db: Session, agreement: Any, month: Month) -> dict[str, Any]:
    """``{"vergleich": …}`` for the web's monthly report (``zielwerk.reports.vergleich``; C10 inside)."""
    from zielwerk.reports.vergleich import codes_of, vergleich_section

    rows: list[dict[str, Any]] = []
    for code in codes_of(agreement):
        rows += peer_store.official_rows(db, indicator=code, sex="all")
    return vergleich_section(rows or None, agreement, month)
