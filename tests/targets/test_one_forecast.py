"""One forecast for web, CLI and report (issue 13 item 6).

The CLI and the report compute the actual series for the report month (``actuals.collect``: the agreement
year and the 4 years before); the web computes them once per import up to the data's last month
(``pipeline.run.agreement_series``), so its series may hold other years. The monitoring reads only the
agreement year and the ``HISTORY_YEARS`` years before it, so both give the same profile years, backtest
years, forecasts and intervals.
"""

from __future__ import annotations

from zielwerk.domain.calendar import Month
from zielwerk.targets import monitor, parse_agreement
from zielwerk.targets.actuals import SeriesSet
from zielwerk.targets.monitoring import HISTORY_YEARS

AGREEMENT = """jahr = 2016
[jobcenter]
id = "JC1"
name = "JC"
[parteien]
kreis = "K"
agentur = "A"
jobcenter = "J"
[[ziele]]
id = "integration"
titel = "Integration"
traeger = ["agentur"]
  [[ziele.zielwerte]]
  id = "k2"
  kennzahl = "K2"
  form = "absolut"
  wert = 25.0
"""


def _year(y: int) -> list[float]:
    # year-to-date quota growing through the year, a different seasonal shape every year
    bend = 0.1 * ((y * 7) % 5)
    return [round(2.0 * m + bend * (m % 4) - (2016 - y) * 0.4, 3) for m in range(1, 13)]


def _series(years: range) -> SeriesSet:
    s = SeriesSet()
    for sex in ("all", "f", "m"):
        s.values[("K2", sex)] = {y: _year(y) for y in years}
    return s


def _summary(mon) -> list:
    (tm,) = mon.targets
    return [tm.profile.years, tm.backtest.years, tm.backtest.rmse,
            [(r.actual, r.path, r.deviation, r.forecast, r.interval) for r in tm.rows]]


def test_the_same_forecast_whatever_other_years_the_series_hold():
    a = parse_agreement(AGREEMENT)
    report = Month(2016, 9)
    cli = monitor(a, _series(range(2016 - HISTORY_YEARS, 2017)), report)  # actuals.collect: 2012–2016
    web_later = monitor(a, _series(range(2012, 2018)), report)  # data into 2017: the web's series
    web_longer = monitor(a, _series(range(2008, 2018)), report)
    assert _summary(cli) == _summary(web_later) == _summary(web_longer)
    (tm,) = cli.targets
    # by hand: the profile rests on 2013–2015 (window 3); the backtest tests 2013, 2014 and 2015, each with
    # the profile of the years before it that the window 2012–2016 holds (2013: 2012 only)
    assert tm.profile.years == (2013, 2014, 2015)
    assert tm.backtest.years == (2013, 2014, 2015)


def test_the_pipeline_computes_the_history_of_an_agreement_of_the_year_before_the_last_data():
    """Data into 2017, agreement 2016: the web's series must reach back to 2016 − HISTORY_YEARS."""
    from zielwerk.pipeline.run import MONITOR_HISTORY_YEARS, needed_range

    last = Month(2017, 6)
    assert last.year - MONITOR_HISTORY_YEARS <= (last.year - 1) - HISTORY_YEARS
    first, _ = needed_range(last)
    assert first <= Month(2016 - HISTORY_YEARS, 1)
