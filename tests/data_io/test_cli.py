"""``zielwerk validate DIR``: German output, exit codes."""

from __future__ import annotations

from typer.testing import CliRunner

from zielwerk.cli import app

from .conftest import assemble_case

runner = CliRunner()


def test_valid_dataset_exit_0_with_german_summary(corpus):
    result = runner.invoke(app, ["validate", str(corpus / "office")], terminal_width=200)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "gültig" in out
    assert "Semikolon, Dezimalkomma, ASCII" in out
    assert "Semikolon, Windows-1252" in out
    assert "14 Tabellen, 49 Zeilen." in out
    assert "Datenstand (as_of): 31.12.2017 (aus dataset.toml); Stichtag: 15. des Monats." in out


def test_problems_exit_1_and_are_listed(tmp_path):
    folder = assemble_case("wrong_separator_in_row", tmp_path / "ds")
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "persons:3:-: 1 Feld statt 6 (abgeschnittene Zeile oder falsches Trennzeichen?)"
    assert lines[1] == "elb_spells:5:person_id: „P0002“ fehlt in persons.person_id"
    assert len(lines) == 5
    assert "5 Probleme gefunden" in result.output and "abgelehnt" in result.output


def test_printed_list_is_capped_with_count(tmp_path):
    folder = assemble_case("wrong_separator_in_row", tmp_path / "ds")
    result = runner.invoke(app, ["validate", str(folder), "--max-anzeige", "2"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert lines[2] == "… und 3 weitere Probleme (nicht angezeigt)"


def test_missing_folder(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nichts")])
    assert result.exit_code == 1
    assert result.stdout.startswith("dataset:0:-: Verzeichnis")


def test_warnings_do_not_fail(tmp_path):
    folder = assemble_case("household_types_overlap", tmp_path / "ds")
    result = runner.invoke(app, ["validate", str(folder)], terminal_width=200)
    assert result.exit_code == 0
    assert "Warnung: households:7:start: BG BG01 hat ab 01.01.2016 zwei Typen" in result.output
