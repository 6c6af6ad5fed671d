"""The fast checks (``zielwerk.data.fastcheck``) against the exact path.

The fast path only ever decides "no problem here"; whenever a file or rule holds a problem, the exact
path must run and give exactly the same ``table:line:column: message`` – also when the problem lies
deep in a big file, in a later Parquet row group, a later key batch or a later CSV block. Expected
lines are worked out from how the files are built; ``fast=False`` (every file and rule on the exact
path) must agree.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from zielwerk.data import csvread, fastcheck
from zielwerk.data.dataset import arrow_schema
from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.schema import TABLES_BY_NAME

N_BG = 2_000  # BGs; payments: 12 months each → 24,000 rows
ROW_GROUP = 5_000  # rows per Parquet row group: payments span 5 row groups
MONTHS = [f"2016-{m:02d}" for m in range(1, 13)]


def _rows() -> dict[str, list[dict]]:
    """A valid dataset, every key table sorted by its key: person Pxxxx is eLb head of BG Bxxxx."""
    ids = [f"{i:05d}" for i in range(N_BG)]
    return {
        "jobcenters": [{"jobcenter_id": "05970", "name": "JC Siegen-Wittgenstein", "form": "zkT"}],
        "municipalities": [{"municipality_id": "05970004", "name": "Bad Berleburg", "jobcenter_id": "05970"}],
        "persons": [{"person_id": f"P{i}", "birth_date": date(1980, 1, 1), "sex": "f"} for i in ids],
        "elb_spells": [
            {"person_id": f"P{i}", "bg_id": f"B{i}", "municipality_id": "05970004", "status": "elb",
             "role": "head", "start": date(2015, 1, 1), "end": None}
            for i in ids
        ],
        "households": [{"bg_id": f"B{i}", "bg_type": "single", "start": date(2015, 1, 1), "end": None}
                       for i in ids],
        "payments": [
            {"bg_id": f"B{i}", "month": m, "municipality_id": "05970004", "llu": 400.0, "luh": 300.0}
            for i in ids for m in MONTHS
        ],
        "employment": [{"person_id": "P00003", "kind": "svb", "subsidy": "none",
                        "start": date(2016, 2, 1), "end": None}],
        "measures": [{"person_id": "P00004", "instrument": "activation",
                      "start": date(2016, 3, 1), "end": date(2016, 4, 30)}],
        "children": [{"person_id": "P00005", "child_birth_date": date(2012, 5, 5)}],
    }


def _write_parquet(rows: dict[str, list[dict]], folder: Path) -> Path:
    """Canonical Parquet, values exactly as given (not typed), ``ROW_GROUP`` rows per row group."""
    folder.mkdir(parents=True)
    for name, table_rows in rows.items():
        schema = arrow_schema(TABLES_BY_NAME[name])
        cols = {f.name: pa.array([r.get(f.name) for r in table_rows], type=f.type) for f in schema}
        pq.write_table(pa.table(cols, schema=schema), folder / f"{name}.parquet", row_group_size=ROW_GROUP)
    (folder / "dataset.toml").write_text("as_of = 2016-12-31\n")
    return folder


def _write_csv(rows: dict[str, list[dict]], folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, table_rows in rows.items():
        names = TABLES_BY_NAME[name].column_names
        lines = [",".join(names)]
        for r in table_rows:
            lines.append(",".join("" if r.get(c) is None else str(r.get(c)) for c in names))
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "dataset.toml").write_text("as_of = 2016-12-31\n")
    return folder


def _both(folder: Path) -> list[str]:
    """The problems as text, after checking that the fast and the exact path agree exactly."""
    fast = read_dataset(folder, per_check=5)
    exact = read_dataset(folder, per_check=5, fast=False)
    assert fast.total_problems == exact.total_problems
    assert fast.problems == exact.problems
    assert fast.warnings == exact.warnings
    return [str(p) for p in fast.problems]


# --- a clean big dataset: proven clean, loads the same on both paths ---------------------------------


def test_clean_big_dataset_loads_the_same_on_both_paths(tmp_path):
    folder = _write_parquet(_rows(), tmp_path / "d")
    assert pq.ParquetFile(folder / "payments.parquet").num_row_groups == 5
    fast, exact = load_dataset(folder), load_dataset(folder, fast=False)
    for name in ("persons", "elb_spells", "payments"):
        assert fast.parquet_path(name) == folder / f"{name}.parquet"  # the original, not a copy
        assert fast[name].equals(exact[name])
    assert fast.as_of == exact.as_of == date(2016, 12, 31)


def test_latest_date_without_settings_comes_from_the_fast_scan(tmp_path):
    rows = _rows()
    rows["measures"][0]["end"] = date(2018, 2, 3)
    folder = _write_parquet(rows, tmp_path / "d")
    (folder / "dataset.toml").unlink()
    assert load_dataset(folder).as_of == date(2018, 2, 3)
    assert load_dataset(folder, fast=False).as_of == date(2018, 2, 3)


# --- a problem in row N of a big Parquet file (later row groups) -------------------------------------

# payments row index r = 12 * bg + (month - 1); Parquet line = r + 1
ROW = 12 * 1_834 + 6  # BG B01834, 2016-07: row 22014, fifth row group
LINE = ROW + 1


def test_bad_month_in_a_later_row_group(tmp_path):
    rows = _rows()
    rows["payments"][ROW]["month"] = "2016-13"
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        f"payments:{LINE}:month: ungültiger Monat „2016-13“ (erwartet JJJJ-MM)",
    ]


def test_unknown_code_and_missing_value_in_later_row_groups(tmp_path):
    rows = _rows()
    rows["elb_spells"][1_999]["role"] = "boss"  # last row: line 2000
    rows["persons"][1_500]["sex"] = None  # line 1501
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        "persons:1501:sex: Pflichtwert fehlt",
        "elb_spells:2000:role: unbekannter Code „boss“ (erlaubt: head, partner, child, other)",
    ]


def test_date_out_of_range_in_a_later_row_group(tmp_path):
    rows = _rows()
    rows["persons"][1_999]["birth_date"] = date(1850, 1, 1)
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        "persons:2000:birth_date: Datum „1850-01-01“ außerhalb 1900–2100",
    ]


def test_duplicate_key_in_a_sorted_file_deep_down(tmp_path):
    rows = _rows()
    rows["payments"][ROW + 1]["month"] = rows["payments"][ROW]["month"]  # (B01834, 2016-07) twice
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        (f"payments:{LINE + 1}:month: doppelter Schlüssel (bg_id und month) „B01834, 2016-07“, "
        f"schon in Zeile {LINE}"),
    ]


def test_duplicate_key_far_apart_in_an_unsorted_file(tmp_path):
    rows = _rows()
    rows["persons"][1_900]["person_id"] = "P00010"  # unsorted now, and P00010 twice
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        "persons:1901:person_id: doppelter Schlüssel (person_id) „P00010“, schon in Zeile 11",
        # P01900's spell now refers to a person that no longer exists
        "elb_spells:1901:person_id: „P01900“ fehlt in persons.person_id",
    ]


def test_missing_references_in_a_sorted_file_deep_down(tmp_path):
    rows = _rows()
    first = 12 * 1_834  # (B01834, 2016-01)
    rows["payments"][first]["bg_id"] = "B01833Z"  # still sorted: B01833 < B01833Z < B01834
    rows["payments"][ROW]["municipality_id"] = "05970999"
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        f"payments:{first + 1}:bg_id: „B01833Z“ fehlt in elb_spells.bg_id",
        f"payments:{LINE}:municipality_id: „05970999“ fehlt in municipalities.municipality_id",
    ]


def test_empty_optional_value_is_typed_the_same(tmp_path):
    rows = _rows()
    rows["persons"][1_999]["citizenship"] = ""  # becomes missing: no problem, but a changed value
    folder = _write_parquet(rows, tmp_path / "d")
    assert _both(folder) == []
    fast, exact = load_dataset(folder), load_dataset(folder, fast=False)
    assert fast.parquet_path("persons") != folder / "persons.parquet"  # a normalised copy
    assert fast["persons"]["citizenship"][1_999].as_py() is None
    assert fast["persons"].equals(exact["persons"])


def test_office_month_is_typed_the_same(tmp_path):
    rows = _rows()
    rows["payments"][ROW]["month"] = "7.2016"
    folder = _write_parquet(rows, tmp_path / "d")
    assert _both(folder) == []
    ds = load_dataset(folder)
    assert ds["payments"]["month"][ROW].as_py() == "2016-07"


def test_overlapping_spells_deep_down(tmp_path):
    rows = _rows()
    spell = rows["elb_spells"][1_999]  # P01999 in B01999 since 2015-01-01, line 2000
    rows["elb_spells"].append(dict(spell, role="partner", start=date(2016, 6, 1)))  # line 2001
    rows["elb_spells"].append(dict(rows["elb_spells"][1_998], bg_id="B01999", status="nef", role="child",
                                   start=date(2016, 6, 1)))  # line 2002: P01998, eLb in B01998 (line 1999)
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        ("elb_spells:2001:start: überschneidet sich mit dem Zeitraum in Zeile 2000 (Person P01999, BG B01999) "
        "ab 01.06.2016"),
        "elb_spells:2002:status: Person P01998 ist am 01.06.2016 zugleich nEf (diese Zeile) und eLb (Zeile 1999)",
    ]


def test_overlap_in_a_sorted_file_deep_down(tmp_path):
    rows = _rows()
    # a second spell of P01834 right after its first (line 1835): still sorted by person and start
    rows["elb_spells"].insert(1_835, dict(rows["elb_spells"][1_834], start=date(2016, 6, 1)))  # line 1836
    assert _both(_write_parquet(rows, tmp_path / "d")) == [
        ("elb_spells:1836:start: überschneidet sich mit dem Zeitraum in Zeile 1835 (Person P01834, BG B01834) "
        "ab 01.06.2016"),
    ]


def test_household_types_overlapping_deep_down_is_a_warning(tmp_path):
    rows = _rows()
    rows["households"].append({"bg_id": "B01000", "bg_type": "couple", "start": date(2016, 1, 1), "end": None})
    folder = _write_parquet(rows, tmp_path / "d")
    assert _both(folder) == []
    report = read_dataset(folder)
    assert [str(w) for w in report.warnings] == [
        "households:2001:start: BG B01000 hat ab 01.01.2016 zwei Typen: überschneidet sich mit Zeile 1001",
    ]


# --- the same in CSV: problems in later blocks ----------------------------------------------------------


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 64 * 1024)  # payments.csv (≈ 1 MB) spans many blocks
    monkeypatch.setattr(fastcheck, "KEY_BATCH_ROWS", 1_000)  # and many key batches


def test_csv_duplicate_key_deep_down(tmp_path, small_blocks):
    rows = _rows()
    rows["payments"][ROW + 1]["month"] = rows["payments"][ROW]["month"]
    # CSV line = row index + 2 (header is line 1)
    assert _both(_write_csv(rows, tmp_path / "d")) == [
        (f"payments:{ROW + 3}:month: doppelter Schlüssel (bg_id und month) „B01834, 2016-07“, "
        f"schon in Zeile {ROW + 2}"),
    ]


def test_csv_duplicate_key_across_a_key_batch_boundary(tmp_path, small_blocks):
    rows = _rows()
    # rows 999 and 1000 are the last of the first key batch and the first of the second
    rows["payments"][1_000] = dict(rows["payments"][999])
    assert _both(_write_csv(rows, tmp_path / "d")) == [
        "payments:1002:month: doppelter Schlüssel (bg_id und month) „B00083, 2016-04“, schon in Zeile 1001",
    ]


def test_csv_structural_error_deep_down(tmp_path, small_blocks):
    rows = _rows()
    folder = _write_csv(rows, tmp_path / "d")
    lines = (folder / "payments.csv").read_text().splitlines()
    lines[ROW + 1] = "B01834,2016-07,05970004,400.0"  # line ROW + 2: one field short
    (folder / "payments.csv").write_text("\n".join(lines) + "\n")
    assert _both(folder) == [
        f"payments:{ROW + 2}:-: 4 Felder statt 5 (abgeschnittene Zeile oder falsches Trennzeichen?)",
    ]


# --- the key order check against a brute force -----------------------------------------------------------


def _brute_increasing(keys: list[tuple]) -> bool:
    if any(v is None for k in keys for v in k):
        return False
    return all(a < b for a, b in itertools.pairwise(keys))


@pytest.mark.parametrize("seed", range(40))
def test_key_order_check_matches_brute_force(seed, monkeypatch, tmp_path):
    rng = random.Random(seed)
    monkeypatch.setattr(fastcheck, "KEY_BATCH_ROWS", rng.choice([1, 2, 3, 7, 50]))
    n = rng.randint(0, 40)
    alphabet = rng.choice([["a", "b"], ["a", "b", "c", "ab", ""], ["x"]])
    keys = sorted({(rng.choice(alphabet), rng.choice(alphabet)) for _ in range(n)})
    if keys and rng.random() < 0.6:  # break it: a duplicate, a swap or a missing value somewhere
        i = rng.randrange(len(keys))
        kind = rng.choice(["dup", "swap", "null"])
        if kind == "dup":
            keys.insert(i, keys[i])
        elif kind == "swap" and len(keys) > 1:
            j = rng.randrange(len(keys))
            keys[i], keys[j] = keys[j], keys[i]
        else:
            keys[i] = (keys[i][0], None)
    table = pa.table({"k0": [k[0] for k in keys], "k1": [k[1] for k in keys]},
                     schema=pa.schema([("k0", pa.string()), ("k1", pa.string())]))
    assert fastcheck.keys_strictly_increasing(table, None, ("k0", "k1")) == _brute_increasing(keys)
    one = [(k[0],) for k in keys]
    assert fastcheck.keys_strictly_increasing(table, None, ("k0",)) == _brute_increasing(one)
    # the same from a Parquet file (dictionary-encoded, read as dictionaries), several row groups
    path = tmp_path / "k.parquet"
    pq.write_table(table, path, row_group_size=rng.choice([1, 2, 5, 100]))
    assert fastcheck.keys_strictly_increasing(None, path, ("k0", "k1")) == _brute_increasing(keys)
    assert fastcheck.keys_strictly_increasing(None, path, ("k0",)) == _brute_increasing(one)


def test_key_order_check_reads_parquet_row_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(fastcheck, "KEY_BATCH_ROWS", 3)
    path = tmp_path / "k.parquet"
    values = [f"K{i:03d}" for i in range(20)]
    pq.write_table(pa.table({"k": values}), path, row_group_size=4)
    assert fastcheck.keys_strictly_increasing(None, path, ("k",))
    values[9] = values[8]  # equal neighbours inside a batch
    pq.write_table(pa.table({"k": values}), path, row_group_size=4)
    assert not fastcheck.keys_strictly_increasing(None, path, ("k",))


# --- what the fast scan accepts -------------------------------------------------------------------------


@pytest.mark.parametrize("statistics", [True, False])  # DuckDB answers from the statistics, or reads
@pytest.mark.parametrize(
    ("table", "column", "value", "clean"),
    [
        ("payments", "month", "2016-01", True),
        ("payments", "month", "1.2016", False),  # office month: rewritten by typing
        ("payments", "month", "2016-1", False),
        ("payments", "month", "1899-12", False),
        ("payments", "month", "٢٠١٦-01", False),  # Arabic-Indic digits are not digits of the contract
        ("payments", "month", "", False),
        ("payments", "municipality_id", "", False),
        ("payments", "bg_id", None, False),
        ("payments", "llu", None, False),
        ("payments", "luh", float("nan"), True),  # not checked by the contract path either
        ("elb_spells", "status", "ELB", False),
        ("elb_spells", "role", "", False),
        ("elb_spells", "start", date(1899, 12, 31), False),
        ("elb_spells", "end", date(2101, 1, 1), False),
        ("elb_spells", "end", None, True),
        ("elb_spells", "start", None, False),
        ("persons", "citizenship", "", False),  # optional, but "" becomes missing: a change
        ("persons", "citizenship", "xx", False),
        ("persons", "citizenship", "de", True),
    ],
)
def test_clean_parquet_is_conservative(tmp_path, table, column, value, clean, statistics):
    rows = _rows()[table][:30]
    rows[17] = dict(rows[17], **{column: value})
    folder = tmp_path / "d"
    folder.mkdir()
    schema = arrow_schema(TABLES_BY_NAME[table])
    cols = {f.name: pa.array([r.get(f.name) for r in rows], type=f.type) for f in schema}
    path = folder / f"{table}.parquet"
    pq.write_table(pa.table(cols, schema=schema), path, row_group_size=8, write_statistics=statistics)
    con = fastcheck.connect()
    try:
        got = fastcheck.clean_parquet(con, TABLES_BY_NAME[table], path, 30)
    finally:
        con.close()
    assert (got is not None) == clean
    if clean:
        assert got.rows == 30
        # the latest date of the file: birth dates 1980-01-01, spells from 2015-01-01, payments none
        assert got.latest == {"payments": None, "elb_spells": date(2015, 1, 1), "persons": date(1980, 1, 1)}[table]


# --- the period order check: whenever it answers True, no two periods of a group overlap (brute force)


def _brute_overlap_free(rows: list[tuple]) -> bool:
    """No missing group/start, no end before start, no two periods of a group sharing a day."""
    if any(g is None or s is None or (e is not None and e < s) for g, s, e in rows):
        return False
    far = date(9999, 12, 31)
    for (g1, s1, e1), (g2, s2, e2) in itertools.combinations(rows, 2):
        if g1 == g2 and s1 <= (e2 or far) and s2 <= (e1 or far):
            return False
    return True


@pytest.mark.parametrize("seed", range(100))
def test_period_order_check_is_sound(seed, monkeypatch, tmp_path):
    rng = random.Random(seed)
    monkeypatch.setattr(fastcheck, "KEY_BATCH_ROWS", rng.choice([1, 2, 3, 50]))
    rows = []
    for g in sorted(rng.sample(["a", "b", "c", "ab", "ba"], rng.randint(1, 4))):
        day = rng.randint(0, 20)
        for _ in range(rng.randint(1, 4)):  # disjoint periods in order, the last one maybe open
            length = rng.randint(0, 10)
            rows.append((g, date(2016, 1, 1) + timedelta(days=day),
                         date(2016, 1, 1) + timedelta(days=day + length)))
            day += length + rng.randint(1, 5)
        if rng.random() < 0.3:
            rows[-1] = (rows[-1][0], rows[-1][1], None)
    disturbed = rng.random() < 0.7
    if disturbed:  # one change anywhere: shift a start, drop an end, swap two rows, or a missing value
        i = rng.randrange(len(rows))
        g, s, e = rows[i]
        kind = rng.choice(["start", "end", "swap", "null", "touch", "backwards"])
        if kind == "touch" and i > 0 and rows[i - 1][0] == g and rows[i - 1][2] is not None:
            rows[i] = (g, rows[i - 1][2], e if e is None or e >= rows[i - 1][2] else None)  # one common day
        elif kind == "backwards":
            rows[i] = (g, s, s - timedelta(days=1))  # ends before it starts
        elif kind == "start":
            rows[i] = (g, s - timedelta(days=rng.randint(1, 30)), e)
        elif kind == "end":
            rows[i] = (g, s, None)
        elif kind == "swap":
            j = rng.randrange(len(rows))
            rows[i], rows[j] = rows[j], rows[i]
        else:
            rows[i] = (g, None, e)
    table = pa.table({"g": [r[0] for r in rows], "start": pa.array([r[1] for r in rows], pa.date32()),
                      "end": pa.array([r[2] for r in rows], pa.date32())})
    path = tmp_path / "p.parquet"
    pq.write_table(table, path, row_group_size=rng.choice([1, 2, 5, 100]))
    for answer in (fastcheck.periods_disjoint(table, None, "g"), fastcheck.periods_disjoint(None, path, "g")):
        if answer:
            assert _brute_overlap_free(rows)
        if not disturbed:
            assert answer  # sorted, disjoint periods are recognised
