"""A small national table for the peer tests: the germany scenario at scale 0,002 (407 Jobcenters,
generated once per machine into the test cache), its Kennzahlen for 2015-09..2016-09 computed by the
engine and published like the official table (values rounded to one decimal, counts to whole numbers;
money numerators to cents), with each Jobcenter's name and Vergleichstyp."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("ZIELWERK_TEST_CACHE", ROOT / ".cache" / "testdata"))
SCALE = 0.002


def _germany_dir() -> Path:
    from zielwerk.synth import GENERATOR_VERSION, generate

    out = CACHE / f"germany-scale{SCALE}-seed1-v{GENERATOR_VERSION}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".germany-small.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".complete").exists():
            generate("germany", out, seed=1, scale=SCALE)
            (out / ".complete").write_text("ok")
    return out


@pytest.fixture(scope="session")
def national_rows() -> list[dict]:
    import pyarrow.parquet as pq

    from zielwerk.data.reader import load_dataset
    from zielwerk.domain.calendar import Month
    from zielwerk.indicators import compute_kennzahlen

    folder = _germany_dir()
    ds = load_dataset(folder)
    table = compute_kennzahlen(ds, Month(2015, 9), Month(2016, 9), level="jobcenter")
    info = {j["jobcenter_id"]: j for j in pq.read_table(folder / "jobcenters.parquet").to_pylist()}
    rows = []
    for r in table.to_pylist():
        if r["unit_type"] != "jobcenter" or r["month"] not in ("2015-09", "2016-09"):
            continue
        j = info[r["unit_id"]]
        rows.append({"jobcenter_id": r["unit_id"], "jobcenter_name": j["name"], "vergleichstyp": j["vergleichstyp"],
                     "month": r["month"], "indicator": r["indicator"], "sex": r["sex"],
                     "numerator": None if r["numerator"] is None else round(r["numerator"], 2),
                     "denominator": None if r["denominator"] is None else round(r["denominator"], 2),
                     "value": None if r["value"] is None else round(r["value"], 1)})
    return rows
