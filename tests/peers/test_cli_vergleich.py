"""``zielwerk vergleich`` on hand-made official figures in the data folder's store."""

from __future__ import annotations

from typer.testing import CliRunner

from zielwerk.cli import app


def _store(folder):
    from zielwerk.store import default_url, open_store
    from zielwerk.store.models import OfficialFigure

    engine, sessions = open_store(default_url(folder))
    with sessions.begin() as s:
        for month, shift in (("2016-09", 0.0), ("2015-09", -1.0)):
            for jid, num, den in (("A", 100, 1000), ("B", 20, 100), ("C", 30, 100), ("D", 40, 100)):
                s.add(OfficialFigure(jobcenter_id=jid, jobcenter_name=f"Jobcenter {jid}", vergleichstyp="IIb",
                                     month=month, indicator="K2", sex="all", numerator=num, denominator=den,
                                     value=100 * num / den + shift, source="test", imported_by="test"))
    engine.dispose()


def test_vergleich_prints_the_statistics_in_german(tmp_path):
    _store(tmp_path)
    res = CliRunner().invoke(app, ["vergleich", "--daten", str(tmp_path), "--kennzahl", "K2", "--monat", "2016-09",
                                   "--jobcenter", "A"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "Vergleich im Vergleichstyp IIb: Jobcenter A (A)" in lines[0]
    # 10, 20, 30, 40 % → Q1 17,5; median 25; Q3 32,5; A is 4th; 32,5 % of 1.000 = 325 → 225 more
    row = {line[:18].strip(): line[18:].split() for line in lines if line[:18].strip()}
    assert row["unteres Quartil"] == ["17,5", "%", "16,5", "%"]
    assert row["Median"] == ["25,0", "%", "24,0", "%"]
    assert row["oberes Quartil"] == ["32,5", "%", "31,5", "%"]
    assert row["Rang"] == ["4", "von", "4", "4", "von", "4"]
    assert "Abstand zum besten Quartil: 225 Integrationen mehr wären das obere Quartil (32,5 %)" in res.output


def test_vergleich_refuses_bad_input_in_german(tmp_path):
    _store(tmp_path)
    res = CliRunner().invoke(app, ["vergleich", "--data", str(tmp_path), "--indicator", "K9", "--jobcenter", "A"])
    assert res.exit_code == 2 and "keine amtliche Kennzahl" in res.output
    res = CliRunner().invoke(app, ["vergleich", "--data", str(tmp_path), "--monat", "2016-13", "--jobcenter", "A"])
    assert res.exit_code == 2 and "kein Monat" in res.output
    res = CliRunner().invoke(app, ["vergleich", "--data", str(tmp_path), "--monat", "2014-01", "--jobcenter", "A"])
    assert res.exit_code == 1 and "kein amtlicher Wert" in res.output
    res = CliRunner().invoke(app, ["vergleich", "--data", str(tmp_path)])
    assert res.exit_code == 2 and "--jobcenter" in res.output
