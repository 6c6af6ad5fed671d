"""Optional person names (``persons.first_name``/``last_name``, docs/data.md, "Person names").

The base corpus has no name columns (a dataset without names stays valid); the files written here add
them. Expected ``table:line:column`` worked out by hand from the lines below (header = 1).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.schema import NAME_MAX_LENGTH, TABLES_BY_NAME

from .conftest import CORPUS

HEAD = "person_id,birth_date,sex,citizenship,school_degree,vocational_degree,first_name,last_name\n"
ROWS = [
    "P0001,1980-03-15,f,de,realschule,vocational,Anna,Müller",
    "P0002,1978-11-02,m,eu,hauptschule,none,Jörg,Schäfer",
    "P0003,2005-06-30,m,de,,,,",
    "P0004,1995-01-20,f,non_eu,abitur,academic,Lea,",
    "P0005,1960-07-07,d,de,none,none,,Yılmaz",
    "007,1999-12-31,m,,,,Max,Mustermann",
]


def _dataset(tmp_path: Path, rows: list[str], name: str = "d") -> Path:
    target = tmp_path / name
    shutil.copytree(CORPUS / "base", target)
    (target / "persons.csv").write_text(HEAD + "".join(r + "\n" for r in rows), encoding="utf-8")
    return target


def test_names_load(tmp_path):
    ds = load_dataset(_dataset(tmp_path, ROWS), progress=False)
    p = ds["persons"]
    assert p["first_name"].to_pylist() == ["Anna", "Jörg", None, "Lea", None, "Max"]
    assert p["last_name"].to_pylist() == ["Müller", "Schäfer", None, None, "Yılmaz", "Mustermann"]


def test_dataset_without_names_has_empty_columns():
    ds = load_dataset(CORPUS / "base", progress=False)
    assert ds["persons"]["first_name"].null_count == ds["persons"].num_rows
    assert ds["persons"]["last_name"].null_count == ds["persons"].num_rows


@pytest.mark.parametrize("fast", [True, False])
def test_too_long_name_is_reported_at_its_cell(tmp_path, fast):
    rows = list(ROWS)
    long = "A" * (NAME_MAX_LENGTH + 1)
    rows[2] = f"P0003,2005-06-30,m,de,,,Tim,{long}"  # line 4
    rep = read_dataset(_dataset(tmp_path, rows), progress=False, fast=fast)
    assert rep.dataset is None
    assert [f"{p.table}:{p.line}:{p.column}" for p in rep.problems] == ["persons:4:last_name"]
    assert f"Text zu lang ({NAME_MAX_LENGTH + 1} Zeichen, höchstens {NAME_MAX_LENGTH})" in rep.problems[0].message


@pytest.mark.parametrize("fast", [True, False])
def test_name_of_exactly_max_length_is_valid(tmp_path, fast):
    rows = list(ROWS)
    rows[2] = f"P0003,2005-06-30,m,de,,,{'ä' * NAME_MAX_LENGTH},Tim"
    rep = read_dataset(_dataset(tmp_path, rows), progress=False, fast=fast)
    assert not rep.problems and rep.dataset is not None


def _persons_parquet(tmp_path: Path, last_name: pa.Array, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(CORPUS / "base", target)
    (target / "persons.csv").unlink()
    spec = TABLES_BY_NAME["persons"]
    base = load_dataset(CORPUS / "base", progress=False)["persons"]
    cols = {c: base[c] for c in base.column_names if c in spec.column_names and c not in ("first_name", "last_name")}
    cols["last_name"] = last_name
    pq.write_table(pa.table(cols), target / "persons.parquet")
    return target


@pytest.mark.parametrize("fast", [True, False])
def test_parquet_long_name_and_non_text_column(tmp_path, fast):
    long = "B" * (NAME_MAX_LENGTH + 5)
    path = _persons_parquet(tmp_path, pa.array(["Müller", None, long, "X", "Y", "Z"]), "long")
    rep = read_dataset(path, progress=False, fast=fast)
    # Parquet has no header line: the third row is "line" 3
    assert [f"{p.table}:{p.line}:{p.column}" for p in rep.problems] == ["persons:3:last_name"]
    assert "Text zu lang" in rep.problems[0].message
    # a number column where text is expected: one German problem for the column
    path = _persons_parquet(tmp_path, pa.array([1, 2, 3, 4, 5, 6], pa.int64()), "int")
    rep = read_dataset(path, progress=False, fast=fast)
    assert rep.dataset is None
    assert [p.column for p in rep.problems] == ["last_name"]
    assert "passt nicht, erwartet Text" in rep.problems[0].message
