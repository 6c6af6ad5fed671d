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
