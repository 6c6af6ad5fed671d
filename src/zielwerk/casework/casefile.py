"""Case files for the web: the tables the case view needs, stored so that one person is cheap to read.

The web application must not load the full dataset per request. The batch therefore writes, with
:func:`write_case_files`, one Parquet file per table into a folder (atomically: temporary folder,
then rename):

* ``persons``, ``elb_spells``, ``obstacles``, ``measures``, ``employment``, ``children``,
  ``assignments`` and ``status`` (the engine's status table at the case-view day) sorted by
  ``person_id``;
* ``bg_spells`` (the eLb spells again, sorted by ``bg_id``) and ``households`` sorted by ``bg_id``,
  for the household members;
* ``caseworkers`` (small) and ``meta.json`` (day, as-of date, Stichtag day).

Sorted files with small row groups carry min/max statistics per row group, so a pyarrow filter
(``person_id = X``) reads only the row groups that can hold X. :func:`read_case_view` builds a
small :class:`Dataset` of one person (and their households' members) from them and runs
:func:`zielwerk.casework.caseview.case_view` on it with the stored engine status — the same logic
as on the full dataset, without asking the engine again.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from zielwerk.atomic import atomic_directory
from zielwerk.data.dataset import Dataset

from .caseview import CaseView, case_view
from .common import STATUS_EXTENSION_TABLES, lzb_status
from .records import CaseRecords

#: tables stored sorted by person_id
#: the extension tables of issue 15 the status columns read, stored sorted by person_id when present
EXTENSION_TABLES = STATUS_EXTENSION_TABLES
BY_PERSON = ("persons", "elb_spells", "obstacles", "measures", "employment", "children", "assignments")
#: rows per row group: small groups make the person filter read little
ROW_GROUP = 4096


def _sorted(tbl: pa.Table, key: str) -> pa.Table:
    return tbl.sort_by([(key, "ascending")]) if tbl.num_rows else tbl


def write_case_files(ds: Dataset, out_dir: str | Path, day: date | None = None) -> dict:
    """Write the case-view tables of ``ds`` for ``day`` (default: the as-of date); returns the meta data."""
    day = day or ds.as_of
    meta = {"day": day.isoformat(), "as_of": ds.as_of.isoformat(), "stichtag_day": ds.stichtag_day}
    with atomic_directory(out_dir) as tmp:
        for name in BY_PERSON:
            pq.write_table(_sorted(ds[name], "person_id"), tmp / f"{name}.parquet", row_group_size=ROW_GROUP)
        for name in EXTENSION_TABLES:  # only those the dataset has: absent stays "nicht erfasst"
            if ds.has(name):
                pq.write_table(_sorted(ds[name], "person_id"), tmp / f"{name}.parquet", row_group_size=ROW_GROUP)
        pq.write_table(_sorted(ds["elb_spells"], "bg_id"), tmp / "bg_spells.parquet", row_group_size=ROW_GROUP)
        pq.write_table(_sorted(ds["households"], "bg_id"), tmp / "households.parquet", row_group_size=ROW_GROUP)
        pq.write_table(ds["caseworkers"], tmp / "caseworkers.parquet")
        pq.write_table(_sorted(lzb_status(ds, day), "person_id"), tmp / "status.parquet", row_group_size=ROW_GROUP)
        (tmp / "meta.json").write_text(json.dumps(meta), "utf-8")
    return meta


def read_meta(out_dir: str | Path) -> dict | None:
    p = Path(out_dir) / "meta.json"
    return json.loads(p.read_text("utf-8")) if p.exists() else None


def _read(folder: Path, name: str, column: str, values: list[str]) -> pa.Table:
    path = folder / f"{name}.parquet"
    if not values:
        return pq.read_schema(path).empty_table()
    flt = [(column, "=", values[0])] if len(values) == 1 else [(column, "in", values)]
    return pq.read_table(path, filters=flt)


def read_case_view(out_dir: str | Path, person_id: str, records: CaseRecords | None = None) -> CaseView | None:
    """The case view of one person from the stored case files; ``None`` if no files were written.

    Raises :class:`zielwerk.casework.caseview.PersonNotFound` if the person is not in the files.
    """
    folder = Path(out_dir)
    meta = read_meta(folder)
    if meta is None:
        return None
    tables = {name: _read(folder, name, "person_id", [person_id]) for name in BY_PERSON}
    tables.update({name: _read(folder, name, "person_id", [person_id]) for name in EXTENSION_TABLES
                   if (folder / f"{name}.parquet").exists()})
    bgs = sorted(set(tables["elb_spells"]["bg_id"].to_pylist()))
    # the person's spells are part of their BGs' spells: read those as the dataset's elb_spells
    tables["elb_spells"] = _read(folder, "bg_spells", "bg_id", bgs)
    tables["households"] = _read(folder, "households", "bg_id", bgs)
    # the BG members' persons too: their birth dates give the children under 3 in the household (flags)
    members = sorted(set(tables["elb_spells"]["person_id"].to_pylist()) | {person_id})
    tables["persons"] = _read(folder, "persons", "person_id", members)
    tables["caseworkers"] = pq.read_table(folder / "caseworkers.parquet")
    day = date.fromisoformat(meta["day"])
    mini = Dataset.from_tables(tables, as_of=date.fromisoformat(meta["as_of"]), stichtag_day=meta["stichtag_day"])
    status = _read(folder, "status", "person_id", [person_id])
    return case_view(mini, person_id, day, records, status_table=status)
