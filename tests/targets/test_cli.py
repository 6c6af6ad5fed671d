"""CLI: ``zielwerk ziele vergleichen`` and ``pruefen`` on small files (fast)."""

from __future__ import annotations

from typer.testing import CliRunner

from zielwerk.cli import app

from .conftest import SMALL


def test_vergleichen(tmp_path):
    old, new = tmp_path / "v1.toml", tmp_path / "v2.toml"
    old.write_text(SMALL, encoding="utf-8")
    new.write_text(SMALL.replace("veraenderung_prozent = -2.0", "veraenderung_prozent = -1.5")
                   .replace('status = "entwurf"', 'status = "entwurf"\nversion = 2'), encoding="utf-8")
    res = CliRunner().invoke(app, ["ziele", "vergleichen", str(old), str(new)])
    assert res.exit_code == 0, res.output
    assert "Version 1 → Version 2: 1 Änderung" in res.output
    assert "Zielwert LZB_JD: −2,0 % → −1,5 %" in res.output  # the readable diff (targets/diff.py)


def test_pruefen_invalid_exit_code(tmp_path):
    bad = tmp_path / "z.toml"
    bad.write_text(SMALL.replace('form = "absolut"', 'form = "absolute"'), encoding="utf-8")
    res = CliRunner().invoke(app, ["ziele", "pruefen", str(bad)])
    assert res.exit_code == 1
    assert "Unbekannte Zielform 'absolute'" in res.output and "1 Problem gefunden" in res.output


def test_change_values_are_shown_in_german():
    from zielwerk.targets.model import Change

    assert Change("x", 2654.0, 2601.0).describe() == "x: 2.654 → 2.601"
    assert Change("x", -2.0, -1.25).describe() == "x: −2 → −1,25"
    assert Change("x", 1.00001, 1.5).describe() == "x: 1 → 1,5"


def test_bericht_refuses_unknown_jobcenter(tmp_path):
    from .test_local import _ds

    data = tmp_path / "daten"
    _ds().write(data)
    agreement = tmp_path / "z.toml"
    agreement.write_text(SMALL.replace('id = "J1"', 'id = "J9"'), encoding="utf-8")
    out = tmp_path / "b.pdf"
    res = CliRunner().invoke(app, ["ziele", "bericht", "--agreement", str(agreement), "--data", str(data),
                                   "--monat", "2016-06", "--out", str(out)])
    assert res.exit_code == 1
    assert "Das Jobcenter 'J9' der Zielvereinbarung kommt im Datensatz" in res.output
    assert not out.exists()
