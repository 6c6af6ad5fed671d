"""One import asks the engine once: ``compute_kennzahlen`` once in total, ``jahresfortschritt_years`` once for
all monitored years (and all Jobcenters together), ``lzb_status`` at most once per Stichtag. The actual series
the pipeline stores equal those ``targets.collect`` computes on its own (engine per Jobcenter)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from pipeline_helpers import make_source

from zielwerk.domain.calendar import Month
from zielwerk.pipeline import generations as gen
from zielwerk.pipeline import run_import
from zielwerk.pipeline.provision import EXAMPLE_AGREEMENT, EXAMPLE_KEY, load_agreement_file
from zielwerk.store import default_url, open_store


@pytest.fixture
def counted(monkeypatch):
    from zielwerk.indicators import engine, ytd

    calls: Counter = Counter()

    def count(module, name, key):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[key(*args, **kwargs)] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    count(engine, "compute_kennzahlen", lambda *a, **k: "compute_kennzahlen")
    count(ytd, "jahresfortschritt", lambda ds, year, **k: ("jahresfortschritt", year))
    count(ytd, "jahresfortschritt_years",
          lambda ds, first_year, through, *a, **k: ("jahresfortschritt_years", first_year, str(through)))
    # every LZB status (also lzb_status, a wrapper) comes from lzb_status_many: counted per Stichtag asked
    many = engine.lzb_status_many

    def lzb_status_many(ds, days, *args, **kwargs):
        for day in set(days):
            calls[("lzb_status", day)] += 1
        return many(ds, days, *args, **kwargs)

    monkeypatch.setattr(engine, "lzb_status_many", lzb_status_many)
    return calls


def test_one_engine_run_per_import_and_the_same_series_as_collect(tmp_path, counted):
    src = make_source(tmp_path / "quelle")
    data = tmp_path / "daten"
    data.mkdir()
    url = default_url(data)
    engine_, sessions = open_store(url)
    assert load_agreement_file(sessions, EXAMPLE_AGREEMENT, EXAMPLE_KEY)  # Jobcenter 05970, 2016
    engine_.dispose()
    run_import(src, data, db_url=url)
    assert counted["compute_kennzahlen"] == 1
    # data into 2017: the series reach back to 2012, the window of the 2016 agreement's monitoring (one
    # forecast for web and CLI, issue 13): one year-to-date run over 2012..2017, for all Jobcenters at once
    assert {k: n for k, n in counted.items() if k[0].startswith("jahresfortschritt")} == {
        ("jahresfortschritt_years", 2012, "2017-12"): 1}
    repeated = {k: n for k, n in counted.items() if k[0] == "lzb_status" and n > 1}
    assert repeated == {}
    assert sum(1 for k in counted if k[0] == "lzb_status") >= 13  # list Stichtag, 12 months back, as-of date

    live = gen.live_generation(data)
    series = json.loads((live.part("results") / "series.json").read_text())
    assert set(series) == {"05970"}
    # the same values as targets.collect, which runs the engine itself for this one Jobcenter
    from zielwerk.data.reader import load_dataset
    from zielwerk.pipeline.run import MONITOR_HISTORY_YEARS, _probe_agreement, series_json
    from zielwerk.targets import collect

    ds = load_dataset(src)
    expected = series_json(collect(ds, _probe_agreement("05970", 2017), Month(2017, 12), MONITOR_HISTORY_YEARS))
    assert series["05970"] == json.loads(json.dumps(expected))
