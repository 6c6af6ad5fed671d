"""The engine scans validated Parquet files in place; the figures equal those from the in-memory tables."""

from __future__ import annotations

import pyarrow.parquet as pq

from zielwerk.data.dataset import empty_table
from zielwerk.data.reader import load_dataset
from zielwerk.data.schema import TABLES
from zielwerk.domain.calendar import Month
from zielwerk.indicators import compute_kennzahlen, jahresfortschritt

from .randomdata import random_dataset


def test_parquet_backed_dataset_gives_the_same_figures(tmp_path):
    mem = random_dataset(3, n_persons=40)
    mem.write(tmp_path, fmt="parquet")
    for spec in TABLES:  # required tables the random data does not fill
        if spec.required and not (tmp_path / f"{spec.name}.parquet").exists():
            pq.write_table(empty_table(spec.name), tmp_path / f"{spec.name}.parquet")
    disk = load_dataset(tmp_path)
    assert disk.parquet_path("elb_spells") is not None and disk.parquet_path("payments") is not None
    first, last = Month(2018, 10), Month(2019, 3)
    assert compute_kennzahlen(disk, first, last).to_pylist() == compute_kennzahlen(mem, first, last).to_pylist()
    assert jahresfortschritt(disk, 2019, Month(2019, 3)).to_pylist() == \
        jahresfortschritt(mem, 2019, Month(2019, 3)).to_pylist()


def test_dataset_without_units_gives_only_the_total():
    from datetime import date

    from zielwerk.data.dataset import Dataset

    ds = Dataset.from_rows({"persons": []}, as_of=date(2019, 6, 30))
    tbl = compute_kennzahlen(ds, Month(2019, 1), Month(2019, 2), indicators=["K3"])
    rows = tbl.to_pylist()
    # 2 months × 3 sexes, all counts 0 and the change rate undefined
    assert {r["unit_type"] for r in rows} == {"total"} and len(rows) == 6
    assert all(r["numerator"] == 0 and r["denominator"] == 0 and r["value"] is None for r in rows)
