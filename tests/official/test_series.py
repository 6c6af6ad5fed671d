"""An agreement monitored on the official series (issue 14 item 5): values checked by hand."""

from __future__ import annotations

import pytest

from zielwerk.domain.calendar import Month
from zielwerk.official.figures import OfficialRow
from zielwerk.official.series import official_series_set, series_label, to_long_table
from zielwerk.store import official as store
from zielwerk.targets import Agreement, Goal, Target, monitor
from zielwerk.targets.model import ABSOLUTE, MONITOR, OFFICIAL_SERIES

JC = "09999"


def _rows() -> list[OfficialRow]:
    rows = []
    for y in (2013, 2014, 2015, 2016):
        for m in range(1, 13):
            if y == 2016 and m > 9:
                continue  # the waiting period: October 2016 not yet published
            # K2E1: 10 + 0.1·m in the previous years (December − month m = 0.1·(12 − m) every year);
            # 2016: 11.5 in September
            k2e1 = 10 + 0.1 * m if y < 2016 else 10.6 + 0.1 * m
            # K2 (rolling 12-month quota as published): flat 6.0, 2016: 6.5
            k2 = 6.0 if y < 2016 else 6.5
            for code, v in (("K2E1", k2e1), ("K2", k2)):
                rows.append(OfficialRow(JC, "Jobcenter Test", "IIb", str(Month(y, m)), code, "all",
                                        round(v * 100), 10000.0, round(v, 1)))
    # another Jobcenter's figures must not leak in
    rows.append(OfficialRow("08888", "Anderes", "IIb", "2016-09", "K2E1", "all", 9000.0, 10000.0, 90.0))
    return rows


def _agreement() -> Agreement:
    targets = (Target("t-k2e1", "K2E1", ABSOLUTE, value=12.0), Target("t-k2", "K2", ABSOLUTE, value=8.0),
               Target("t-eltern", "ELTERN_2J", MONITOR))
    parties = (("kreis", "Kreis Test"), ("agentur", "Agentur für Arbeit Test"), ("jobcenter", "Jobcenter Test"))
    return Agreement(year=2016, jobcenter_id=JC, jobcenter_name="Jobcenter Test", parties=parties,
                     goals=(Goal("g", "Integration", ("kreis",), targets=targets),), series=OFFICIAL_SERIES)


def test_monitoring_on_official_series_from_the_store(sessions):
    with sessions() as s, s.begin():
        store.replace_months(s, _rows(), source="amtlich.csv", username="t")
    with sessions() as s:
        table = store.official_table(s)
    mon = monitor(_agreement(), official_series_set(_agreement(), table, Month(2016, 9)), Month(2016, 9))
    k2e1, k2, eltern = mon.targets
    # K2E1 (additive profile): g(9) = 0.1·(12 − 9) = 0.3 → path 12.0 − 0.3 = 11.7; actual 11.5;
    # deviation −0.2, within the default tolerance 0.5 → im Plan; forecast 11.5 + 0.3 = 11.8
    row = k2e1.current
    assert row.actual == pytest.approx(11.5)
    assert row.path == pytest.approx(11.7)
    assert row.deviation == pytest.approx(-0.2)
    assert row.status == "im Plan"
    assert row.forecast == pytest.approx(11.8)
    assert k2e1.profile.years == (2013, 2014, 2015)
    assert row.provisional is False
    # K2 on the published rolling value (flat history): path 8.0, actual 6.5, deviation −1.5 > 2·0.5
    assert k2.current.actual == pytest.approx(6.5)
    assert k2.current.path == pytest.approx(8.0)
    assert k2.current.status == "nicht im Plan"
    assert k2.current.forecast == pytest.approx(6.5)
    # a local indicator is not published
    assert eltern.current.status == "keine Daten"
    # months after the report month are empty
    assert k2e1.rows[9].actual is None


def test_long_table_filters_jobcenters():
    tbl = to_long_table(_rows(), [JC])
    assert set(tbl["unit_id"].to_pylist()) == {JC}
    assert tbl.num_rows == 2 * (36 + 9)
    assert not any(tbl["provisional"].to_pylist())


def test_reihe_in_the_agreement_file_and_the_report_line():
    from zielwerk.targets.fileformat import dumps_agreement, parse_agreement

    a = _agreement()
    text = dumps_agreement(a)
    assert 'reihe = "amtlich"' in text
    assert parse_agreement(text).series == OFFICIAL_SERIES
    assert series_label(a.series) == "Datengrundlage: amtliche Statistik der BA"
    assert series_label("eigen") == "Datengrundlage: eigene Berechnung"
