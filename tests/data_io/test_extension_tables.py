"""The optional extension tables of issue 15 (docs/data.md, "Extension tables"): unemployment spells,
school attendance, § 10 exemptions, profile stages, action plan periods, and the § 16a instrument codes.

Every dataset is the hand-written valid base corpus plus the files written here; the expected
``table:line:column`` of each malformed case is worked out by hand from the lines below (header = 1).
Both validation paths (fast and exact) and CSV and Parquet must give the same problems, and nothing
is loaded when there is one.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from zielwerk.data.dataset import arrow_schema
from zielwerk.data.reader import load_dataset, read_dataset
from zielwerk.data.schema import EXTENSION_TABLES, TABLES_BY_NAME

from .conftest import CORPUS

VALID = {
    "unemployment_spells": (
        "person_id,start,end\n"
        "P0001,2014-01-01,2014-12-31\n"
        "P0001,2015-02-01,\n"
        "P0002,2015-03-01,2016-01-31\n"
    ),
    "school_attendance": (
        "person_id,school_type,start,end\n"
        "P0003,general,2011-08-01,\n"
        "P0004,vocational,2011-08-01,2014-07-31\n"
    ),
    "exemptions": (
        "person_id,reason,start,end\n"
        "P0001,child_under_3,2014-01-01,2015-01-31\n"
        "P0005,care_of_relative,2016-01-01,\n"
        "P0004,school_training,2012-01-01,2014-07-31\n"
    ),
    "profile_stages": (
        "person_id,stage,assessed_on\n"
        "P0001,development,2014-01-10\n"
        "P0001,promotion,2015-06-01\n"
        "P0002,market,2015-03-05\n"
    ),
    "action_plan_periods": (
        "person_id,start,end\n"
        "P0001,2014-02-01,2014-07-31\n"
        "P0002,2015-04-01,\n"
    ),
}


def _dataset(tmp_path: Path, files: dict[str, str], name: str = "d") -> Path:
    target = tmp_path / name
    shutil.copytree(CORPUS / "base", target)
    for table, text in files.items():
        (target / f"{table}.csv").write_text(text, encoding="utf-8")
    return target


def _positions(path: Path, fast: bool = True) -> set[str]:
    rep = read_dataset(path, progress=False, fast=fast)
    assert rep.dataset is None or not rep.problems
    return {f"{p.table}:{p.line}:{p.column}" for p in rep.problems}


def test_valid_extension_tables_load(tmp_path):
    ds = load_dataset(_dataset(tmp_path, VALID), progress=False)
    for t in EXTENSION_TABLES:
        assert ds.has(t)
    assert ds["unemployment_spells"].num_rows == 3
    assert ds["unemployment_spells"].column("end").to_pylist() == [date(2014, 12, 31), None, date(2016, 1, 31)]
    assert ds["school_attendance"].column("school_type").to_pylist() == ["general", "vocational"]
    assert ds["exemptions"].column("reason").to_pylist() == ["child_under_3", "care_of_relative", "school_training"]
    assert ds["profile_stages"].column("assessed_on").to_pylist()[1] == date(2015, 6, 1)
    assert ds["action_plan_periods"].num_rows == 2


def test_extension_tables_are_optional(tmp_path):
    ds = load_dataset(_dataset(tmp_path, {}), progress=False)
    for t in EXTENSION_TABLES:
        assert not ds.has(t) and ds[t].num_rows == 0
    # the base corpus has no § 16a rows, a measures file with them is valid
    files = {"measures": "person_id,instrument,start,end\nP0001,16a_debt,2015-05-01,2015-07-31\n"
                         "P0005,16a_addiction,2016-02-01,\nP0002,16a_childcare,2016-09-01,\n"
                         "P0004,16a_psychosocial,2016-01-01,2016-03-31\n"}
    ds = load_dataset(_dataset(tmp_path, files, "m"), progress=False)
    assert ds["measures"].column("instrument").to_pylist()[0] == "16a_debt"


# case -> (files replacing the valid ones, expected positions, fragment of the first message)
CASES = {
    "unemployment_overlap": (
        {"unemployment_spells": "person_id,start,end\nP0001,2014-01-01,2014-12-31\nP0002,2015-03-01,\n"
                                "P0001,2014-12-31,2015-03-31\n"},
        {"unemployment_spells:4:start"},
        "überschneidet sich mit dem Zeitraum in Zeile 2 (Person P0001) ab 31.12.2014",
    ),
    "unemployment_end_before_start": (
        {"unemployment_spells": "person_id,start,end\nP0001,2014-01-01,2013-12-31\n"},
        {"unemployment_spells:2:end"},
        "Ende 31.12.2013 liegt vor dem Beginn 01.01.2014",
    ),
    "unemployment_unknown_person": (
        {"unemployment_spells": "person_id,start,end\nP0001,2014-01-01,\nP0999,2014-01-01,\n"},
        {"unemployment_spells:3:person_id"},
        "„P0999“ fehlt in persons.person_id",
    ),
    "unemployment_missing_start": (
        {"unemployment_spells": "person_id,start,end\nP0001,,2014-12-31\n"},
        {"unemployment_spells:2:start"},
        "Pflichtwert fehlt",
    ),
    "school_unknown_type": (
        {"school_attendance": "person_id,school_type,start,end\nP0003,general,2011-08-01,\n"
                              "P0004,university,2011-08-01,2014-07-31\n"},
        {"school_attendance:3:school_type"},
        "unbekannter Code „university“ (erlaubt: general, vocational, other)",
    ),
    "school_missing_column": (
        {"school_attendance": "person_id,start,end\nP0003,2011-08-01,\n"},
        {"school_attendance:1:school_type"},
        "Pflichtspalte fehlt",
    ),
    "school_bad_date": (
        {"school_attendance": "person_id,school_type,start,end\nP0003,general,2011-02-30,\n"},
        {"school_attendance:2:start"},
        "ungültiges Datum „2011-02-30“",
    ),
    "exemption_unknown_reason": (
        {"exemptions": "person_id,reason,start,end\nP0001,child_under_3,2014-01-01,\nP0005,illness,2016-01-01,\n"},
        {"exemptions:3:reason"},
        "unbekannter Code „illness“ (erlaubt: child_under_3, care_of_relative, school_training, other)",
    ),
    "exemption_missing_reason": (
        {"exemptions": "person_id,reason,start,end\nP0001,,2014-01-01,\n"},
        {"exemptions:2:reason"},
        "Pflichtwert fehlt",
    ),
    "profile_unknown_stage": (
        {"profile_stages": "person_id,stage,assessed_on\nP0001,Marktprofil,2014-01-10\n"},
        {"profile_stages:2:stage"},
        "unbekannter Code „Marktprofil“ (erlaubt: market, activation, promotion, development, stabilisation, support)",
    ),
    "profile_duplicate_day": (
        {"profile_stages": "person_id,stage,assessed_on\nP0001,development,2014-01-10\nP0002,market,2015-03-05\n"
                           "P0001,promotion,2014-01-10\n"},
        {"profile_stages:4:assessed_on"},
        "doppelter Schlüssel (person_id und assessed_on) „P0001, 2014-01-10“, schon in Zeile 2",
    ),
    "profile_missing_date": (
        {"profile_stages": "person_id,stage,assessed_on\nP0001,development,\n"},
        {"profile_stages:2:assessed_on"},
        "Pflichtwert fehlt",
    ),
    "action_plan_end_before_start": (
        {"action_plan_periods": "person_id,start,end\nP0001,2014-02-01,2014-07-31\nP0002,2015-04-01,2015-03-31\n"},
        {"action_plan_periods:3:end"},
        "Ende 31.03.2015 liegt vor dem Beginn 01.04.2015",
    ),
    "action_plan_wrong_fields": (
        {"action_plan_periods": "person_id,start,end\nP0001,2014-02-01\n"},
        {"action_plan_periods:2:-"},
        "2 Felder statt 3",
    ),
    "measures_unknown_16a": (
        {"measures": "person_id,instrument,start,end\nP0001,16a_housing,2015-05-01,2015-07-31\n"},
        {"measures:2:instrument"},
        "unbekannter Code „16a_housing“",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fast", [True, False])
def test_malformed_extension_tables(tmp_path, case, fast):
    files, expected, fragment = CASES[case]
    path = _dataset(tmp_path, {**VALID, **files})
    rep = read_dataset(path, progress=False, fast=fast)
    assert rep.dataset is None  # nothing half-loaded
    assert {f"{p.table}:{p.line}:{p.column}" for p in rep.problems} == expected
    assert fragment in rep.problems[0].message


def _as_parquet(directory: Path) -> None:
    """Every extension CSV of ``directory`` → canonical Parquet (native types)."""
    for t in EXTENSION_TABLES:
        csv = directory / f"{t}.csv"
        if not csv.exists():
            continue
        schema = arrow_schema(TABLES_BY_NAME[t])
        raw = pacsv.read_csv(csv, convert_options=pacsv.ConvertOptions(
            column_types={f.name: pa.string() for f in schema}, strings_can_be_null=True))
        cols = [raw.column(f.name).cast(f.type) if f.name in raw.column_names else pa.nulls(raw.num_rows, f.type)
                for f in schema]
        pq.write_table(pa.Table.from_arrays(cols, schema=schema), directory / f"{t}.parquet")
        csv.unlink()


@pytest.mark.parametrize("case", ["unemployment_overlap", "profile_duplicate_day", "unemployment_unknown_person",
                                  "action_plan_end_before_start"])
def test_malformed_extension_parquet_same_positions(tmp_path, case):
    files, expected, _ = CASES[case]
    path = _dataset(tmp_path, {**VALID, **files})
    _as_parquet(path)
    assert (path / "profile_stages.parquet").exists()
    # Parquet: the row number from 1, i.e. the CSV line − 1 (no header line)
    rows = set()
    for pos in expected:
        t, line, col = pos.split(":")
        rows.add(f"{t}:{int(line) - 1}:{col}")
    for fast in (True, False):
        assert _positions(path, fast) == rows


def test_valid_extension_parquet_file_backed(tmp_path):
    path = _dataset(tmp_path, VALID)
    _as_parquet(path)
    ds = load_dataset(path, progress=False)
    assert ds.parquet_path("unemployment_spells") is not None
    assert ds["profile_stages"].column("stage").to_pylist() == ["development", "promotion", "market"]
