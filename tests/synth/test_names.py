"""Synthetic person names (``synth/names.py``; docs/data.md, "Person names")."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from zielwerk.synth.names import FIRST_NAMES_F, FIRST_NAMES_M, SURNAMES, person_names
from zielwerk.synth.siegen import add_names


def test_first_names_follow_sex_and_are_deterministic():
    sexes = ["f", "m", "d"] * 400
    first, last = person_names(pa.array(sexes), np.random.default_rng([1, 7]))
    first, last = first.to_pylist(), last.to_pylist()
    assert all(f in FIRST_NAMES_F for f, s in zip(first, sexes) if s == "f")
    assert all(f in FIRST_NAMES_M for f, s in zip(first, sexes) if s == "m")
    d_names = {f for f, s in zip(first, sexes) if s == "d"}
    assert d_names & set(FIRST_NAMES_F) and d_names & set(FIRST_NAMES_M)  # 400 draws from 40: both lists
    assert set(last) <= set(SURNAMES) and len(set(last)) == len(SURNAMES)  # 1,200 draws cover all 30
    again = person_names(pa.array(sexes), np.random.default_rng([1, 7]))
    assert again[0].to_pylist() == first and again[1].to_pylist() == last


def test_add_names_changes_only_the_name_columns():
    from zielwerk.data.dataset import arrow_schema
    from zielwerk.data.schema import TABLES_BY_NAME

    schema = arrow_schema(TABLES_BY_NAME["persons"])
    base = {"person_id": ["P1", "P2"], "birth_date": [date(1980, 1, 1), date(1990, 5, 5)], "sex": ["f", "m"],
            "citizenship": ["de", None], "school_degree": [None, "abitur"], "vocational_degree": [None, None]}
    tbl = pa.Table.from_arrays([pa.array(base.get(f.name, [None, None]), f.type) for f in schema], schema=schema)
    tables = {"persons": tbl}
    add_names(tables, seed=1)
    out = tables["persons"]
    assert out.schema == schema
    for c in base:
        assert out[c].equals(tbl[c]), c
    assert out["first_name"].to_pylist()[0] in FIRST_NAMES_F and out["first_name"].to_pylist()[1] in FIRST_NAMES_M


def test_siegen_persons_have_names(siegen_dir):
    t = pacsv.read_csv(siegen_dir / "persons.csv")
    assert t["first_name"].null_count == 0 and t["last_name"].null_count == 0
    first, sex = t["first_name"].to_pylist(), t["sex"].to_pylist()
    assert all(f in FIRST_NAMES_F for f, s in zip(first, sex) if s == "f")
    assert all(f in FIRST_NAMES_M for f, s in zip(first, sex) if s == "m")
    assert set(t["last_name"].to_pylist()) <= set(SURNAMES)
