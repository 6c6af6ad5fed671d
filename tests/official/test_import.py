"""Importing into the store: one transaction, a re-import replaces the month, audited; the CLI (issue 14)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from zielwerk.domain.calendar import Month
from zielwerk.official.reader import OfficialFileInvalid
from zielwerk.store import official as store
from zielwerk.store.models import AuditEntry, OfficialFigure

from .conftest import write

HEAD = "Jobcenter-Schlüssel;Jobcenter;Vergleichstyp;Berichtsmonat;Kennzahl;Geschlecht;Zähler;Nenner;Wert\n"
TODAY = Month(2017, 12)

FIRST = HEAD + (
    "05970;JC Siegen;IIb;2016-08;K2;Insgesamt;1000;20000;5,0\n"
    "05970;JC Siegen;IIb;2016-09;K2;Insgesamt;1100;20000;5,5\n"
    "03151;JC Gifhorn;IIb;2016-09;K2;Insgesamt;500;10000;5,0\n"
)
# the corrected September: Siegen's value changed, Gifhorn missing, a new indicator
SECOND = HEAD + (
    "05970;JC Siegen;IIb;2016-09;K2;Insgesamt;1120;20000;5,6\n"
    "05970;JC Siegen;IIb;2016-09;K2E1;Insgesamt;200;20000;1,0\n"
)


def _cells(s):
    return sorted((f.jobcenter_id, f.month, f.indicator, f.value, f.source)
                  for f in s.scalars(select(OfficialFigure)))


def test_reimport_replaces_the_whole_month_and_is_audited(sessions, tmp_path):
    store.import_file(sessions, write(tmp_path / "erst.csv", FIRST), username="anna", today=TODAY)
    _, summary = store.import_file(sessions, write(tmp_path / "neu.csv", SECOND), username="ben", today=TODAY)
    assert summary.months == {"2016-09": (2, 2)} and summary.replaced == ["2016-09"]
    with sessions() as s:
        assert _cells(s) == [
            ("05970", "2016-08", "K2", 5.0, "erst.csv"),   # another month: untouched
            ("05970", "2016-09", "K2", 5.6, "neu.csv"),
            ("05970", "2016-09", "K2E1", 1.0, "neu.csv"),  # Gifhorn's September is gone with the old month
        ]
        entries = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "official.import")
                                 .order_by(AuditEntry.id)))
        assert [(e.username, e.object_id) for e in entries] == [("anna", "2016-08,2016-09"), ("ben", "2016-09")]
        assert entries[1].before == {"2016-09": 2}
        assert entries[1].after == {"datei": "neu.csv", "monate": {"2016-09": 2}}
        status = store.months_loaded(s)
        assert [(m.month, m.rows, m.jobcenters, m.source) for m in status] == [
            ("2016-08", 1, 1, "erst.csv"), ("2016-09", 2, 1, "neu.csv")]


def test_refused_file_changes_nothing(sessions, tmp_path):
    store.import_file(sessions, write(tmp_path / "erst.csv", FIRST), username="anna", today=TODAY)
    bad = SECOND + "05970;JC Siegen;IIb;2016-09;K2E2;Insgesamt;100;2000;99,0\n"  # line 4: 5.0 ≠ 99.0
    with pytest.raises(OfficialFileInvalid) as exc:
        store.import_file(sessions, write(tmp_path / "neu.csv", bad), username="ben", today=TODAY)
    assert [str(p)[:17] for p in exc.value.problems] == ["neu.csv:4:Wert: W"]
    with sessions() as s:
        assert [c[4] for c in _cells(s)] == ["erst.csv"] * 3
        assert s.scalar(select(AuditEntry).where(AuditEntry.username == "ben")) is None


def test_store_failure_rolls_back(sessions, tmp_path, monkeypatch):
    """A failure after the delete (here: in the audit step) leaves the old month in place."""
    store.import_file(sessions, write(tmp_path / "erst.csv", FIRST), username="anna", today=TODAY)

    def boom(*a, **k):
        raise RuntimeError("Abbruch")

    monkeypatch.setattr(store.audit, "record", boom)
    with pytest.raises(RuntimeError):
        store.import_file(sessions, write(tmp_path / "neu.csv", SECOND), username="ben", today=TODAY)
    with sessions() as s:
        assert [c[4] for c in _cells(s)] == ["erst.csv"] * 3


def test_official_table_and_jobcenters(sessions, tmp_path):
    store.import_file(sessions, write(tmp_path / "erst.csv", FIRST), username="anna", today=TODAY)
    with sessions() as s:
        tbl = store.official_table(s, ["05970"])
        assert tbl.column_names == ["unit_type", "unit_id", "month", "indicator", "sex", "numerator",
                                    "denominator", "value", "provisional"]
        assert tbl.to_pylist()[1] == {"unit_type": "jobcenter", "unit_id": "05970", "month": "2016-09",
                                      "indicator": "K2", "sex": "all", "numerator": 1100.0,
                                      "denominator": 20000.0, "value": 5.5, "provisional": False}
        assert [(j.jobcenter_id, j.name, j.vergleichstyp) for j in store.jobcenters(s, "IIb")] == [
            ("03151", "JC Gifhorn", "IIb"), ("05970", "JC Siegen", "IIb")]


def test_cli_einlesen_and_status(tmp_path):
    from zielwerk.cli import app

    data = tmp_path / "daten"
    data.mkdir()
    f = write(tmp_path / "amtlich.csv", FIRST)
    r = CliRunner().invoke(app, ["amtlich", "einlesen", str(f), "--daten", str(data)])
    assert r.exit_code == 0, r.output
    assert "3 Zeilen für 2 Jobcenter in 2 Monat(en) (2016-08 bis 2016-09) eingelesen." in r.output
    r = CliRunner().invoke(app, ["amtlich", "einlesen", str(f), "--data", str(data)])
    assert "Ersetzt (vorheriger Stand gelöscht): 2016-08, 2016-09" in r.output
    bad = write(tmp_path / "kaputt.csv", HEAD + "05970;JC;IIb;2016-09;K2;Insgesamt;7y;2;1,0\n")
    r = CliRunner().invoke(app, ["amtlich", "einlesen", str(bad), "--daten", str(data)])
    assert r.exit_code == 1
    assert "kaputt.csv:2:Zähler: Zähler ist keine Zahl im deutschen Format (z. B. 1.234,5): '7y'" in r.output
    r = CliRunner().invoke(app, ["amtlich", "status", "--daten", str(data)])
    assert r.exit_code == 0 and "2016-09" in r.output and "amtlich.csv" in r.output
    r = CliRunner().invoke(app, ["amtlich", "status", "--daten", str(tmp_path / "fehlt")])
    assert r.exit_code == 2 and "Datenordner" in r.output
