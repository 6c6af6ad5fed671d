"""Monitoring on hand-made series: resolved targets, seasonal path, status, forecast, alerts."""

from __future__ import annotations

import pyarrow as pa
import pytest

from zielwerk.domain.calendar import Month
from zielwerk.targets.actuals import SeriesSet, series_from_tables
from zielwerk.targets.fileformat import parse_agreement
from zielwerk.targets.monitoring import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK, monitor

SHAPE = [1.02, 1.02, 1.01, 1.01, 1.0, 1.0, 1.0, 1.0, 0.99, 0.99, 1.0, 1.0]


def _series(lzb_2016, k2_2016, k2f_2016) -> SeriesSet:
    s = SeriesSet()
    # LZB annual-average series: every previous year has the same seasonal shape; 2015 ends at 2,654
    for y, dec in ((2013, 2800.0), (2014, 2700.0), (2015, 2654.0)):
        s.values.setdefault(("LZB_JD", "all"), {})[y] = [dec * f for f in SHAPE]
        # K2 year-to-date: grows linearly to its December value
        s.values.setdefault(("K2", "all"), {})[y] = [24.0 * m / 12 for m in range(1, 13)]
        s.values.setdefault(("K2", "f"), {})[y] = [21.0 * m / 12 for m in range(1, 13)]
    s.values[("LZB_JD", "all")][2016] = lzb_2016 + [None] * (12 - len(lzb_2016))
    s.values[("K2", "all")][2016] = k2_2016 + [None] * (12 - len(k2_2016))
    s.values[("K2", "f")][2016] = k2f_2016 + [None] * (12 - len(k2f_2016))
    return s


def test_monitoring_by_hand(small_text):
    a = parse_agreement(small_text)
    s = _series([2700.0, 2760.0], [2.1, 3.9], [1.7, 3.5])
    mon = monitor(a, s, Month(2016, 2))
    lzb, k2, k2f = mon.targets

    # LZB: T = 2,654 · 0.98 → 2,601; path(m) = 2,601 · shape(m); tolerance 2 % of 2,601 = 52.02 along the path
    assert lzb.resolved.end == 2601.0
    assert [r.path for r in lzb.rows[:2]] == pytest.approx([2601 * 1.02] * 2)
    jan, feb = lzb.rows[:2]
    assert jan.deviation == pytest.approx(2700 - 2653.02)  # 46.98 ≤ 1.02 · 52.02 = 53.06
    assert jan.status == ON_TRACK
    assert feb.deviation == pytest.approx(2760 - 2653.02)  # 106.98 > 2 · 53.06 = 106.12
    assert feb.status == OFF_TRACK
    # forecast from February: 2,760 / 1.02; the backtest years have exactly the shape → zero error, zero width
    assert feb.forecast == pytest.approx(2760 / 1.02)
    assert feb.interval == pytest.approx((2760 / 1.02, 2760 / 1.02))
    assert lzb.backtest.years == (2014, 2015) and lzb.backtest.mape[1] == pytest.approx(0.0)
    assert lzb.rows[2].status == NO_DATA and lzb.rows[2].actual is None

    # K2 absolute 25 %: path(m) = 25 · m/12; tolerance 0.5 pp · m/12
    assert k2.rows[0].path == pytest.approx(25 / 12)
    assert k2.rows[0].status == ON_TRACK  # 2.1 above 2.083
    assert k2.rows[1].path == pytest.approx(50 / 12)
    assert k2.rows[1].deviation == pytest.approx(3.9 - 50 / 12)  # −0.267 < −2 · 0.0833
    assert k2.rows[1].status == OFF_TRACK
    assert k2.current.forecast == pytest.approx(3.9 * 6)

    # corridor 20–22 % for women: Feb bounds 20·2/12 .. 22·2/12 = 3.33 .. 3.67 → 3.5 inside
    assert (k2f.rows[1].band_low, k2f.rows[1].band_high) == pytest.approx((40 / 12, 44 / 12))
    assert k2f.status == ON_TRACK

    alerts = mon.alerts
    assert [(al.monitor.target.id, al.was, al.now) for al in alerts] == [("lzb-jd", ON_TRACK, OFF_TRACK),
                                                                          ("k2", ON_TRACK, OFF_TRACK)]


def test_at_risk_and_year_end_achievement(small_text):
    a = parse_agreement(small_text)
    full_lzb = [2601.0 * f for f in SHAPE]
    full_lzb[11] = 2590.0
    k2 = [25.0 * m / 12 for m in range(1, 13)]
    k2[11] = 24.4  # 0.6 pp below 25 → at risk, not achieved
    mon = monitor(a, _series(full_lzb, k2, [21.0 * m / 12 for m in range(1, 13)]), Month(2016, 12))
    lzb, k2m, k2f = mon.targets
    assert lzb.status == ON_TRACK and lzb.achieved is True
    assert k2m.status == AT_RISK and k2m.achieved is False
    assert k2f.achieved is True  # 21 % inside the corridor 20–22 %


def test_report_month_outside_agreement_year(small_text):
    with pytest.raises(ValueError, match="nicht im Vereinbarungsjahr"):
        monitor(parse_agreement(small_text), SeriesSet(), Month(2017, 1))


def test_series_from_engine_tables(small_text):
    a = parse_agreement(small_text)
    schema_cols = ["unit_type", "unit_id", "month", "indicator", "sex", "numerator", "denominator", "value",
                   "provisional"]
    jfw = pa.table(dict(zip(schema_cols, zip(*[
        ("jobcenter", "J1", "2016-01", "LZB_JD", "all", 2700.0, 1.0, 2700.0, False),
        ("jobcenter", "J1", "2016-01", "K2", "all", 2.0, 100.0, 2.0, False),
        ("jobcenter", "J2", "2016-01", "K2", "all", 9.0, 100.0, 9.0, False),  # other Jobcenter
        ("total", "total", "2016-01", "K2", "all", 9.0, 100.0, 9.0, False),
    ]))))
    rolling = pa.table(dict(zip(schema_cols, zip(*[
        ("jobcenter", "J1", "2016-01", "K2", "all", 17.0, 100.0, 17.0, True),  # rolling K2: not the target's series
    ]))))
    s = series_from_tables(a, [jfw, rolling])
    assert s.year(("LZB_JD", "all"), 2016)[0] == 2700.0
    assert s.year(("K2", "all"), 2016)[0] == 2.0  # year-to-date value, J1 only
    assert Month(2016, 1) in s.provisional
