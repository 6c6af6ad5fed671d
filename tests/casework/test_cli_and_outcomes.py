"""``zielwerk liste`` end to end on a small dataset folder (German CSV, canonical CSV, Excel, errors)
and the outcome tracking of list members."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest
from typer.testing import CliRunner

from zielwerk.casework import outcome_summary, track_outcomes
from zielwerk.cli import app

from .helpers import d, make_ds, person, spell

SPELLS = [spell("A", "2014-01-01"), spell("B", "2014-01-01", "2015-08-31"), spell("C", "2014-01-01"),
          spell("D", "2012-01-01")]
EMPLOYMENT = [{"person_id": "C", "kind": "svb", "subsidy": "none", "start": "2015-07-20", "end": None}]


def small_ds():
    core_empty = {t: [] for t in ("households", "payments", "measures", "children")}
    return make_ds([person(p) for p in "ABCD"], SPELLS, as_of="2016-06-30", employment=EMPLOYMENT,
                   obstacles=[{"person_id": "A", "category": "health_mental", "start": "2015-01-01"}], **core_empty)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("ds")
    small_ds().write(out, "csv")
    return out


runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["liste", *map(str, args)])


def test_help_lists_all_names():
    r = run("--help")
    assert r.exit_code == 0
    for name in ("lzb-praevention", "eltern-kleinkind", "randzeiten-planung", "u25-ausbildung", "fallbelastung"):
        assert name in r.output


def test_german_csv(data_dir, tmp_path):
    out = tmp_path / "praevention.csv"
    r = run("lzb-praevention", "--data", data_dir, "--stichtag", "2015-06-15", "--out", out)
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines(), delimiter=";"))
    by = {row["Person"]: row for row in rows}
    # A, B, C all continuous since 01.01.2014 → 638th day 30.09.2015 → LZB from 15.10.2015 (A, B, C)
    assert set(by) == {"A", "B", "C"}
    assert by["A"]["LZB ab Stichtag"] == "15.10.2015"
    assert by["A"]["Handlungsbedarfe"] == "Gesundheit (psychisch)"
    assert "Ziel: Langzeitleistungsbezug" in r.output


def test_canonical_csv_and_outcomes(data_dir, tmp_path):
    out = tmp_path / "p.csv"
    r = run("lzb-praevention", "--data", data_dir, "--stichtag", "15.06.2015", "--out", out,
            "--format", "kanonisch", "--ergebnis-nach", 6)
    assert r.exit_code == 0, r.output
    rows = {row["person_id"]: row for row in csv.DictReader(out.read_text(encoding="utf-8").splitlines())}
    assert rows["A"]["lzb_from"] == "2015-10-15"
    # after 6 months (15.12.2015): A became LZB, B left receipt (31.08.), C integrated (svB 20.07.) and LZB
    assert (rows["A"]["became_lzb"], rows["A"]["integrated"]) == ("true", "false")
    assert (rows["B"]["left_receipt"], rows["B"]["became_lzb"]) == ("true", "false")
    assert rows["C"]["integrated"] == "true"
    assert "Leistungsbezug beendet: 1 (33,3 %)" in r.output


def test_xlsx(data_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "p.xlsx"
    r = run("lzb-prognose", "--data", data_dir, "--stichtag", "2015-06-15", "--out", out, "--monate", 6)
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    assert ws["A1"].value == "LZB-Zugänge (Prognose)"
    assert [c.value for c in ws[5]] == ["Monat", "voraussichtliche LZB-Zugänge", "kumuliert",
                                        "Verbleibsquote (Vorjahr)", "weitere Zugänge (Vorjahr)", "Prognose LZB-Zugänge"]
    months = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=2).value for i in range(6, 12)}
    assert months[datetime(2015, 10, 1)] == 3  # months are real dates (MM.YYYY) since issue 13


@pytest.mark.parametrize("args, code, message", [
    (("gibt-es-nicht",), 2, "Unbekannte Liste"),
    (("lzb-praevention", "--stichtag", "2015-13-01"), 2, "Ungültiges Datum"),
    (("lzb-praevention", "--stichtag", "2017-01-15"), 2, "liegt nach dem Datenstand"),
    (("lzb-prognose", "--stichtag", "2015-06-15", "--ergebnis-nach", 3), 2, "keine Personenliste"),
    (("lzb-praevention", "--stichtag", "2016-03-15", "--ergebnis-nach", 6), 2, "noch nicht auswertbar"),
])
def test_errors(data_dir, args, code, message):
    r = run(*args[:1], "--data", data_dir, *args[1:]) if len(args) > 1 else run(args[0], "--data", data_dir,
                                                                                   "--stichtag", "2015-06-15")
    assert r.exit_code == code
    assert message in r.output


def test_invalid_dataset_is_refused(data_dir, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(data_dir, bad)
    (bad / "elb_spells.csv").write_text(
        (bad / "elb_spells.csv").read_text(encoding="utf-8").replace("2014-01-01", "2014-13-01", 1), encoding="utf-8")
    out = tmp_path / "x.csv"
    r = run("lzb-praevention", "--data", bad, "--stichtag", "2015-06-15", "--out", out)
    assert r.exit_code == 1
    assert "elb_spells" in r.output and "fehlerhaft" in r.output
    assert not out.exists()  # nothing half-written


def test_outcome_summary_by_hand():
    ds = small_ds()
    oc = track_outcomes(ds, ["A", "B", "C"], d("2015-06-15"), 6)
    summ = {r["outcome"]: (r["persons"], r["share_percent"]) for r in outcome_summary(oc).to_pylist()}
    assert summ["became_lzb"] == (2, pytest.approx(200 / 3))  # A and C (integrated but still in receipt)
    assert summ["left_receipt"] == (1, pytest.approx(100 / 3))
    assert summ["integrated"] == (1, pytest.approx(100 / 3))
    assert summ["still_in_receipt"] == (2, pytest.approx(200 / 3))


def test_day_between_stichtage_uses_previous_stichtag(data_dir):
    r = run("lzb-prognose", "--data", data_dir, "--stichtag", "2015-07-10", "--ohne-zielstand")
    assert r.exit_code == 0, r.output
    assert "verwendet wird der Stichtag 15.06.2015" in r.output
    assert "Stichtag 15.06.2015" in r.output


def test_case_records_from_csv_files(data_dir, tmp_path):
    rec = tmp_path / "akten"
    rec.mkdir()
    (rec / "action_plans.csv").write_text("person_id,agreed_on,review_on\nA,2014-12-01,\nC,2015-03-01,2015-06-01\n",
                                          encoding="utf-8")
    (rec / "contacts.csv").write_text("person_id,caseworker_id,contact_date,kind,outcome\nA,CW1,2015-06-02,telefonisch,ok\n",
                                      encoding="utf-8")
    out = tmp_path / "od.csv"
    r = run("ueberpruefung-ueberfaellig", "--data", data_dir, "--stichtag", "2015-06-15", "--fallakten", rec,
            "--out", out, "--ohne-zielstand")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    # A: agreed 01.12.2014 → due 01.06.2015 (overdue 14 days); C: planned review 01.06.2015 (overdue 14 days)
    assert [(x["Person"], x["Überprüfung fällig am"], x["Tage überfällig"]) for x in rows] == [
        ("A", "01.06.2015", "14"), ("C", "01.06.2015", "14")]
    assert rows[0]["letzter Kontakt"] == "02.06.2015"
    (rec / "contacts.csv").write_text("person_id,contact_date\nA,gestern\n", encoding="utf-8")
    r = run("ueberpruefung-ueberfaellig", "--data", data_dir, "--stichtag", "2015-06-15", "--fallakten", rec)
    assert r.exit_code == 1 and "contacts.csv:2:contact_date: ungültiges Datum 'gestern'" in r.output


def test_batch_writes_lists_and_outcomes(tmp_path):
    from zielwerk.casework.batch import read_list, read_meta, write_lists

    ds = small_ds()
    meta = write_lists(ds, tmp_path / "lists", stichtag=d("2015-12-15"))
    assert read_meta(tmp_path / "lists") == meta
    assert meta["lists"]["lzb-praevention"]["rows"] == read_list(tmp_path / "lists", "lzb-praevention").num_rows
    # the prevention list of 15.06.2015 held A, B, C; by 15.12.2015 A and C became LZB, B left, C integrated
    o = meta["outcomes"]["lzb-praevention"]
    assert (o["drawn"], o["after_months"], o["persons"]) == ("2015-06-15", 6, 3)
    got = {r["outcome"]: r["persons"] for r in o["outcomes"]}
    assert got == {"integrated": 1, "left_receipt": 1, "became_lzb": 2, "still_in_receipt": 2}
    # rewriting swaps the folder atomically, no temporary folders are left
    write_lists(ds, tmp_path / "lists", stichtag=d("2015-12-15"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lists"]


def test_einschliessen(data_dir, tmp_path):
    """Issue 15: at 15.03.2016 A, C and D are LZB (eLb since 2014/2012); C works in svB since 20.07.2015 and
    is left out of lzb-ohne-massnahme by default; --einschliessen employed_svb keeps C."""
    out = tmp_path / "l.csv"
    r = run("lzb-ohne-massnahme", "--data", data_dir, "--stichtag", "2016-03-15", "--format", "kanonisch",
            "--out", out, "--ohne-zielstand")
    assert r.exit_code == 0, r.output
    assert "Nach Vorgabe ausgeschlossen: 1 Person (sozialversicherungspflichtig beschäftigt: 1)" in r.output
    with open(out, encoding="utf-8") as f:
        assert [row["person_id"] for row in csv.DictReader(f)] == ["A", "D"]
    r = run("lzb-ohne-massnahme", "--data", data_dir, "--stichtag", "2016-03-15", "--format", "kanonisch",
            "--out", out, "--ohne-zielstand", "--einschliessen", "employed_svb")
    assert r.exit_code == 0, r.output
    with open(out, encoding="utf-8") as f:
        rows = {row["person_id"]: row for row in csv.DictReader(f)}
    assert list(rows) == ["A", "C", "D"] and rows["C"]["flags"] == "employed_svb"
    assert rows["C"]["employment_status"] == "svb"
    r = run("lzb-ohne-massnahme", "--data", data_dir, "--stichtag", "2016-03-15", "--einschliessen", "rentner")
    assert r.exit_code == 2 and "Unbekannter Hinweis-Code für --einschliessen: rentner" in r.output
