"""File-backed Parquet tables (docs/data.md, "Große Datensätze / file-backed tables").

Canonical Parquet files are checked batch by batch and stay on disk; these tests compare what the
streamed path reports and returns with values worked out by hand and with the in-memory path
(``file_backed=False``, the reader as it was before), which shares no code with the streaming.
"""

from __future__ import annotations

import gc
import os
import weakref
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zielwerk.data import dataset as dataset_module
from zielwerk.data import reader
from zielwerk.data.dataset import Dataset, FileChangedError, arrow_schema
from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.schema import TABLES_BY_NAME
from zielwerk.data.validate import DatasetInvalid

N_PERSONS = 12
CORE = ("jobcenters", "municipalities", "persons", "elb_spells", "households", "payments",
        "employment", "measures", "children")


def _rows() -> dict[str, list[dict]]:
    """A small valid dataset: person i (0-based) is eLb in BG i from 2015-01-01, one payment per month."""
    persons = [
        {"person_id": f"P{i:02d}", "birth_date": date(1970 + i, 1 + i % 12, 1 + i),
         "sex": "fm"[i % 2], "citizenship": "de" if i % 3 else None}
        for i in range(N_PERSONS)
    ]
    spells = [
        {"person_id": f"P{i:02d}", "bg_id": f"B{i:02d}", "municipality_id": "05970004",
         "status": "elb", "role": "head", "start": date(2015, 1, 1), "end": None if i % 2 else date(2016, 6, 30)}
        for i in range(N_PERSONS)
    ]
    households = [{"bg_id": f"B{i:02d}", "bg_type": "single", "start": date(2015, 1, 1), "end": None}
                  for i in range(N_PERSONS)]
    payments = [
        {"bg_id": f"B{i:02d}", "month": f"2016-{m:02d}", "municipality_id": "05970004",
         "llu": 400.0 + i + m / 4, "luh": 300.5}
        for i in range(N_PERSONS) for m in (1, 2, 3)
    ]
    return {
        "jobcenters": [{"jobcenter_id": "05970", "name": "JC Siegen-Wittgenstein", "form": "zkT"}],
        "municipalities": [{"municipality_id": "05970004", "name": "Bad Berleburg", "jobcenter_id": "05970"}],
        "persons": persons,
        "elb_spells": spells,
        "households": households,
        "payments": payments,
        "employment": [{"person_id": "P03", "kind": "svb", "subsidy": "none",
                        "start": date(2016, 2, 1), "end": None}],
        "measures": [{"person_id": "P04", "instrument": "activation",
                      "start": date(2016, 3, 1), "end": date(2016, 4, 30)}],
        "children": [{"person_id": "P05", "child_birth_date": date(2012, 5, 5)}],
    }


def _write(ds: Dataset, folder: Path, row_group_size: int = 4) -> Path:
    """Every table as canonical Parquet with small row groups (several batches per file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ds.present:
        pq.write_table(ds[name], folder / f"{name}.parquet", row_group_size=row_group_size)
    (folder / "dataset.toml").write_text(f"as_of = {ds.as_of.isoformat()}\nstichtag_day = 15\n")
    return folder


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 4 rows, so that any table of this test spans several batches."""
    monkeypatch.setattr(reader, "STREAM_BATCH_ROWS", 4)


@pytest.fixture
def spy(monkeypatch):
    """Names of the tables read as a whole (the in-memory path)."""
    calls: list[str] = []
    original = reader._read_parquet

    def wrapped(spec, path, problems, advance):
        calls.append(spec.name)
        return original(spec, path, problems, advance)

    monkeypatch.setattr(reader, "_read_parquet", wrapped)
    return calls


def _table(name: str, rows: list[dict]) -> pa.Table:
    return Dataset.from_rows({name: rows})[name]


# (a) canonical Parquet loads file-backed and equals the in-memory dataset -----------------------


def test_canonical_parquet_is_file_backed_and_equals_rows(tmp_path, small_batches, spy):
    expected = Dataset.from_rows(_rows())
    folder = _write(expected, tmp_path / "d")
    ds = load_dataset(folder)
    assert spy == []  # no table was read as a whole
    assert ds.present == frozenset(CORE)
    for name in CORE:
        path = ds.parquet_path(name)
        assert path == folder / f"{name}.parquet"
        assert pq.read_schema(path).remove_metadata() == arrow_schema(TABLES_BY_NAME[name])
        assert ds[name].equals(expected[name]), name
        assert ds.tables[name].schema == arrow_schema(TABLES_BY_NAME[name])
        assert ds.num_rows(name) == expected[name].num_rows
    # absent casework tables stay empty and in memory
    assert ds.parquet_path("caseworkers") is None and ds["caseworkers"].num_rows == 0
    assert (ds.as_of, ds.stichtag_day) == (expected.as_of, 15)
    # the same data through CSV (the unchanged text path) gives the same tables
    csv_folder = tmp_path / "csv"
    expected.write(csv_folder, "csv")
    via_csv = load_dataset(csv_folder)
    for name in CORE:
        assert ds[name].equals(via_csv[name]), name


def test_default_as_of_is_the_latest_date_of_the_files(tmp_path):
    rows = _rows()
    rows["measures"][0]["end"] = date(2018, 2, 3)  # the latest date anywhere
    folder = _write(Dataset.from_rows(rows), tmp_path / "d")
    (folder / "dataset.toml").unlink()
    assert load_dataset(folder).as_of == date(2018, 2, 3)


def test_big_file_backed_table_is_not_pinned(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset_module, "KEEP_ROWS", 10)  # payments (36 rows) counts as big
    folder = _write(Dataset.from_rows(_rows()), tmp_path / "d")
    ds = load_dataset(folder)
    first = ds["payments"]
    assert ds["payments"] is first  # one copy while a caller holds it
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None  # the Dataset did not keep it
    assert ds["payments"].num_rows == 3 * N_PERSONS
    small = ds["jobcenters"]
    ref = weakref.ref(small)
    del small
    gc.collect()
    assert ref() is not None and ds["jobcenters"] is ref()  # small tables are kept once read


def test_changed_file_is_refused_after_loading(tmp_path):
    folder = _write(Dataset.from_rows(_rows()), tmp_path / "d")
    ds = load_dataset(folder)
    path = folder / "persons.parquet"
    st = path.stat()
    pq.write_table(pq.read_table(path).slice(0, 3), path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(FileChangedError, match="nach dem Laden geändert"):
        ds.parquet_path("persons")
    with pytest.raises(FileChangedError):
        ds["persons"]


def test_write_copies_file_backed_tables(tmp_path):
    expected = Dataset.from_rows(_rows())
    ds = load_dataset(_write(expected, tmp_path / "d"))
    ds.write(tmp_path / "copy", "parquet")
    again = load_dataset(tmp_path / "copy")
    for name in CORE:
        assert again[name].equals(expected[name]), name


# (b) a bad value in a later row group: right line, nothing returned -----------------------------


def test_unknown_code_in_later_row_group(tmp_path, small_batches, spy):
    rows = _rows()
    rows["persons"][9]["sex"] = "x"  # row index 9: third row group (rows 8–11), Parquet line 10
    folder = _write(Dataset.from_rows(rows), tmp_path / "d")
    assert pq.ParquetFile(folder / "persons.parquet").num_row_groups == 3
    report = read_dataset(folder)
    assert spy == []
    assert report.dataset is None and report.total_problems == 1
    assert [(p.table, p.line, p.column) for p in report.problems] == [("persons", 10, "sex")]
    assert "„x“" in report.problems[0].message
    with pytest.raises(DatasetInvalid):
        load_dataset(folder)


def test_rules_over_the_file_report_file_lines(tmp_path, small_batches, spy):
    rows = _rows()
    # payments row i*3 + m-1 is (B<i>, 2016-0<m>): rows 6 (B02) and 30 (B10) are both 2016-01
    rows["payments"][30]["bg_id"] = "B02"  # duplicate key (B02, 2016-01): line 31, first at line 7
    rows["elb_spells"][7]["end"] = date(2014, 12, 31)  # end before start, row 7 → line 8
    rows["measures"][0]["person_id"] = "P99"  # unknown person, line 1
    folder = _write(Dataset.from_rows(rows), tmp_path / "d")
    report = read_dataset(folder)
    assert spy == []
    assert report.dataset is None
    got = {(p.table, p.line, p.column) for p in report.problems}
    assert got == {("payments", 31, "month"), ("elb_spells", 8, "end"), ("measures", 1, "person_id")}
    dup = next(p for p in report.problems if p.table == "payments")
    assert "schon in Zeile 7" in dup.message


# The streamed path against the in-memory path on the same broken files ---------------------------

def _mutate_bad_month(rows):
    rows["payments"][25]["month"] = "2016-13"


def _mutate_old_date(rows):
    rows["persons"][6]["birth_date"] = date(1850, 1, 1)
    rows["elb_spells"][6]["start"] = date(1850, 1, 1)


def _mutate_empty_required(rows):
    rows["elb_spells"][10]["role"] = ""


def _mutate_overlap(rows):
    rows["elb_spells"].append(dict(rows["elb_spells"][1], start=date(2016, 1, 1)))


def _mutate_many_bad(rows):
    for r in rows["payments"]:
        r["month"] = "16-" + r["month"]


def _mutate_elb_nef(rows):
    rows["elb_spells"].append(dict(rows["elb_spells"][3], bg_id="B00", status="nef", role="child"))


MUTATIONS = {
    "bad_month": _mutate_bad_month,
    "old_date": _mutate_old_date,
    "empty_required": _mutate_empty_required,
    "overlap": _mutate_overlap,
    "many_bad_capped": _mutate_many_bad,
    "elb_and_nef": _mutate_elb_nef,
}


def _raw_write(rows: dict[str, list[dict]], folder: Path) -> Path:
    """Write rows as canonical Parquet without typing them (keeps "" and bad months as they are)."""
    folder.mkdir(parents=True)
    for name, table_rows in rows.items():
        schema = arrow_schema(TABLES_BY_NAME[name])
        cols = {f.name: pa.array([r.get(f.name) for r in table_rows], type=f.type) for f in schema}
        pq.write_table(pa.table(cols, schema=schema), folder / f"{name}.parquet", row_group_size=4)
    return folder


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_streamed_problems_equal_in_memory_problems(tmp_path, small_batches, spy, case):
    rows = _rows()
    MUTATIONS[case](rows)
    folder = _raw_write(rows, tmp_path / "d")
    streamed = read_dataset(folder, per_check=5)
    assert spy == []
    in_memory = read_dataset(folder, per_check=5, file_backed=False)
    assert len(spy) == len(CORE)
    assert streamed.dataset is None and in_memory.dataset is None
    assert streamed.total_problems == in_memory.total_problems > 0
    assert streamed.problems == in_memory.problems
    assert streamed.warnings == in_memory.warnings


def test_cap_per_check_spans_batches(tmp_path, small_batches):
    rows = _rows()
    _mutate_many_bad(rows)  # every one of the 36 payments has a bad month
    report = read_dataset(_raw_write(rows, tmp_path / "d"), per_check=5)
    months = [p for p in report.problems if p.column == "month"]
    assert [p.line for p in months] == [1, 2, 3, 4, 5]  # the first five rows, not five per batch
    assert report.total_problems == 3 * N_PERSONS


def test_values_changed_by_typing_are_served_typed(tmp_path, small_batches):
    """An empty optional value becomes missing and MM.YYYY becomes YYYY-MM, as in the in-memory path."""
    rows = _rows()
    rows["persons"][5]["citizenship"] = ""
    rows["payments"][13]["month"] = "02.2016"  # row 13 is (B04, 2016-02)
    folder = _raw_write(rows, tmp_path / "d")
    ds = load_dataset(folder)
    reference = load_dataset(folder, file_backed=False)
    for name in CORE:
        assert ds[name].equals(reference[name]), name
    assert ds["persons"]["citizenship"][5].as_py() is None
    assert ds["payments"]["month"][13].as_py() == "2016-02"
    # the file behind the table holds the typed values (a normalised copy), the original is untouched
    path = ds.parquet_path("payments")
    assert path is not None and path != folder / "payments.parquet"
    assert pq.read_table(path)["month"][13].as_py() == "2016-02"
    assert pq.read_table(folder / "payments.parquet")["month"][13].as_py() == "02.2016"
    assert ds.parquet_path("households") == folder / "households.parquet"


# (c) a non-canonical file still loads, in memory ---------------------------------------------------


def test_non_canonical_types_use_the_in_memory_path(tmp_path, spy):
    expected = Dataset.from_rows(_rows())
    folder = _write(expected, tmp_path / "d")
    persons = expected["persons"]
    # dates as timestamps and columns reordered: valid, but not the canonical schema
    ts = persons.set_column(1, "birth_date", persons["birth_date"].cast(pa.timestamp("ms")))
    pq.write_table(ts, folder / "persons.parquet")
    spells = expected["elb_spells"]
    pq.write_table(spells.select(list(reversed(spells.column_names))), folder / "elb_spells.parquet")
    ds = load_dataset(folder)
    assert sorted(spy) == ["elb_spells", "persons"]
    for name in ("persons", "elb_spells"):
        assert ds.parquet_path(name) is None
        assert ds[name].equals(expected[name]), name
    assert ds.parquet_path("payments") is not None


def test_corrupt_parquet_reports_as_before(tmp_path):
    folder = _write(Dataset.from_rows(_rows()), tmp_path / "d")
    data = (folder / "payments.parquet").read_bytes()
    (folder / "payments.parquet").write_bytes(data[: len(data) // 2])
    streamed = read_dataset(folder)
    in_memory = read_dataset(folder, file_backed=False)
    assert streamed.dataset is None
    assert [(p.table, p.line, p.column) for p in streamed.problems] == [("payments", 0, "-")]
    assert streamed.problems == in_memory.problems
