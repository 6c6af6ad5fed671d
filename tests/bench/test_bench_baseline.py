"""The benchmark's straightforward baseline (bench/kennzahlen.py) computes the same blocks as the engine.

Checked against the independent brute-force reference (tests/indicators/reference.py) on random
datasets, for a reporting month under each regulation version (FKV 2011: K2E3 at lag 12; FKV 2019:
K2E3 in each of 6 months, § 16e new reclassified), and against the engine itself.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from indicators.randomdata import random_dataset
from indicators.reference import Ref

from bench.kennzahlen import CHECKS, baseline, compare
from zielwerk.domain.calendar import Month
from zielwerk.indicators import compute_kennzahlen


def _ref_table(ds, last: Month) -> pa.Table:
    ref = Ref(ds, last, last).compute(levels=("jobcenter", "municipality"))
    keys = list(ref)
    return pa.table({
        "unit_type": [k[0] for k in keys], "unit_id": [k[1] for k in keys], "month": [k[2] for k in keys],
        "indicator": [k[3] for k in keys], "sex": [k[4] for k in keys],
        "numerator": [ref[k][0] for k in keys], "denominator": [ref[k][1] for k in keys],
    })


def _mismatches(checks: dict) -> dict:
    return {label: c for label, c in checks.items() if c["cells_mismatch"]}


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("last", [Month(2018, 11), Month(2019, 3)])
def test_baseline_matches_bruteforce_reference(seed, last):
    ds = random_dataset(seed, n_persons=20)
    checks = compare(_ref_table(ds, last), baseline(ds, last, last), last)
    assert set(checks) == set(CHECKS)
    assert sum(c["cells"] for c in checks.values()) > 0
    assert not _mismatches(checks)


def test_baseline_matches_engine_and_detects_a_difference():
    ds = random_dataset(7, n_persons=20)
    last = Month(2019, 2)
    tbl = compute_kennzahlen(ds, last - 1, last, level="all")
    blocks = baseline(ds, last - 1, last)
    assert not _mismatches(compare(tbl, blocks, last))
    key = next(k for k in blocks if k[0] == "jobcenter" and k[2] == "all")
    blocks[key]["integ"][last.index] += 1
    bad = _mismatches(compare(tbl, blocks, last))
    assert set(bad) == {"Integrationen t−11..t (K2)"}
    assert bad["Integrationen t−11..t (K2)"]["jobcenters_mismatch"] == 1
