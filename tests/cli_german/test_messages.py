"""click's and typer's own messages (usage, help, errors) appear in German."""

from __future__ import annotations

from typer.testing import CliRunner

from zielwerk.cli import app


def _run(args):
    result = CliRunner().invoke(app, args)
    return result, result.output


def test_missing_option_german():
    result, out = _run(["kennzahlen"])
    assert result.exit_code == 2
    assert "Fehlende Option" in out and "--data" in out
    assert "Missing option" not in out and "Usage:" not in out and "Error" not in out
    assert "Aufruf:" in out and "Fehler" in out


def test_unknown_option_german():
    result, out = _run(["kennzahlen", "--gibtsnicht", "1"])
    assert result.exit_code == 2
    assert "Unbekannte Option" in out and "--gibtsnicht" in out
    assert "No such option" not in out and "Possible options" not in out


def test_unknown_command_german():
    result, out = _run(["gibtsnicht"])
    assert result.exit_code == 2
    assert "Unbekannter Befehl" in out and "No such command" not in out


def test_invalid_number_german():
    result, out = _run(["serve", "--port", "abc"])
    assert result.exit_code == 2
    assert "Ungültiger Wert" in out and "--port" in out
    assert "Invalid value" not in out and "Input should be" not in out


def test_help_german():
    result, out = _run(["--help"])
    assert result.exit_code == 0
    assert "Show this message and exit" not in out and "Usage:" not in out
    assert "Diese Hilfe anzeigen und beenden." in out and "Aufruf:" in out
    assert "Optionen" in out and "Befehle" in out and "Commands" not in out
    result, out = _run(["kennzahlen", "--help"])
    assert "[Pflicht]" in out and "[required]" not in out and "[default:" not in out


def test_german_option_names_and_english_aliases(tmp_path):
    # both names reach the same option: the German name is shown first, the English one still works
    outputs = []
    for name in ("--daten", "--data"):
        result, out = _run(["kennzahlen", name, str(tmp_path / "fehlt"), "--von", "2016-01", "--bis", "2016-02",
                            "--ausgabe", str(tmp_path / "k.csv")])
        assert "Unbekannte Option" not in out and "Fehlende Option" not in out, out
        outputs.append((result.exit_code, out))
    assert outputs[0] == outputs[1]
    result, out = _run(["kennzahlen", "--help"])
    for german in ("--daten", "--von", "--bis", "--ebene", "--ausgabe"):
        assert german in out
    _result, out = _run(["kennzahlen"])
    assert "'--daten' / '--data'" in out
