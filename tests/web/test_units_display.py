"""Issue 13 item 6: one unit convention (domain.german) on the Überblick, in the report and in the CLI.

Hand computation on the fixture series (web_helpers.series): K2 (year-to-date integration rate, a quota)
reaches 24 in December 2016 against the absolute target 25,0; in December the seasonal path equals the
year-end target (s(12) = 1 by construction), so the deviation is 24 − 25 = −1,0 percentage points:
"−1,0 Pp.", never "−1,0 %". K3 (change of the LZB stock, a rate of change) is −3,2 in December 2016 and
is shown with its sign and %: "−3,2 %". Its target −2 % on the previous December (−1 − 2,2 + 0,3 = −2,9)
is −2,9 · 0,98 = −2,842; deviation −3,2 − (−2,842) = −0,358 → "−0,4 Pp."
"""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner
from web_helpers import AGREEMENT_TOML, series

from zielwerk.domain.calendar import Month


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(text: str, name: str) -> str:
    i = text.index(name)
    return text[i:i + 400]


def test_overview_deviation_of_a_rate_in_percentage_points(clients):
    text = _text(clients["controlling"].get("/").text)
    k2 = _row(text, "Integrationsquote")
    assert "24,0 %" in k2 and "−1,0 Pp." in k2
    assert "−1,0 %" not in k2
    k3 = _row(text, "Veränderung")
    assert "−3,2 %" in k3 and "−0,4 Pp." in k3


def test_report_deviation_of_a_rate_in_percentage_points(clients):
    r = clients["controlling"].get("/berichte/2016-12?format=html")
    assert r.status_code == 200
    text = _text(r.text)
    assert "−1,0 Pp." in text and "−0,4 Pp." in text and "−3,2 %" in text
    assert not re.search(r"−1,0 %(?! )", text.replace("−1,0 % ", ""))  # no rate deviation in %


def test_cli_planen_deviation_in_percentage_points(tmp_path, monkeypatch):
    from zielwerk.cli import app, ziele_cmds
    from zielwerk.reports import build
    from zielwerk.targets import monitor, parse_agreement
    from zielwerk.web.monitoring import series_set

    agreement = parse_agreement(AGREEMENT_TOML)
    month = Month(2016, 12)
    monkeypatch.setattr(ziele_cmds, "_inputs", lambda *a: (agreement, None, month))
    monkeypatch.setattr(build, "monitoring_for", lambda ds, a, m: monitor(a, series_set(series()["JC1"]), m))
    res = CliRunner().invoke(app, ["ziele", "planen", "--zielvereinbarung", "z.toml", "--daten", str(tmp_path),
                                   "--monat", "2016-12"])
    assert res.exit_code == 0, res.output
    assert "Dezember 2016: Ist 24,0 %, Zielpfad 25,0 %, Abweichung −1,0 Pp." in res.output
    assert "Dezember 2016: Ist −3,2 %, Zielpfad −2,8 %, Abweichung −0,4 Pp." in res.output


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (-2.6, "%", "−2,6 Pp."), (12.0, "Personen", "+12 Personen"), (-1000.4, "€", "−1.000 €")])
def test_deviation_by_unit(value, unit, expected):
    from zielwerk.reports.context import ValueUnit, deviation

    assert deviation(value, ValueUnit(unit)) == expected


def test_kennzahlen_page_labels_rolling_values_and_the_chart_axis(clients):
    html = clients["controlling"].get("/kennzahlen?k=K2&einheit=jobcenter:JC1").text
    text = _text(html)
    assert "Wert (%, gleitend (12 Monate))" in text
    assert "Überblick und Monatsbericht zeigen für Zielwerte den Jahresfortschrittswert" in text
    assert '"title": "%, gleitend (12 Monate)"' in html or '"title":"%, gleitend (12 Monate)"' in html


def test_kennzahlen_page_values_in_their_unit_with_sign_for_change_rates(clients):
    from web_helpers import kennzahlen_rows

    text = _text(clients["controlling"].get("/kennzahlen?k=K2&einheit=jobcenter:JC1").text)
    k2 = [r for r in kennzahlen_rows() if r["indicator"] == "K2" and r["unit_id"] == "JC1" and r["sex"] == "all"]
    last = max(k2, key=lambda r: r["month"])
    from zielwerk.domain import german

    assert german.num(last["value"], 1) + " %" in text  # a rate: one decimal, %
    assert "Zähler (Personen)" in text
    k3 = [r for r in kennzahlen_rows() if r["indicator"] == "K3" and r["unit_id"] == "JC1" and r["sex"] == "all"]
    v = max(k3, key=lambda r: r["month"])["value"]  # K3: a rate of change, carries its sign
    page = _text(clients["controlling"].get("/kennzahlen?k=K3&einheit=jobcenter:JC1").text)
    assert german.num(v, 1, sign=True) + " %" in page and german.num(v, 1, sign=True)[0] in "+−"
