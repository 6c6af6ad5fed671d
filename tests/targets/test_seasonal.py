"""Seasonal target path, forecast and backtest, against values worked out by hand."""

from __future__ import annotations

import pytest

from zielwerk.targets.seasonal import Z95, backtest, profile

SHAPE = [1.02, 1.02, 1.01, 1.01, 1.0, 1.0, 1.0, 1.0, 0.99, 0.99, 1.0, 1.0]


def test_multiplicative_profile_is_mean_share_of_december():
    # 2014: Dec 100, month 6 = 40; 2015: Dec 200, month 6 = 120 → s(6) = (0.4 + 0.6) / 2 = 0.5
    h = {2014: [10.0 * m for m in range(1, 12)] + [100.0], 2015: [20.0 * m for m in range(1, 12)] + [200.0]}
    h[2014][5], h[2015][5] = 40.0, 120.0
    p = profile(h, 2016, "mult")
    assert p.years == (2014, 2015)
    assert p.factors[5] == pytest.approx(0.5)
    assert p.factors[0] == pytest.approx(0.1)  # (10/100 + 20/200) / 2
    assert p.factors[11] == 1.0
    # path for the year-end target 300: 150 in June; forecast from an actual of 140 in June: 280
    assert p.path(300.0, 6) == pytest.approx(150.0)
    assert p.forecast(140.0, 6) == pytest.approx(280.0)


def test_seasonal_path_is_not_linear():
    # a cumulative count that is strong in spring: half the year's result by April in every previous year
    shape = [0.15, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 1.0]
    h = {y: [v * 100 for v in shape] for y in (2013, 2014, 2015)}
    p = profile(h, 2016, "mult", cumulative=True)
    assert [round(p.path(120.0, m), 6) for m in (1, 4, 12)] == [18.0, 60.0, 120.0]  # linear would give 10, 40, 120


def test_additive_profile():
    # rates: 2015 goes 17.0 (Jan) .. 16.0 (Dec); 2014 18.0 .. 17.0 → g(1) = Dec − Jan = −1.0;
    # path(T=16.5, Jan) = 16.5 + 1 = 17.5; forecast from 17.2 in January = 17.2 − 1 = 16.2
    h = {2014: [18.0] + [17.5] * 10 + [17.0], 2015: [17.0] + [16.5] * 10 + [16.0]}
    p = profile(h, 2016, "add")
    assert p.factors[0] == pytest.approx(-1.0) and p.factors[4] == pytest.approx(-0.5) and p.factors[11] == 0.0
    assert p.path(16.5, 1) == pytest.approx(17.5)
    assert p.forecast(17.2, 1) == pytest.approx(16.2)


def test_fallbacks_without_previous_years():
    assert profile({}, 2016, "mult", cumulative=True).path(120.0, 3) == pytest.approx(30.0)  # linear
    flat = profile({2015: [None] * 12}, 2016, "mult")
    assert flat.years == () and flat.fallback == "flach" and flat.path(50.0, 3) == 50.0


def test_backtest_errors_and_interval():
    # 2013 and 2014 have the shape: June = 0.5 of December. 2015 reaches 0.6 by June.
    def year(dec, june):
        s = [dec * m / 12 for m in range(1, 13)]
        s[5] = june
        return s

    h = {2013: year(100.0, 50.0), 2014: year(120.0, 60.0), 2015: year(100.0, 60.0)}
    bt = backtest(h, [2013, 2014, 2015], "mult")
    # 2013 has no earlier year → skipped; 2014 is forecast from 2013's profile (exact); 2015 from 2013+2014
    # (s(6) = 0.5): F = 60 / 0.5 = 120 vs truth 100 → +20 %.
    assert bt.years == (2014, 2015)
    assert bt.n[5] == 2
    assert bt.mape[5] == pytest.approx((0 + 20) / 2)
    assert bt.mae[5] == pytest.approx((0 + 20) / 2)
    assert bt.rmse[5] == pytest.approx(((0 ** 2 + 0.2 ** 2) / 2) ** 0.5)
    lo, hi = bt.interval(200.0, 6)
    half = Z95 * ((0.04 / 2) ** 0.5) * 200.0
    assert (lo, hi) == pytest.approx((200.0 - half, 200.0 + half))
    assert bt.mape[11] == 0.0  # December forecasts itself


def test_backtest_additive_absolute_errors():
    h = {2013: [10.0] * 11 + [12.0], 2014: [11.0] * 11 + [13.0], 2015: [12.0] * 11 + [13.0]}
    bt = backtest(h, [2014, 2015], "add")
    # 2014: g = 2 → F = 13 exact; 2015: g = 2 (mean of 2, 2) → F = 14 vs 13 → error 1
    assert bt.mae[0] == pytest.approx(0.5) and bt.rmse[0] == pytest.approx((1 / 2) ** 0.5)
    assert bt.interval(14.0, 1) == pytest.approx((14.0 - Z95 * 0.5 ** 0.5, 14.0 + Z95 * 0.5 ** 0.5))
