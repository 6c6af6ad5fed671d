"""Target-setting support for the planning dialogue.

- :func:`propose` — target proposals for a year from the forecast of that year (or, for the next
  year, from the current year's forecast): the point forecast ("realistisch") and the better and
  worse ends of its backtested interval ("ambitioniert", "vorsichtig").
- :func:`exits_needed_for_average` — the stock–flow calculation behind an average-stock target such
  as "LZB annual average −2 % → 2,601": how many exits per month are needed, given the expected
  entries per month, so that the average of the 12 Stichtag stocks reaches the target.

Stock–flow model: stock_{k} = stock_{k−1} + E − X for the remaining months k = m+1..12 (constant
entries E and exits X per month). With the known stocks of months 1..m summing to K, the current
stock s_m and n = 12 − m remaining months::

    12 · T = K + n · s_m + (E − X) · n (n + 1) / 2   ⇒   X = E − (12 · T − K − n · s_m) / (n (n + 1) / 2)

At planning time (m = 0) s_0 is the stock of December of the previous year and K = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from .catalogue import HIGHER, LOWER
from .monitoring import TargetMonitor


@dataclass(frozen=True)
class Proposal:
    label: str
    value: float
    explanation: str


def propose(tm: TargetMonitor) -> list[Proposal]:
    """Proposals for the year-end value from the target's current forecast and its interval."""
    row = tm.current
    if row.forecast is None:
        return []
    count = tm.spec.unit == "anzahl"

    def r(v: float) -> float:
        return float(round(v)) if count else round(v, 1)

    out = [Proposal("realistisch", r(row.forecast), "Prognose des Jahresendwerts")]
    if row.interval is not None:
        lo, hi = row.interval
        good, bad = (hi, lo) if tm.better == HIGHER else (lo, hi) if tm.better == LOWER else (None, None)
        if good is not None and bad is not None:
            out.insert(0, Proposal("ambitioniert", r(good), "günstiges Ende des Prognoseintervalls"))
            out.append(Proposal("vorsichtig", r(bad), "ungünstiges Ende des Prognoseintervalls"))
    return out


@dataclass(frozen=True)
class StockFlowPlan:
    target_average: float
    known_months: int
    known_sum: float
    current_stock: float
    entries_per_month: float
    exits_per_month: float  # needed
    path: tuple[float, ...]  # resulting stocks of the remaining months

    @property
    def net_change_per_month(self) -> float:
        return self.entries_per_month - self.exits_per_month


def exits_needed_for_average(target_average: float, known_stocks: list[float], current_stock: float,
                             entries_per_month: float) -> StockFlowPlan:
    """Exits per month needed so that the average of the 12 monthly stocks equals ``target_average``.

    ``known_stocks``: the stocks of months 1..m already observed (empty at planning time);
    ``current_stock``: the last observed stock (month m, or December of the previous year if m = 0).
    """
    m = len(known_stocks)
    if m >= 12:
        raise ValueError("Alle zwölf Monatsbestände sind bekannt; es bleibt nichts zu planen.")
    n = 12 - m
    k = float(sum(known_stocks))
    x = entries_per_month - (12 * target_average - k - n * current_stock) / (n * (n + 1) / 2)
    path = tuple(current_stock + j * (entries_per_month - x) for j in range(1, n + 1))
    return StockFlowPlan(target_average, m, k, current_stock, entries_per_month, x, path)


def stocks_from_running_average(averages: list[float | None]) -> list[float]:
    """Monthly stocks back from the year-to-date averages a_m: stock_m = m·a_m − (m−1)·a_{m−1}."""
    out: list[float] = []
    prev = 0.0
    for i, a in enumerate(averages, start=1):
        if a is None:
            break
        out.append(i * a - prev)
        prev = i * a
    return out


@dataclass(frozen=True)
class AverageOption:
    change_pct: float
    target_average: float
    plan: StockFlowPlan


def next_year_average_options(expected_average: float, december_stock: float, entries_per_month: float,
                              changes: tuple[float, ...] = (-1.0, -2.0, -3.0)) -> list[AverageOption]:
    """Options for next year's annual-average target: the expected average of this year (the forecast)
    changed by each of ``changes`` percent (rounded half up to persons), each with the exits per month
    needed from ``december_stock`` on (stock-flow, :func:`exits_needed_for_average` with m = 0)."""
    out = []
    for c in changes:
        target = float(int(expected_average * (1 + c / 100) + 0.5))
        out.append(AverageOption(c, target, exits_needed_for_average(target, [], december_stock, entries_per_month)))
    return out
