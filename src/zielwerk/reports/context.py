"""The view model of the monthly monitoring report: every figure already formatted in German.

HTML, PDF (same Jinja2 template) and Excel are rendered from this one structure.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zielwerk.domain import german
from zielwerk.targets.catalogue import COUNT, HIGHER, LOWER, PERCENT
from zielwerk.targets.model import (
    ABSOLUTE,
    CHANGE_AVERAGE,
    CHANGE_MONTH,
    CORRIDOR,
    FORMS,
    LEGAL_GOALS,
    LINK_KINDS,
    PARTIES,
    STATUSES,
    Agreement,
    Target,
)
from zielwerk.targets.monitoring import (
    AT_RISK,
    DEFAULT_TOLERANCE_PERCENT,
    DEFAULT_TOLERANCE_POINTS,
    OFF_TRACK,
    ON_TRACK,
    Monitoring,
    TargetMonitor,
)
from zielwerk.targets.planning import exits_needed_for_average, propose, stocks_from_running_average

STATUS_CLASS = {ON_TRACK: "ok", AT_RISK: "warn", OFF_TRACK: "bad"}
SEX_TEXT = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}


@dataclass(frozen=True)
class ValueUnit:
    """How the values of one indicator are shown (one convention per unit, ``domain.german``): its display
    unit (%, €, Personen, Bedarfe; ``indicators.definitions``) and whether a % value is a rate of change
    (K1, K3: shown with sign). Differences of two values of a rate are percentage points (Pp.)."""

    unit: str
    change_rate: bool = False

    def level(self, v: float | None, sign: bool = False) -> str:
        return german.with_unit(v, self.unit, change_rate=self.change_rate, sign=True if sign else None)

    def difference(self, v: float | None) -> str:
        return german.difference(v, self.unit)


def value_unit(spec: Any) -> ValueUnit:
    """The :class:`ValueUnit` of a target indicator (``targets.catalogue.TargetIndicator``)."""
    rec = spec.record
    return ValueUnit(rec.unit, rec.shown_value == "change")


def value(v: float | None, unit: str | ValueUnit, sign: bool = False) -> str:
    """A value with its unit (:class:`ValueUnit`); with the catalogue's PERCENT/COUNT only the number and %."""
    if isinstance(unit, ValueUnit):
        return unit.level(v, sign)
    if v is None:
        return "–"
    if unit == PERCENT:
        return german.pct(v, 1, sign)
    return german.num(v, 0, sign)


def deviation(v: float | None, unit: str | ValueUnit) -> str:
    """A deviation (difference of two values): percentage points for rates, else the unit, with sign."""
    if v is None:
        return "–"
    return unit.difference(v) if isinstance(unit, ValueUnit) else value(v, unit, sign=True)


def target_text(t: Target, tm: TargetMonitor | None, unit: str) -> str:
    """The agreed target in words, e.g. "Jahresdurchschnitt −2,0 % gegenüber Vorjahr (6.867) → 6.730"."""
    r = tm.resolved if tm is not None else None
    base = ""
    if r is not None and r.baseline is not None:
        src = "Daten" if r.baseline_from_data else "vereinbart"
        base = f" (Vorjahr {value(r.baseline, unit)}, {src})"
    end = f" → {value(r.end, unit)}" if r is not None and r.end is not None else ""
    prev = t.prev_deviation_pct  # the previous year's result against its target (issue 15 item 5)
    prev_text = (f" (Vorjahr: Ergebnis {value(t.prev_result, unit)} bei Ziel {value(t.prev_target, unit)}, "
                 f"{german.pct(prev, 1, sign=True)})") if prev is not None else ""
    return _target_text(t, unit, base, end) + prev_text


def _target_text(t: Target, unit: str, base: str, end: str) -> str:
    if t.form == ABSOLUTE:
        return f"Zielwert {value(t.value, unit)} zum Jahresende"
    if t.form in (CHANGE_MONTH, CHANGE_AVERAGE):
        what = "Jahresdurchschnitt" if t.form == CHANGE_AVERAGE else "Jahresendwert"
        ch = german.pct(t.change_pct, 1, sign=True) if t.change_pct is not None \
            else german.points(t.change_points)
        return f"{what} {ch} gegenüber Vorjahr{base}{end}"
    if t.form == CORRIDOR:
        return f"Korridor {value(t.lower, unit)} bis {value(t.upper, unit)}"
    return "nur Beobachtung (kein Zielwert)"


@dataclass
class TargetView:
    id: str
    goal: str
    goal_id: str
    indicator: str
    code: str
    sex: str
    form: str
    target_text: str
    end_value: str
    actual: str
    path: str
    deviation: str
    status: str
    status_class: str
    previous_status: str
    forecast: str
    interval: str
    backtest: str
    better: str
    note: str
    problem: str
    chart_svg: str = ""
    chart_png: str = ""  # data URI
    chart_png_bytes: bytes = b""
    months: list[dict] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    stock_flow: str = ""
    profile: str = ""
    unit: str = ""
    monitor: TargetMonitor | None = None
    comment: str = ""  # deviation comment of the goal for the report month (Abweichungsbegründung)
    #: the year's result once December is known: "erreicht" / "verfehlt" ("" before; issue 13, as on the
    #: web's Überblick: ``TargetMonitor.achieved``)
    result: str = ""
    result_class: str = ""

    @property
    def chart_svg_uri(self) -> str:
        """The SVG chart as a data URI (the PDF embeds it as vector graphics: no rasterising)."""
        if not self.chart_svg:
            return ""
        return "data:image/svg+xml;base64," + base64.b64encode(self.chart_svg.encode("utf-8")).decode("ascii")


def _stock_flow(tm: TargetMonitor, mon: Monitoring) -> str:
    """For an annual-average LZB target: exits per month needed given expected entries (K3E3 rate)."""
    if tm.spec.code != "LZB_JD" or tm.resolved is None or tm.resolved.end is None:
        return ""
    averages = [r.actual for r in tm.rows[: mon.report.month]]
    stocks = stocks_from_running_average(averages)
    if not stocks or len(stocks) >= 12:
        return ""
    rate = None
    for other in mon.targets:
        if other.spec.code == "K3E3" and other.target.sex == "all" and other.current.actual is not None:
            rate = other.current.actual
    if rate is None:
        return ""
    entries = rate / 100 * stocks[-1]
    plan = exits_needed_for_average(tm.resolved.end, stocks, stocks[-1], entries)
    return (f"Bestands-Fluss-Rechnung: Bei erwarteten {german.num(entries, 0)} LZB-Zugängen je Monat "
            f"(Zugangsrate K3E3 {german.pct(rate, 2)} × Bestand {german.num(stocks[-1], 0)}) sind in den "
            f"restlichen {12 - len(stocks)} Monaten {german.num(plan.exits_per_month, 0)} LZB-Abgänge je Monat "
            f"nötig, damit der Jahresdurchschnitt {german.num(tm.resolved.end, 0)} erreicht.")


def target_view(tm: TargetMonitor, mon: Monitoring, charts: bool | str = True) -> TargetView:
    from . import charts as ch

    unit = tm.spec.unit
    vu = value_unit(tm.spec)
    cur = tm.current
    m = mon.report.month
    mape = tm.backtest.mape[m - 1]
    if tm.backtest.years:
        yrs = f"{tm.backtest.years[0]}–{tm.backtest.years[-1]}" if len(tm.backtest.years) > 1 else str(
            tm.backtest.years[0])
        err = german.pct(mape, 1) if unit == COUNT or tm.spec.seasonal == "mult" else \
            german.num(tm.backtest.mae[m - 1], 2) + f" {german.UNIT_ABBR[tm.spec.record.difference_unit]} (MAE)"
        backtest = (f"Backtest {yrs}: mittlerer Fehler der Dezember-Prognose aus dem {german.month_name(m)} "
                    f"{err}" + (f", MAPE {german.pct(mape, 1)}" if unit == PERCENT and tm.spec.seasonal == "add"
                                and mape is not None and mape < 1000 else ""))
    else:
        backtest = "kein Backtest möglich (zu wenige Vorjahre in den Daten)"
    prof = (f"Saisonmuster aus {', '.join(str(y) for y in tm.profile.years)}" if tm.profile.years
            else f"kein Saisonmuster verfügbar – Zielpfad {tm.profile.fallback}")
    months = []
    for r in tm.rows:
        months.append({"monat": german.month_name(r.month.month), "ist": value(r.actual, vu),
                       "pfad": value(r.path, vu), "abweichung": deviation(r.deviation, vu),
                       "status": r.status if r.actual is not None else "", "prognose": value(r.forecast, vu),
                       "raw": r})
    view = TargetView(
        id=tm.target.id, goal=tm.goal.title, goal_id=tm.goal.id, indicator=tm.spec.name, code=tm.spec.code,
        sex=SEX_TEXT.get(tm.target.sex, tm.target.sex), form=FORMS[tm.target.form],
        target_text=target_text(tm.target, tm, vu),
        end_value=value(tm.resolved.end, vu) if tm.resolved and tm.resolved.end is not None else (
            f"{value(tm.resolved.lower, vu)} – {value(tm.resolved.upper, vu)}" if tm.resolved and
            tm.resolved.lower is not None else "–"),
        actual=value(cur.actual, vu), path=value(cur.path, vu),
        deviation=deviation(cur.deviation, vu),
        status=cur.status, status_class=STATUS_CLASS.get(cur.status, "info"),
        previous_status=tm.previous_status or "–", forecast=value(cur.forecast, vu),
        interval=(f"{value(cur.interval[0], vu)} bis {value(cur.interval[1], vu)}" if cur.interval else "–"),
        backtest=backtest,
        better={HIGHER: "höher ist besser", LOWER: "niedriger ist besser"}.get(tm.better or "", "ohne Richtung"),
        note=tm.target.note, problem=tm.problem, months=months, profile=prof,
        proposals=[f"{p.label}: {value(p.value, vu)} ({p.explanation})" for p in propose(tm)],
        stock_flow=_stock_flow(tm, mon), unit=unit, monitor=tm,
    )
    if charts in (True, "svg"):
        view.chart_svg = ch.svg(tm)
    if charts in (True, "png"):
        view.chart_png_bytes = ch.png(tm, svg_text=view.chart_svg or None)
        view.chart_png = "data:image/png;base64," + base64.b64encode(view.chart_png_bytes).decode("ascii")
    return view


def agreement_view(a: Agreement) -> dict:
    goals = []
    for g in a.goals:
        goals.append({
            "id": g.id, "title": g.title, "legal": LEGAL_GOALS.get(g.legal_goal or "", "lokales Ziel"),
            "owners": " und ".join(a.party_name(o) for o in g.owners), "description": g.description,
            "targets": [{"id": t.id, "indicator": t.indicator, "sex": SEX_TEXT.get(t.sex, t.sex),
                         "form": FORMS[t.form], "text": t.note} for t in g.targets],
        })
    titles = {g.id: g.title for g in a.goals}
    owners = {g.id: " + ".join(a.party_name(o) for o in g.owners) for g in a.goals}
    links = [{"von": titles.get(lk.source, lk.source), "von_traeger": owners.get(lk.source, ""),
              "nach": titles.get(lk.target, lk.target), "nach_traeger": owners.get(lk.target, ""),
              "art": LINK_KINDS.get(lk.kind, lk.kind), "begruendung": lk.rationale} for lk in a.links]
    sigs = [{"name": s.name, "funktion": s.function, "partei": a.party_name(s.party),
             "datum": german.day(s.signed_on)} for s in a.signatories]
    history = [{"version": v.version, "autor": v.author, "datum": german.day(v.on), "aenderung": v.change,
                "grund": v.reason} for v in a.history]
    return {"year": a.year, "title": a.title or f"Zielvereinbarung {a.year}", "jobcenter": a.jobcenter_name,
            "jobcenter_id": a.jobcenter_id, "status": STATUSES[a.status], "version": a.version,
            "preamble": a.preamble.strip(), "notes": a.notes.strip(),
            "parties": [{"rolle": PARTIES[k], "name": n} for k, n in a.parties], "goals": goals, "links": links,
            "signatories": sigs, "history": history}


def report_context(mon: Monitoring, as_of: date | None = None, charts: bool | str = True,
                   comments: dict[str, str] | None = None) -> dict:
    """Everything the report templates and the Excel writer need.

    ``charts``: True renders each chart as SVG (HTML) and PNG (PDF, Excel); ``"svg"`` or ``"png"`` only
    one kind; False none. ``comments``: goal id → deviation comment (Abweichungsbegründung, issue 13),
    set on every target of that goal and printed beside its deviation.
    """
    targets = [target_view(tm, mon, charts) for tm in mon.targets]
    for t in targets:
        t.comment = (comments or {}).get(t.goal_id, "")
        achieved = t.monitor.achieved if t.monitor is not None else None
        if achieved is not None:
            t.result, t.result_class = ("erreicht", "ok") if achieved else ("verfehlt", "bad")
    counts = {s: sum(1 for t in targets if t.status == s) for s in (ON_TRACK, AT_RISK, OFF_TRACK)}
    provisional = any(tm.current.provisional for tm in mon.targets)
    backtest_rows = []
    for t in targets:
        bt = t.monitor.backtest
        pct_err = t.unit == COUNT or t.monitor.spec.seasonal == "mult"
        cells = [(german.num(bt.mape[m], 1) if pct_err else german.num(bt.mae[m], 2)) if bt.n[m] else "–"
                 for m in range(11)]
        backtest_rows.append({"id": t.id, "code": t.code, "sex": t.sex, "measure": "MAPE %" if pct_err else "MAE Pp.",
                              "years": ", ".join(str(y) for y in bt.years) or "–", "cells": cells,
                              "current": mon.report.month - 1})
    return {
        "_agreement": mon.agreement,
        "agreement": agreement_view(mon.agreement),
        "report_month": german.month_name(mon.report.month, mon.report.year),
        "report_month_iso": str(mon.report),
        "as_of": german.day(as_of) if as_of else "–",
        "created": german.day(date.today()),
        "targets": targets,
        "alerts": [a.text() for a in mon.alerts],
        "counts": counts,
        "provisional": provisional,
        "backtest_rows": backtest_rows,
        "month_abbr": german.MONTH_ABBR[:11],
        "thresholds": (f"Toleranz je Zielwert (Standard: {german.num(DEFAULT_TOLERANCE_POINTS, 1)} Prozentpunkte "
                       f"bei Quoten, {german.num(DEFAULT_TOLERANCE_PERCENT, 1)} % des Zielwerts bei Anzahlen), "
                       "entlang des Zielpfads mitgeführt. „im Plan“: ungünstige Abweichung vom Zielpfad höchstens "
                       "eine Toleranz; „gefährdet“: bis zwei Toleranzen; „nicht im Plan“: mehr."),
    }
