"""CLI commands end to end (real reader), output formats, and plausibility on Siegen-Wittgenstein."""

from __future__ import annotations

import csv
from datetime import date

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from zielwerk.cli import app
from zielwerk.domain.calendar import Month

from .test_conventions import make

runner = CliRunner()


@pytest.fixture()
def small_dir(tmp_path):
    ds = make([("p1", "b1", "A1", "2014-01-01", None), ("p2", "b2", "B1", "2016-02-01", "2016-08-31")],
              employment=[("p2", "svb", "none", "2016-04-01", None)],
              payments=[("b1", "2015-06", "A1", 400.0, 300.0), ("b1", "2016-06", "A1", 500.0, 300.0)],
              as_of=date(2016, 12, 31))
    d = tmp_path / "data"
    ds.write(d, "csv")
    return d


def test_kennzahlen_cli_csv_parquet_xlsx(small_dir, tmp_path):
    out = tmp_path / "k.csv"
    res = runner.invoke(app, ["kennzahlen", "--data", str(small_dir), "--from", "2016-06", "--to", "2016-07",
                              "--level", "jobcenter", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Zeilen" in res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    k1 = [r for r in rows if r["indicator"] == "K1" and r["unit_id"] == "J1" and r["month"] == "2016-06"]
    assert len(k1) == 1 and float(k1[0]["value"]) == 25.0 and k1[0]["provisional"] == "false"
    # K2 2016-06 J2: p2's integration in 2016-04 (in stock at S_03) over average stock S_2015-06..S_2016-05
    # = 4 months (S_02 = 15.02. .. S_05) / 12 = 1/3 → 300 %
    k2 = [r for r in rows if r["indicator"] == "K2" and r["unit_id"] == "J2" and r["month"] == "2016-06"
          and r["sex"] == "all"]
    assert float(k2[0]["numerator"]) == 1 and float(k2[0]["denominator"]) == pytest.approx(1 / 3)
    assert float(k2[0]["value"]) == pytest.approx(300.0)
    # empty value where the denominator is 0
    assert any(r["value"] == "" for r in rows)

    pq_out = tmp_path / "k.parquet"
    assert runner.invoke(app, ["kennzahlen", "--data", str(small_dir), "--from", "2016-06", "--to", "2016-06",
                               "--out", str(pq_out)]).exit_code == 0
    assert pq.read_table(pq_out).column_names[:3] == ["unit_type", "unit_id", "month"]

    from openpyxl import load_workbook

    x_out = tmp_path / "k.xlsx"
    res = runner.invoke(app, ["kennzahlen", "--data", str(small_dir), "--from", "2016-06", "--to", "2016-06",
                              "--level", "municipality", "--out", str(x_out)])
    assert res.exit_code == 0, res.output
    ws = load_workbook(x_out).active
    assert [c.value for c in ws[1]] == ["Ebene", "Einheit", "Monat", "Kennzahl", "Bezeichnung", "Geschlecht",
                                        "Zähler", "Nenner", "Wert", "vorläufig"]
    assert ws["A2"].value == "Insgesamt" and ws["I2"].number_format == "0.0"  # rates: one decimal


def test_lzb_cli(small_dir, tmp_path):
    out = tmp_path / "lzb.csv"
    res = runner.invoke(app, ["lzb", "--data", str(small_dir), "--stichtag", "2016-06-15", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "15.06.2016: 2 eLb, davon 1 Langzeitleistungsbeziehende" in res.output
    rows = {r["person_id"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["p1"]["is_lzb"] == "true" and rows["p1"]["lzb_from"] == "2016-06-15"
    # p2: 01.02.–15.06.2016 = 136 days; 502 more → 30.10.2017 → Stichtag 15.11.2017
    assert rows["p2"]["elb_days_730"] == "136" and rows["p2"]["lzb_from"] == "2017-11-15"


def test_cli_errors_are_german(small_dir, tmp_path):
    res = runner.invoke(app, ["kennzahlen", "--data", str(small_dir), "--from", "2016-06", "--to", "2016-06",
                              "--out", str(tmp_path / "k.txt")])
    assert res.exit_code != 0 and "Unbekanntes Ausgabeformat" in res.output
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in small_dir.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    (bad / "elb_spells.csv").write_text((small_dir / "elb_spells.csv").read_text().replace("2016-08-31", "2015-01-01"))
    res = runner.invoke(app, ["kennzahlen", "--data", str(bad), "--from", "2016-06", "--to", "2016-06",
                              "--out", str(tmp_path / "k.csv")])
    assert res.exit_code == 1 and "elb_spells" in res.output and "ungültig" in res.output
    assert not (tmp_path / "k.csv").exists()


@pytest.mark.slow
def test_siegen_wittgenstein_2016_plausible(siegen_dataset):
    from zielwerk.indicators import compute_kennzahlen

    t = compute_kennzahlen(siegen_dataset, Month(2016, 1), Month(2016, 12), level="jobcenter")
    rows = [r for r in t.to_pylist() if r["unit_type"] == "total" and r["sex"] == "all"]
    k3 = [r for r in rows if r["indicator"] == "K3"]
    # LZB stock (K3 numerator) near 7,000 in every month of 2016 (domain.md § 1)
    assert all(6000 <= r["numerator"] <= 8000 for r in k3)
    k2 = {r["month"]: r for r in rows if r["indicator"] == "K2"}
    k2f = [r for r in t.to_pylist() if r["indicator"] == "K2" and r["sex"] == "f" and r["unit_type"] == "total"]
    k2m = [r for r in t.to_pylist() if r["indicator"] == "K2" and r["sex"] == "m" and r["unit_type"] == "total"]
    # women integrate less often than men (domain.md § 1: about 20 % vs 30 %)
    assert all(f["value"] < m["value"] for f, m in zip(k2f, k2m))
    assert 5 < k2["2016-12"]["value"] < 40
    assert all(r["provisional"] is False for r in rows)


@pytest.mark.slow
def test_siegen_wittgenstein_k2_in_target_band(siegen_dataset):
    from zielwerk.indicators import compute_kennzahlen

    t = compute_kennzahlen(siegen_dataset, Month(2016, 12), Month(2016, 12), level="jobcenter", indicators=["K2"])
    v = next(r["value"] for r in t.to_pylist() if r["unit_type"] == "total" and r["sex"] == "all")
    assert 24 <= v <= 28
