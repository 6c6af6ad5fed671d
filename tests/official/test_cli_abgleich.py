"""``zielwerk amtlich abgleich``: the live generation's own figures beside the stored official ones."""

from __future__ import annotations

import pyarrow as pa
from typer.testing import CliRunner

from zielwerk.store import official as store

from .conftest import write

HEAD = "Jobcenter-Schlüssel;Jobcenter;Vergleichstyp;Berichtsmonat;Kennzahl;Geschlecht;Zähler;Nenner;Wert\n"


def test_cli_abgleich(tmp_path):
    from zielwerk.cli import app
    from zielwerk.domain.calendar import Month
    from zielwerk.store import default_url, open_store
    from zielwerk.web.results import write_results

    data = tmp_path / "daten"
    data.mkdir()
    r = CliRunner().invoke(app, ["amtlich", "abgleich", "--daten", str(data)])
    assert r.exit_code == 2 and "keine eigenen Kennzahlen" in r.output
    # own: K2 1234/20000 = 6.17 % (Rundung against 6,2) and K2E1 1200/20000 = 6.0 % (Nacherfassung against
    # 1230/20000 = 6,2), September 2016
    own = pa.Table.from_pylist([
        {"unit_type": "jobcenter", "unit_id": "05970", "month": "2016-09", "indicator": code, "sex": "all",
         "numerator": n, "denominator": 20000.0, "value": n / 200, "provisional": False}
        for code, n in (("K2", 1234.0), ("K2E1", 1200.0))])
    write_results(data, own, pa.table({"x": pa.array([], pa.string())}), {"as_of": "2016-12-31"})
    engine, sessions = open_store(default_url(data))
    store.import_file(sessions, write(tmp_path / "a.csv", HEAD + (
        "05970;JC;IIb;2016-09;K2;Insgesamt;1234;20000;6,2\n"
        "05970;JC;IIb;2016-09;K2E1;Insgesamt;1230;20000;6,2\n")), username="t", today=Month(2017, 12))
    engine.dispose()
    r = CliRunner().invoke(app, ["amtlich", "abgleich", "--daten", str(data)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == "Abgleich Jobcenter 05970, 2016-09 (Differenz = eigener − amtlicher Wert):"
    assert lines[2].split() == ["K2", "Insgesamt", "6,2", "%", "6,2", "%", "−0,03", "Pp.", "Rundung"]
    assert lines[3].split() == ["K2E1", "Insgesamt", "6,0", "%", "6,2", "%", "−0,20", "Pp.", "Nacherfassung"]
    assert lines[4] == "Zusammen: Monat lokal noch vorläufig 0, Rundung 1, Nacherfassung 1, Abgrenzung/Definition 0"
