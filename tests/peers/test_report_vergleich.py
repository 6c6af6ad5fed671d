"""The report section "Vergleich im Vergleichstyp" (reports/vergleich.py, _vergleich.html.j2), by hand."""

from __future__ import annotations

from zielwerk.domain.calendar import Month
from zielwerk.targets import parse_agreement

AGREEMENT = """
jahr = 2016
status = "entwurf"
version = 1
[jobcenter]
id = "A"
name = "Jobcenter A"
[parteien]
kreis = "Kreis"
agentur = "Agentur"
jobcenter = "GF"
[[ziele]]
id = "integration"
titel = "Integration"
traeger = ["kreis"]
gesetzliches_ziel = "integration"
[[ziele.zielwerte]]
id = "k2"
kennzahl = "K2"
form = "absolut"
wert = 25.0
"""


def _row(jid, month, num, den, vtyp="IIb"):
    return {"jobcenter_id": jid, "jobcenter_name": f"Jobcenter {jid}", "vergleichstyp": vtyp, "month": month,
            "indicator": "K2", "sex": "all", "numerator": num, "denominator": den, "value": round(100 * num / den, 1)}


ROWS = ([_row("A", m, 100, 1000) for m in ("2015-06", "2016-06")]
        + [_row(j, m, n, 100) for m in ("2015-06", "2016-06") for j, n in (("B", 20), ("C", 30), ("D", 40))]
        + [_row("E", "2016-06", 2, 10), _row("A", "2016-11", 500, 1000), _row("X", "2016-06", 90, 100, "Ia")])


def test_section_values_by_hand():
    from zielwerk.reports.vergleich import vergleich_section

    model = parse_agreement(AGREEMENT)
    sec = vergleich_section(ROWS, model, Month(2016, 9))["vergleich"]
    assert sec["vergleichstyp"] == "IIb"
    (line,) = sec["lines"]
    # newest month up to September 2016 (November is later); E (2 of 10 persons) is left out (C10)
    assert line["month"] == "Juni 2016"
    assert (line["value"], line["q1"], line["median"], line["q3"]) == ("10,0 %", "17,5 %", "25,0 %", "32,5 %")
    assert line["rank"] == "4 von 4" and line["previous"] == "10,0 % (Rang 4 von 4)"
    assert line["distance"] == "225 Integrationen mehr wären das obere Quartil (32,5 %)"
    assert vergleich_section(None, model, Month(2016, 9)) == {"vergleich": None}
    assert vergleich_section([r for r in ROWS if r["jobcenter_id"] != "A"], model, Month(2016, 9)) == {"vergleich": None}


def test_partial_renders_in_german():
    from zielwerk.reports.render import _env
    from zielwerk.reports.vergleich import vergleich_section

    ctx = vergleich_section(ROWS, parse_agreement(AGREEMENT), Month(2016, 9))
    html = _env().get_template("_vergleich.html.j2").render(**ctx)
    assert "Vergleich im Vergleichstyp IIb" in html and "225 Integrationen mehr" in html and "4 von 4" in html
    bericht = _env().loader.get_source(_env(), "bericht.html.j2")[0]
    assert bericht.count('{% include "_vergleich.html.j2" %}') == 1
