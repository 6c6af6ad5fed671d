"""Target forms converted to year-end values, and status/achievement, with hand-computed examples."""

from __future__ import annotations

import pytest

from zielwerk.targets import catalogue
from zielwerk.targets.model import Target
from zielwerk.targets.monitoring import (
    AT_RISK,
    OFF_TRACK,
    ON_TRACK,
    WATCH,
    TargetNotComputable,
    classify,
    resolve,
)

LZB_JD = catalogue.get("LZB_JD")
K2 = catalogue.get("K2")


def test_minus_two_percent_of_2654_is_2601():
    # the worked example: previous year's annual average 2,654; 2,654 · 0.98 = 2,600.92 → 2,601 persons
    t = Target("lzb", "LZB_JD", "veraenderung_jahresdurchschnitt", change_pct=-2.0)
    r = resolve(t, LZB_JD, previous_year_end=2654.0)
    assert r.end == 2601.0 and r.baseline == 2654.0 and r.baseline_from_data
    # an agreed baseline wins over the data
    r2 = resolve(Target("lzb", "LZB_JD", "veraenderung_jahresdurchschnitt", change_pct=-2.0, baseline=2654.0),
                 LZB_JD, previous_year_end=9999.0)
    assert r2.end == 2601.0 and not r2.baseline_from_data
    # default tolerance for counts: 2 % of the target value
    assert r.tolerance == pytest.approx(52.02)


def test_rounding_is_half_up_for_counts():
    # 82 · 1.05 = 86.1 → 86; 90 · 1.05 = 94.5 → 95 (half up, not banker's rounding)
    u25 = catalogue.get("ELTERN_2J")
    assert resolve(Target("u", "ELTERN_2J", "veraenderung_vorjahresmonat", change_pct=5.0), u25, 82.0).end == 86.0
    assert resolve(Target("u", "ELTERN_2J", "veraenderung_vorjahresmonat", change_pct=5.0), u25, 90.0).end == 95.0


def test_percent_forms():
    # +2 % relative on 17.2 % → 17.544 %; +0.5 points on 12.1 % → 12.6 %; percent values are not rounded
    assert resolve(Target("k2", "K2", "veraenderung_vorjahresmonat", change_pct=2.0), K2, 17.2).end == \
        pytest.approx(17.544)
    assert resolve(Target("k2", "K2", "veraenderung_vorjahresmonat", change_points=0.5), K2, 12.1).end == \
        pytest.approx(12.6)
    r = resolve(Target("k2", "K2", "absolut", value=25.0, tolerance=0.3), K2, None)
    assert (r.end, r.tolerance) == (25.0, 0.3)
    c = resolve(Target("k2", "K2", "korridor", lower=20.0, upper=22.0), K2, None)
    assert (c.end, c.lower, c.upper, c.tolerance) == (None, 20.0, 22.0, 0.5)


def test_change_without_previous_year_is_an_error():
    with pytest.raises(TargetNotComputable, match="vorjahreswert"):
        resolve(Target("lzb", "LZB_JD", "veraenderung_jahresdurchschnitt", change_pct=-2.0), LZB_JD, None)


@pytest.mark.parametrize(("actual", "better", "status", "dev"), [
    (100.0, "hoeher", ON_TRACK, 0.0),
    (98.0, "hoeher", ON_TRACK, -2.0),  # exactly one tolerance below
    (97.0, "hoeher", AT_RISK, -3.0),
    (96.0, "hoeher", AT_RISK, -4.0),  # exactly two tolerances
    (95.9, "hoeher", OFF_TRACK, -4.1),
    (120.0, "hoeher", ON_TRACK, 20.0),  # better than path is on plan
    (103.0, "niedriger", AT_RISK, 3.0),
    (90.0, "niedriger", ON_TRACK, -10.0),
])
def test_status_thresholds(actual, better, status, dev):
    s, d = classify(actual, 100.0, 100.0, 2.0, better, "absolut")
    assert s == status and d == pytest.approx(dev)


def test_corridor_and_monitoring_status():
    assert classify(21.0, 20.0, 22.0, 0.5, None, "korridor") == (ON_TRACK, 0.0)
    s, d = classify(22.7, 20.0, 22.0, 0.5, None, "korridor")
    assert s == AT_RISK and d == pytest.approx(0.7)
    s, d = classify(18.9, 20.0, 22.0, 0.5, None, "korridor")
    assert s == OFF_TRACK and d == pytest.approx(-1.1)
    assert classify(1.0, None, None, 0.0, None, "beobachtung") == (WATCH, None)
