"""The loaded dataset: one typed Arrow table per contract table.

Everything downstream (engine, targets, casework) works on :class:`Dataset`. It is built by the
reader after validation (``zielwerk.data.reader``), by the synthetic generators, or directly from
Python rows in tests (:meth:`Dataset.from_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zielwerk.domain.calendar import DEFAULT_STICHTAG_DAY

from .schema import TABLES, TABLES_BY_NAME, Table

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "date": pa.date32(),
    "month": pa.string(),  # canonical text YYYY-MM
    "float": pa.float64(),
    "int": pa.int64(),
    "slots": pa.string(),  # space-separated slot codes
}


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type], nullable=True) for c in table.columns])


def empty_table(name: str) -> pa.Table:
    return arrow_schema(TABLES_BY_NAME[name]).empty_table()


@dataclass
class Dataset:
    """A validated dataset. ``tables`` holds every contract table (absent optional ones empty)."""

    tables: dict[str, pa.Table]
    as_of: date
    stichtag_day: int = DEFAULT_STICHTAG_DAY
    source: str | None = None
    #: tables that were present in the source (optional casework tables may be missing)
    present: frozenset[str] = field(default_factory=frozenset)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def has(self, name: str) -> bool:
        return name in self.present

    @classmethod
    def from_tables(
        cls,
        tables: Mapping[str, pa.Table],
        as_of: date | None = None,
        stichtag_day: int = DEFAULT_STICHTAG_DAY,
        source: str | None = None,
    ) -> Dataset:
        """Wrap already typed tables; missing tables become empty, columns are cast to the schema."""
        full: dict[str, pa.Table] = {}
        for t in TABLES:
            schema = arrow_schema(t)
            if t.name in tables:
                tbl = tables[t.name]
                cols = []
                for f in schema:
                    if f.name in tbl.column_names:
                        cols.append(tbl.column(f.name).cast(f.type))
                    else:
                        cols.append(pa.nulls(tbl.num_rows, f.type))
                full[t.name] = pa.Table.from_arrays(cols, schema=schema)
            else:
                full[t.name] = schema.empty_table()
        if as_of is None:
            as_of = latest_date(full)
        return cls(full, as_of, stichtag_day, source, frozenset(tables))

    @classmethod
    def from_rows(
        cls,
        rows: Mapping[str, Iterable[Mapping[str, Any]]],
        as_of: date | None = None,
        stichtag_day: int = DEFAULT_STICHTAG_DAY,
    ) -> Dataset:
        """Build from Python rows (dicts); dates may be ``date`` objects or ISO strings. For tests."""
        tables: dict[str, pa.Table] = {}
        for name, table_rows in rows.items():
            spec = TABLES_BY_NAME[name]
            table_rows = list(table_rows)
            arrays = {}
            for c in spec.columns:
                values = [_py_value(r.get(c.name), c.type) for r in table_rows]
                arrays[c.name] = pa.array(values, type=ARROW_TYPES[c.type])
            tables[name] = pa.table(arrays, schema=arrow_schema(spec))
        return cls.from_tables(tables, as_of=as_of, stichtag_day=stichtag_day)

    def write(self, directory: str | Path, fmt: str = "csv") -> None:
        """Write every present table in the canonical dialect (CSV) or as Parquet, plus dataset.toml."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        for name in sorted(self.present):
            tbl = self.tables[name]
            if fmt == "parquet":
                pq.write_table(tbl, out / f"{name}.parquet", compression="zstd")
            elif fmt == "csv":
                write_canonical_csv(tbl, out / f"{name}.csv")
            else:
                raise ValueError(f"Unbekanntes Format: {fmt}")
        (out / "dataset.toml").write_text(
            f"as_of = {self.as_of.isoformat()}\nstichtag_day = {self.stichtag_day}\n", encoding="utf-8"
        )


def write_canonical_csv(tbl: pa.Table, path: Path) -> None:
    """UTF-8, comma, header, ISO dates, decimal point, empty for null; quotes only where needed."""
    opts = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
    pacsv.write_csv(tbl, path, write_options=opts)


def latest_date(tables: Mapping[str, pa.Table]) -> date:
    """The latest date in any date column (the default as-of date, data-contract.md)."""
    import pyarrow.compute as pc

    best: date | None = None
    for name, tbl in tables.items():
        spec = TABLES_BY_NAME[name]
        for c in spec.columns:
            if c.type == "date" and tbl.num_rows:
                m = pc.max(tbl.column(c.name)).as_py()
                if m is not None and (best is None or m > best):
                    best = m
    return best or date.today()


def _py_value(v: Any, type_: str) -> Any:
    if v is None or v == "":
        return None
    if type_ == "date" and isinstance(v, str):
        return date.fromisoformat(v)
    if type_ == "float":
        return float(v)
    if type_ == "int":
        return int(v)
    return v
