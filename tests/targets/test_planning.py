"""Stock–flow planning: exits needed for an annual-average target (checked by simulating the stocks)."""

from __future__ import annotations

import pytest

from zielwerk.targets.planning import exits_needed_for_average, stocks_from_running_average


def _simulate_average(known, start, entries, exits):
    stocks = list(known)
    s = start
    while len(stocks) < 12:
        s = s + entries - exits
        stocks.append(s)
    return sum(stocks) / 12


def test_lzb_minus_two_percent_at_planning_time():
    # target 2,601 (= 2,654 − 2 %), December stock 2,700, 60 LZB entries per month expected.
    # By hand: 12·2601 = 31,212; 12·2700 = 32,400; (31,212 − 32,400) / 78 = −15.23 → exits = 60 + 15.23 = 75.23
    plan = exits_needed_for_average(2601.0, [], 2700.0, 60.0)
    assert plan.exits_per_month == pytest.approx(60 + 1188 / 78)
    assert _simulate_average([], 2700.0, 60.0, plan.exits_per_month) == pytest.approx(2601.0)
    assert plan.path[0] == pytest.approx(2700.0 - 1188 / 78)


def test_in_year_with_known_stocks():
    known = [2690.0, 2680.0, 2675.0]
    plan = exits_needed_for_average(2601.0, known, 2675.0, 55.0)
    assert _simulate_average(known, 2675.0, 55.0, plan.exits_per_month) == pytest.approx(2601.0)


def test_stocks_back_from_running_average():
    # stocks 10, 20, 60 → averages 10, 15, 30
    assert stocks_from_running_average([10.0, 15.0, 30.0, None]) == [10.0, 20.0, 60.0]


def test_nothing_left_to_plan():
    with pytest.raises(ValueError, match="nichts zu planen"):
        exits_needed_for_average(100.0, [100.0] * 12, 100.0, 1.0)


def test_next_year_options():
    from zielwerk.targets.planning import next_year_average_options

    opts = next_year_average_options(2654.0, 2700.0, 60.0, changes=(-2.0,))
    assert [o.target_average for o in opts] == [2601.0]
    assert opts[0].plan.exits_per_month == pytest.approx(60 + 1188 / 78)
