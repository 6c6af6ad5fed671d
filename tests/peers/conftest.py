"""A small national table for the peer tests: the germany scenario at scale 0,002 (407 Jobcenters,
generated once per machine into the test cache): its official table ``amtliche-kennzahlen.csv`` (written by
the generator) for 2015-09 and 2016-09, or — for a generator that writes none — its Kennzahlen computed by
the engine and rounded as published, with each Jobcenter's name and Vergleichstyp."""

from __future__ import annotations

from pathlib import Path

import pytest

MONTHS = ("2015-09", "2016-09")
SEXES = {"Insgesamt": "all", "Frauen": "f", "Männer": "m", "all": "all", "f": "f", "m": "m"}


def _number(text: str) -> float | None:
    text = text.strip()
    if not text or text in ("*", "-", "–", "x", "."):
        return None
    return float(text.replace(".", "").replace(",", ".")) if "," in text else float(text)


def _official_csv_rows(path: Path) -> list[dict]:
    """The months of :data:`MONTHS` of the synthetic official table ``amtliche-kennzahlen.csv`` (written by
    ``zielwerk generate``; German layout: semicolons, decimal comma), parsed here on its own."""
    import csv

    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}
        for rec in reader:
            month = rec[col["Berichtsmonat"]]
            if month not in MONTHS:
                continue
            rows.append({"jobcenter_id": rec[col["Jobcenter-Schlüssel"]], "jobcenter_name": rec[col["Jobcenter"]],
                         "vergleichstyp": rec[col["Vergleichstyp"]] or None, "month": month,
                         "indicator": rec[col["Kennzahl"]], "sex": SEXES[rec[col["Geschlecht"]]],
                         "numerator": _number(rec[col["Zähler"]]), "denominator": _number(rec[col["Nenner"]]),
                         "value": _number(rec[col["Wert"]])})
    return rows


def _engine_rows(folder: Path) -> list[dict]:
    """The national table computed by the engine and rounded as published (before the generator wrote
    the official table)."""
    import pyarrow.parquet as pq

    from zielwerk.data.reader import load_dataset
    from zielwerk.domain.calendar import Month
    from zielwerk.indicators import compute_kennzahlen

    ds = load_dataset(folder)
    table = compute_kennzahlen(ds, Month(2015, 9), Month(2016, 9), level="jobcenter")
    info = {j["jobcenter_id"]: j for j in pq.read_table(folder / "jobcenters.parquet").to_pylist()}
    rows = []
    for r in table.to_pylist():
        if r["unit_type"] != "jobcenter" or r["month"] not in MONTHS:
            continue
        j = info[r["unit_id"]]
        rows.append({"jobcenter_id": r["unit_id"], "jobcenter_name": j["name"], "vergleichstyp": j["vergleichstyp"],
                     "month": r["month"], "indicator": r["indicator"], "sex": r["sex"],
                     "numerator": None if r["numerator"] is None else round(r["numerator"], 2),
                     "denominator": None if r["denominator"] is None else round(r["denominator"], 2),
                     "value": None if r["value"] is None else round(r["value"], 1)})
    return rows


@pytest.fixture(scope="session")
def national_rows(germany_small_dir) -> list[dict]:
    """The synthetic national table of 2015-09 and 2016-09: the generator's official table if it writes
    one (issue 14 item 2), else the engine's figures rounded as published."""
    folder = germany_small_dir
    official = folder / "amtliche-kennzahlen.csv"
    return _official_csv_rows(official) if official.exists() else _engine_rows(folder)
