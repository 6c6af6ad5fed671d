"""The monthly report on the official series: data basis named, one reconciliation line per target (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from zielwerk.domain.calendar import Month
from zielwerk.official.reader import read_official
from zielwerk.official.series import to_long_table
from zielwerk.reports.build import monthly_report
from zielwerk.synth.official import FILE_NAME
from zielwerk.targets.fileformat import load_agreement
from zielwerk.targets.model import OFFICIAL_SERIES

ROOT = Path(__file__).resolve().parents[2]


def test_report_on_the_official_series(siegen_dir, siegen_dataset, tmp_path):
    rows = [r for r in read_official(siegen_dir / FILE_NAME).rows if r.jobcenter_id == "05970"]
    official = to_long_table(rows)
    a = replace(load_agreement(ROOT / "examples" / "siegen-wittgenstein-2016" / "ziele.toml"),
                series=OFFICIAL_SERIES)
    out = tmp_path / "bericht.html"
    mon = monthly_report(siegen_dataset, a, Month(2016, 9), out, official=official)
    html = out.read_text("utf-8")
    assert "Datengrundlage: amtliche Statistik der BA" in html
    # every official target's actual is the published value of September 2016 (K2 all: the rolling value)
    published = {(r.indicator, r.sex): r.value for r in rows if r.month == "2016-09"}
    checked = 0
    for tm in mon.targets:
        if tm.spec.record.official:
            assert tm.current.actual == published[(tm.spec.engine_code, tm.target.sex)]
            checked += 1
        else:
            assert tm.current.status == "keine Daten"
    assert checked >= 5
    # one reconciliation line per official target; the newest common month is September 2016
    assert html.count("Abgleich 2016-09: eigene") == checked


def test_report_own_series_says_so(siegen_dataset, tmp_path):
    a = load_agreement(ROOT / "examples" / "siegen-wittgenstein-2016" / "ziele.toml")
    out = tmp_path / "bericht.html"
    monthly_report(siegen_dataset, a, Month(2016, 9), out)
    html = out.read_text("utf-8")
    assert "Datengrundlage: eigene Berechnung" in html and "Abgleich mit der amtlichen Statistik" not in html
