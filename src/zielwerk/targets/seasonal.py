"""Seasonal target paths and the year-end forecast, with its backtest.

Both rest on one seasonal profile estimated from the previous years' monthly series x_y(1..12)
(the series a target is measured on, :mod:`zielwerk.targets.actuals`):

- multiplicative (``mult``): s(m) = mean over years of x_y(m) / x_y(12). Target path
  p(m) = T · s(m); forecast from month m: F = x(m) / s(m).
- additive (``add``): g(m) = mean over years of x_y(12) − x_y(m). Path p(m) = T − g(m);
  forecast F = x(m) + g(m).

Path and forecast use the same profile, so "on the path in month m" is the same statement as
"the forecast reaches the target". The profile uses up to ``window`` (default 3) complete years
before the target year. Without any complete previous year the path is flat (levels, rates) or
linear (year-to-date counts) and marked as such.

Backtest (:func:`backtest`): for each test year y, the profile of the ``window`` years before y
forecasts x_y(12) from each month m = 1..11, and the errors are collected per month: MAPE (mean
absolute percentage error) and MAE; the forecast interval of month m is
F ± 1.96 · RMSE_m (relative RMSE for ``mult``, absolute for ``add``), i.e. about 95 % if the
errors are normal; with only a few test years it is a rough band and the report says how many
years it rests on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.96


@dataclass(frozen=True)
class Profile:
    method: str  # "mult" | "add"
    years: tuple[int, ...]  # years the profile rests on; () = fallback
    factors: tuple[float, ...]  # 12 values: s(m) for mult, g(m) for add
    fallback: str = ""  # "flach" | "linear" when years == ()

    def path(self, end_value: float, month: int) -> float:
        f = self.factors[month - 1]
        return end_value * f if self.method == "mult" else end_value - f

    def forecast(self, actual: float, month: int) -> float | None:
        f = self.factors[month - 1]
        if self.method == "mult":
            return None if f == 0 else actual / f
        return actual + f


def complete(series: list[float | None] | None, method: str) -> bool:
    """A previous year can enter the profile if all 12 months exist (and December ≠ 0 for mult)."""
    if series is None or len(series) != 12 or any(v is None or math.isnan(v) for v in series):
        return False
    return not (method == "mult" and series[11] == 0)


def profile(history: dict[int, list[float | None]], before: int, method: str, window: int = 3,
            cumulative: bool = False) -> Profile:
    """The profile from the complete years in ``before − window .. before − 1``."""
    years = [y for y in range(before - window, before) if complete(history.get(y), method)]
    if not years:
        if method == "mult" and cumulative:
            return Profile(method, (), tuple(m / 12 for m in range(1, 13)), "linear")
        return Profile(method, (), tuple([1.0] * 12 if method == "mult" else [0.0] * 12), "flach")
    factors = []
    for m in range(12):
        if method == "mult":
            factors.append(sum(history[y][m] / history[y][11] for y in years) / len(years))  # type: ignore[operator]
        else:
            factors.append(sum(history[y][11] - history[y][m] for y in years) / len(years))  # type: ignore[operator]
    return Profile(method, tuple(years), tuple(factors))


@dataclass(frozen=True)
class Backtest:
    """Forecast errors per forecast month m = 1..12 (December: 0 by construction)."""

    method: str
    years: tuple[int, ...]
    n: tuple[int, ...]
    mape: tuple[float | None, ...]  # percent
    mae: tuple[float | None, ...]  # in the unit of the series
    rmse: tuple[float | None, ...]  # relative (mult) or absolute (add)

    def interval(self, point: float, month: int) -> tuple[float, float] | None:
        r = self.rmse[month - 1]
        if r is None:
            return None
        half = Z95 * r * abs(point) if self.method == "mult" else Z95 * r
        return point - half, point + half


def backtest(history: dict[int, list[float | None]], test_years: list[int], method: str, window: int = 3,
             cumulative: bool = False) -> Backtest:
    """Forecast December of each test year from each month with the profile of the years before it."""
    errs: list[list[tuple[float, float]]] = [[] for _ in range(12)]  # (error, relative error)
    used = []
    for y in test_years:
        series = history.get(y)
        if not complete(series, method) or series[11] == 0:  # type: ignore[index]
            continue
        prof = profile(history, y, method, window, cumulative)
        if not prof.years:
            continue
        used.append(y)
        truth = series[11]  # type: ignore[index]
        for m in range(1, 13):
            f = prof.forecast(series[m - 1], m)  # type: ignore[index,arg-type]
            if f is not None:
                errs[m - 1].append((f - truth, (f - truth) / abs(truth)))
    n, mape, mae, rmse = [], [], [], []
    for e in errs:
        n.append(len(e))
        if not e:
            mape.append(None), mae.append(None), rmse.append(None)
            continue
        mape.append(100 * sum(abs(r) for _, r in e) / len(e))
        mae.append(sum(abs(a) for a, _ in e) / len(e))
        sq = [r * r for _, r in e] if method == "mult" else [a * a for a, _ in e]
        rmse.append(math.sqrt(sum(sq) / len(sq)))
    return Backtest(method, tuple(used), tuple(n), tuple(mape), tuple(mae), tuple(rmse))
