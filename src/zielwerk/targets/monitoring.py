"""Monthly monitoring of an agreement: actual, target path, deviation, status, forecast, alerts.

Status thresholds (documented in docs/zielvereinbarung.md). The tolerance ``tol`` is stated on the
year-end value: for percent indicators in percentage points (default 0.5), for counts in percent of
the target value (default 2 %). It is carried along the seasonal path like the target itself
(band of month m = path of T − tol … path of T + tol). With the adverse deviation
δ = how far the actual is on the wrong side of the path (0 if on the right side):

- **im Plan**: δ ≤ tol_m
- **gefährdet**: tol_m < δ ≤ 2 · tol_m
- **nicht im Plan**: δ > 2 · tol_m

A corridor is on plan inside its (seasonal) bounds; δ is the distance outside. Monitoring-only
targets get the status "Beobachtung". In December (all months known) ``achieved`` tells whether
the target itself was reached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zielwerk.domain.calendar import Month

from . import catalogue
from .actuals import SeriesSet
from .catalogue import HIGHER, LOWER, PERCENT, TargetIndicator
from .model import ABSOLUTE, CHANGE_AVERAGE, CHANGE_MONTH, CORRIDOR, MONITOR, Agreement, Goal, Target
from .seasonal import Backtest, Profile, backtest, profile

ON_TRACK, AT_RISK, OFF_TRACK, WATCH, NO_DATA = "im Plan", "gefährdet", "nicht im Plan", "Beobachtung", "keine Daten"
SEVERITY = {ON_TRACK: 0, WATCH: 0, NO_DATA: 0, AT_RISK: 1, OFF_TRACK: 2}

DEFAULT_TOLERANCE_POINTS = 0.5
#: years before the agreement year the seasonal profile and the backtest may read (one forecast for web,
#: CLI and report, issue 13 item 6): the monitoring of year Y uses Y − HISTORY_YEARS .. Y only, whatever
#: else the series holds, so the web's series (computed up to the data's last month) and the CLI's
#: (``actuals.collect`` for the report month) give the same profile years, backtest years and intervals
HISTORY_YEARS = 4
DEFAULT_TOLERANCE_PERCENT = 2.0


class TargetNotComputable(ValueError):
    """The target value cannot be determined (e.g. no previous-year value); message in German."""


@dataclass(frozen=True)
class Resolved:
    """The year-end target of a target: ``end`` (or ``lower``/``upper`` for a corridor)."""

    end: float | None
    lower: float | None = None
    upper: float | None = None
    baseline: float | None = None
    baseline_from_data: bool = False
    tolerance: float = 0.0  # absolute, on the year-end value


def direction(target: Target, spec: TargetIndicator) -> str | None:
    return target.better or spec.better


def resolve(target: Target, spec: TargetIndicator, previous_year_end: float | None) -> Resolved:
    """Turn the target form into an absolute year-end value.

    Change forms: end = baseline · (1 + change_pct/100) or baseline + change_points; the baseline is
    the agreed ``baseline`` or else the previous year's year-end value of the series. Counts are
    rounded to whole persons (−2 % of 2,654 = 2,600.92 → 2,601).
    """
    baseline, from_data = target.baseline, False
    if target.form in (CHANGE_MONTH, CHANGE_AVERAGE) and baseline is None:
        if previous_year_end is None:
            raise TargetNotComputable(
                f"Zielwert '{target.id}': kein Vorjahreswert für {spec.code} in den Daten; bitte "
                "'vorjahreswert' in der Vereinbarung angeben.")
        baseline, from_data = previous_year_end, True
    end = lower = upper = None
    if target.form == ABSOLUTE:
        end = target.value
    elif target.form in (CHANGE_MONTH, CHANGE_AVERAGE):
        assert baseline is not None
        end = baseline * (1 + target.change_pct / 100) if target.change_pct is not None \
            else baseline + (target.change_points or 0.0)
        if spec.unit == catalogue.COUNT:
            end = float(int(end + 0.5))  # round half up to whole persons
    elif target.form == CORRIDOR:
        lower, upper = target.lower, target.upper
    ref = end if end is not None else (lower + upper) / 2 if lower is not None and upper is not None else None
    if target.tolerance is not None:
        tol = target.tolerance if spec.unit == PERCENT else abs(ref or 0.0) * target.tolerance / 100
    else:
        tol = DEFAULT_TOLERANCE_POINTS if spec.unit == PERCENT else abs(ref or 0.0) * DEFAULT_TOLERANCE_PERCENT / 100
    return Resolved(end, lower, upper, baseline, from_data, tol)


@dataclass(frozen=True)
class MonthRow:
    month: Month
    actual: float | None
    path: float | None
    band_low: float | None
    band_high: float | None
    deviation: float | None  # actual − path (for a corridor: distance outside, signed)
    status: str
    forecast: float | None = None
    interval: tuple[float, float] | None = None
    provisional: bool = False  # C11: within the waiting period before the data's as-of date


def classify(actual: float | None, low: float | None, high: float | None, tol_m: float, better: str | None,
             form: str) -> tuple[str, float | None]:
    """Status and signed deviation for one month (see module docstring)."""
    if form == MONITOR:
        return (WATCH if actual is not None else NO_DATA), None
    if actual is None or low is None or high is None:
        return NO_DATA, None
    if form == CORRIDOR:
        dev = actual - high if actual > high else actual - low if actual < low else 0.0
        adverse = abs(dev)
    else:
        path = low  # low == high == path for a point target
        dev = actual - path
        adverse = max(0.0, -dev) if better == HIGHER else max(0.0, dev) if better == LOWER else abs(dev)
    if adverse <= tol_m + 1e-12:
        return ON_TRACK, dev
    if adverse <= 2 * tol_m + 1e-12:
        return AT_RISK, dev
    return OFF_TRACK, dev


@dataclass
class TargetMonitor:
    goal: Goal
    target: Target
    spec: TargetIndicator
    resolved: Resolved | None
    profile: Profile
    backtest: Backtest
    rows: list[MonthRow]
    previous_year: list[float | None]
    report: Month
    problem: str = ""

    @property
    def current(self) -> MonthRow:
        return self.rows[self.report.month - 1]

    @property
    def status(self) -> str:
        return self.current.status

    @property
    def previous_status(self) -> str | None:
        return self.rows[self.report.month - 2].status if self.report.month > 1 else None

    @property
    def better(self) -> str | None:
        return direction(self.target, self.spec)

    @property
    def achieved(self) -> bool | None:
        """Year-end result (only when December is known)."""
        if self.report.month != 12 or self.resolved is None or self.current.actual is None:
            return None
        a, r = self.current.actual, self.resolved
        if self.target.form == CORRIDOR:
            return r.lower <= a <= r.upper  # type: ignore[operator]
        if r.end is None:
            return None
        return a >= r.end if self.better == HIGHER else a <= r.end if self.better == LOWER else None

    @property
    def mape_at_report(self) -> float | None:
        return self.backtest.mape[self.report.month - 1]


@dataclass
class Alert:
    monitor: TargetMonitor
    was: str | None
    now: str

    def text(self) -> str:
        t = self.monitor.target
        before = f"im Vormonat „{self.was}“" if self.was else "erster Berichtsmonat"
        return f"{self.monitor.goal.title} – {self.monitor.spec.name} ({t.id}): jetzt „{self.now}“ ({before})"


@dataclass
class Monitoring:
    agreement: Agreement
    report: Month
    targets: list[TargetMonitor] = field(default_factory=list)

    @property
    def alerts(self) -> list[Alert]:
        """Targets that turned "gefährdet" or "nicht im Plan" (worse than in the previous month)."""
        out = []
        for tm in self.targets:
            now, was = tm.status, tm.previous_status
            if SEVERITY[now] > 0 and (was is None or SEVERITY[now] > SEVERITY[was]):
                out.append(Alert(tm, was, now))
        return out


def monitor_target(goal: Goal, target: Target, series: SeriesSet, report: Month, window: int = 3) -> TargetMonitor:
    spec = catalogue.get(target.indicator)
    key = (spec.code, target.sex)
    year = report.year
    history = {y: v for y, v in series.values.get(key, {}).items() if year - HISTORY_YEARS <= y <= year}
    current = series.year(key, year)
    prev = series.year(key, year - 1)
    method = spec.seasonal
    prof = profile(history, year, method, window, spec.cumulative)
    bt = backtest(history, [y for y in range(year - window, year)], method, window, spec.cumulative)
    problem, resolved = "", None
    try:
        resolved = resolve(target, spec, prev[11])
    except TargetNotComputable as exc:
        problem = str(exc)
    better = direction(target, spec)
    rows = []
    for m in range(1, 13):
        actual = current[m - 1] if m <= report.month else None
        low = high = path = None
        tol_m = 0.0
        if resolved is not None and target.form != MONITOR:
            if target.form == CORRIDOR:
                low, high = prof.path(resolved.lower, m), prof.path(resolved.upper, m)  # type: ignore[arg-type]
                tol_m = abs(prof.path(resolved.upper + resolved.tolerance, m) - high)  # type: ignore[operator]
            elif resolved.end is not None:
                path = low = high = prof.path(resolved.end, m)
                tol_m = abs(prof.path(resolved.end + resolved.tolerance, m) - path)
        status, dev = classify(actual, low, high, tol_m, better, target.form) if m <= report.month else (NO_DATA, None)
        forecast = interval = None
        if actual is not None:
            forecast = prof.forecast(actual, m)
            if forecast is not None:
                interval = bt.interval(forecast, m)
        if target.form == CORRIDOR:
            band_low, band_high = low, high
        elif path is not None:
            band_low, band_high = path - tol_m, path + tol_m
        else:
            band_low = band_high = None
        rows.append(MonthRow(Month(year, m), actual, path, band_low, band_high, dev, status, forecast, interval,
                             Month(year, m) in series.provisional))
    return TargetMonitor(goal, target, spec, resolved, prof, bt, rows, prev, report, problem)


def monitor(agreement: Agreement, series: SeriesSet, report: Month, window: int = 3) -> Monitoring:
    """Monitor every target of ``agreement`` for ``report`` (a month of the agreement's year)."""
    if report.year != agreement.year:
        raise ValueError(f"Der Berichtsmonat {report} liegt nicht im Vereinbarungsjahr {agreement.year}.")
    out = Monitoring(agreement, report)
    for goal, target in agreement.targets():
        out.targets.append(_monitor_safely(goal, target, series, report, window))
    return out


def _monitor_safely(goal: Goal, target: Target, series: SeriesSet, report: Month, window: int) -> TargetMonitor:
    """:func:`monitor_target`, but a target whose figures are implausible (``model.target_problems``)
    or cannot be evaluated is shown as observation only with its problem named; the other targets
    of the agreement are unaffected (issue 12: one bad figure must not take the pages down)."""
    from dataclasses import replace

    from .fileformat import indicator_kind
    from .model import target_problems

    problems = [msg for _, msg in target_problems(target, indicator_kind(target.indicator))]
    if not problems:
        try:
            return monitor_target(goal, target, series, report, window)
        except (ArithmeticError, ValueError) as exc:
            problems = [f"Der Zielwert kann nicht ausgewertet werden ({exc})"]
    plain = replace(target, form=MONITOR, value=None, change_pct=None, change_points=None, lower=None, upper=None,
                    baseline=None, tolerance=None)
    tm = monitor_target(goal, plain, series, report, window)
    tm.problem = "Zielwert fehlerhaft: " + "; ".join(problems) + " – nur die Ist-Werte werden gezeigt."
    return tm
