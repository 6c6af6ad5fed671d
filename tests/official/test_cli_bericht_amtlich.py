"""``zielwerk ziele bericht --daten D`` where D holds only the store with official figures (``zielwerk amtlich
einlesen``) and no dataset: an agreement with ``reihe = "amtlich"`` gets its report (issue 14 item 5); one
on the own series a clear German error.

Figures: ``test_series._rows`` (Jobcenter 09999): K2E1 of September 2016 published as 1150 of 10000 = 11,5 %,
target 12,0 % with the additive seasonal path 11,7 % (worked out in test_series); K2 650 of 10000 = 6,5 %
against the flat target 8,0 %.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

from typer.testing import CliRunner

from zielwerk.domain import german
from zielwerk.targets.fileformat import dumps_agreement

from .conftest import write
from .test_series import _agreement, _rows

HEAD = "Jobcenter-Schlüssel;Jobcenter;Vergleichstyp;Berichtsmonat;Kennzahl;Geschlecht;Zähler;Nenner;Wert\n"


def _official_csv(path):
    lines = [f"{r.jobcenter_id};{r.jobcenter_name};{r.vergleichstyp};{r.month};{r.indicator};Insgesamt;"
             f"{r.numerator:.0f};{r.denominator:.0f};{german.num(r.value, 1)}\n" for r in _rows()]
    return write(path, HEAD + "".join(lines))


def _setup(tmp_path):
    from zielwerk.cli import app

    data = tmp_path / "daten"
    data.mkdir()
    r = CliRunner().invoke(app, ["amtlich", "einlesen", str(_official_csv(tmp_path / "amtlich.csv")),
                                 "--daten", str(data)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in data.iterdir() if not p.name.startswith(".")) == ["zielwerk.db"]  # no dataset
    return app, data


def test_report_from_official_figures_only(tmp_path):
    app, data = _setup(tmp_path)
    toml = tmp_path / "ziele.toml"
    toml.write_text(dumps_agreement(_agreement()), "utf-8")
    out = tmp_path / "bericht.pdf"
    r = CliRunner().invoke(app, ["ziele", "bericht", "--zielvereinbarung", str(toml), "--daten", str(data),
                                 "--monat", "2016-09", "--ausgabe", str(out)])
    assert r.exit_code == 0, r.output
    assert "Bericht 2016-09 geschrieben" in r.output and "amtliche Statistik" in r.output
    from pypdf import PdfReader

    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages))
    assert "Datengrundlage: amtliche Statistik der BA" in text
    assert re.search(r"K2E1 12,0 % 11,5 % 11,7 %", text), text[:1500]  # target, actual, path
    assert re.search(r"K2 8,0 % 6,5 % 8,0 %", text), text[:1500]
    assert "Keine personenbezogenen Daten" in text and "Abgleich: keine eigenen Daten" in text
    # Excel and HTML as well
    for suffix in (".xlsx", ".html"):
        r = CliRunner().invoke(app, ["ziele", "bericht", "--zielvereinbarung", str(toml), "--daten", str(data),
                                     "--monat", "2016-09", "--ausgabe", str(tmp_path / f"b{suffix}")])
        assert r.exit_code == 0, r.output
    # a month not yet published
    r = CliRunner().invoke(app, ["ziele", "bericht", "--zielvereinbarung", str(toml), "--daten", str(data),
                                 "--monat", "2016-10", "--ausgabe", str(out)])
    assert r.exit_code == 2 and "Für Oktober 2016 liegen noch keine amtlichen Kennzahlen vor" in r.output


def test_own_series_agreement_needs_a_dataset(tmp_path):
    app, data = _setup(tmp_path)
    toml = tmp_path / "ziele.toml"
    toml.write_text(dumps_agreement(replace(_agreement(), series="eigen")), "utf-8")
    out = tmp_path / "bericht.pdf"
    r = CliRunner().invoke(app, ["ziele", "bericht", "--zielvereinbarung", str(toml), "--daten", str(data),
                                 "--monat", "2016-09", "--ausgabe", str(out)])
    assert r.exit_code == 1 and not out.exists()
    assert "kein Datensatz" in r.output and 'reihe = "amtlich"' in r.output


def test_official_agreement_of_a_jobcenter_without_figures(tmp_path):
    app, data = _setup(tmp_path)
    toml = tmp_path / "ziele.toml"
    toml.write_text(dumps_agreement(replace(_agreement(), jobcenter_id="07777")), "utf-8")
    r = CliRunner().invoke(app, ["ziele", "bericht", "--zielvereinbarung", str(toml), "--daten", str(data),
                                 "--monat", "2016-09", "--ausgabe", str(tmp_path / "b.pdf")])
    assert r.exit_code == 1 and "keine amtlichen Kennzahlen für das Jobcenter 07777" in r.output
