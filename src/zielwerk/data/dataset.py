"""The loaded dataset: one typed Arrow table per contract table.

Everything downstream (engine, targets, casework) works on :class:`Dataset`. It is built by the
reader after validation (``zielwerk.data.reader``), by the synthetic generators, or directly from
Python rows in tests (:meth:`Dataset.from_rows`).

A table is held either in memory (an Arrow table) or *file-backed*: a Parquet file whose columns and
types are exactly ``arrow_schema(spec)`` and whose values are the validated, typed values. A
file-backed table is read when it is asked for (``ds[name]``) and not kept longer than the caller
keeps it (weak cache); :meth:`Dataset.parquet_path` lets a consumer scan the file directly instead
(DuckDB ``read_parquet``), so a national dataset never has to be in memory as a whole.
"""

from __future__ import annotations

import shutil
import weakref
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
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


@dataclass(frozen=True)
class ParquetSource:
    """A file-backed table: a Parquet file in the canonical schema with validated values.

    ``size`` and ``mtime_ns`` are the file's state when it was validated; a file changed since then
    is refused on access (its contents were never checked).
    """

    path: Path
    num_rows: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path, num_rows: int) -> ParquetSource:
        st = Path(path).stat()
        return cls(Path(path), num_rows, st.st_size, st.st_mtime_ns)

    def check(self) -> Path:
        """The path, after making sure the file is still the validated one."""
        try:
            st = self.path.stat()
        except OSError as e:
            raise FileChangedError(f"{self.path} ist nicht mehr lesbar – Datensatz bitte neu laden ({e})") from e
        if (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns):
            raise FileChangedError(f"{self.path} wurde nach dem Laden geändert – Datensatz bitte neu laden")
        return self.path

    def read(self, spec: Table) -> pa.Table:
        schema = arrow_schema(spec)
        tbl = pq.read_table(self.check(), columns=schema.names)
        return pa.Table.from_arrays(tbl.columns, schema=schema)


class FileChangedError(RuntimeError):
    """The file behind a file-backed table changed (or vanished) after validation."""


class _TempDir:
    """A folder of normalised Parquet copies, removed when its last owner is garbage collected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(path), True)

    def remove(self) -> None:
        self._finalizer()


#: file-backed tables up to this many rows are kept once read (cheap; repeated access stays fast)
KEEP_ROWS = 1_000_000


class TableMap(MutableMapping[str, pa.Table]):
    """The tables of a :class:`Dataset`: Arrow tables in memory and/or file-backed Parquet tables.

    ``m[name]`` always returns an Arrow table in the canonical schema; a file-backed table is read on
    access. Up to ``KEEP_ROWS`` rows it is kept; a bigger one only as long as some caller holds it (a
    weak reference), so a long-lived Dataset does not pin a national table in memory. Assigning a
    table replaces a file-backed one.
    """

    def __init__(
        self,
        memory: Mapping[str, pa.Table] | None = None,
        files: Mapping[str, ParquetSource] | None = None,
        temp: _TempDir | None = None,
    ) -> None:
        self._memory: dict[str, pa.Table] = dict(memory or {})
        self._files: dict[str, ParquetSource] = dict(files or {})
        self._temp = temp  # owner of normalised copies some ParquetSource may point into
        self._cache: weakref.WeakValueDictionary[str, pa.Table] = weakref.WeakValueDictionary()
        self._kept: dict[str, pa.Table] = {}

    def __getitem__(self, name: str) -> pa.Table:
        if name in self._memory:
            return self._memory[name]
        src = self._files[name]
        tbl = self._cache.get(name)
        if tbl is None:
            tbl = src.read(TABLES_BY_NAME[name])
            self._cache[name] = tbl
            if src.num_rows <= KEEP_ROWS:
                self._kept[name] = tbl
        return tbl

    def __setitem__(self, name: str, value: pa.Table) -> None:
        self._files.pop(name, None)
        self._cache.pop(name, None)
        self._kept.pop(name, None)
        self._memory[name] = value

    def __delitem__(self, name: str) -> None:
        if name not in self._memory and name not in self._files:
            raise KeyError(name)
        self._memory.pop(name, None)
        self._files.pop(name, None)
        self._cache.pop(name, None)
        self._kept.pop(name, None)

    def _names(self) -> list[str]:
        known = [t.name for t in TABLES if t.name in self._memory or t.name in self._files]
        other = [n for n in self._memory if n not in TABLES_BY_NAME]
        return known + other

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._memory or name in self._files

    def source(self, name: str) -> ParquetSource | None:
        """The Parquet file behind ``name`` if the table is file-backed."""
        return self._files.get(name)

    def num_rows(self, name: str) -> int:
        src = self._files.get(name)
        return src.num_rows if src is not None else self._memory[name].num_rows

    def __reduce__(self):
        # A copy (pickle, deepcopy) holds every table in memory: it cannot own the temporary files.
        return (TableMap, ({n: self[n] for n in self},))

    def __repr__(self) -> str:
        parts = [f"{n}=<Parquet {self._files[n].path}>" if n in self._files else f"{n}=<{self._memory[n].num_rows} Zeilen>"
                 for n in self]
        return f"TableMap({', '.join(parts)})"


@dataclass
class Dataset:
    """A validated dataset. ``tables`` holds every contract table (absent optional ones empty).

    ``tables`` is a mapping name → Arrow table; tables read by :mod:`zielwerk.data.reader` from
    canonical Parquet files are file-backed (see :class:`TableMap`, :meth:`parquet_path`).
    """

    tables: MutableMapping[str, pa.Table]
    as_of: date
    stichtag_day: int = DEFAULT_STICHTAG_DAY
    source: str | None = None
    #: tables that were present in the source (optional casework tables may be missing)
    present: frozenset[str] = field(default_factory=frozenset)

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]

    def has(self, name: str) -> bool:
        return name in self.present

    def parquet_path(self, name: str) -> Path | None:
        """The Parquet file holding table ``name``, if it is file-backed; else None.

        The file's columns and Arrow types are exactly ``arrow_schema(spec)`` (in that order) and
        its values are the validated ones, so a consumer may scan it directly (DuckDB
        ``read_parquet``) instead of materialising ``ds[name]``. Raises :class:`FileChangedError` if
        the file was changed after loading.
        """
        src = self.tables.source(name) if isinstance(self.tables, TableMap) else None
        return None if src is None else src.check()

    def num_rows(self, name: str) -> int:
        """Rows of table ``name`` without reading a file-backed table."""
        if isinstance(self.tables, TableMap):
            return self.tables.num_rows(name)
        return self.tables[name].num_rows

    @classmethod
    def from_sources(
        cls,
        tables: Mapping[str, pa.Table],
        files: Mapping[str, ParquetSource],
        as_of: date | None = None,
        stichtag_day: int = DEFAULT_STICHTAG_DAY,
        source: str | None = None,
        latest: date | None = None,
        temp: _TempDir | None = None,
    ) -> Dataset:
        """Like :meth:`from_tables`, with some tables file-backed (validated canonical Parquet files).

        ``latest``: the latest date in the file-backed tables (for the default ``as_of``).
        """
        mem = cls.from_tables(tables, as_of=as_of or date.min, stichtag_day=stichtag_day, source=source)
        memory = {n: t for n, t in mem.tables.items() if n not in files}
        if as_of is None:
            found = [d for d in (_latest(memory), latest) if d is not None]
            as_of = max(found) if found else date.today()
        return cls(
            TableMap(memory, files, temp), as_of, stichtag_day, source, frozenset(tables) | frozenset(files)
        )

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
            src = self.tables.source(name) if isinstance(self.tables, TableMap) else None
            if fmt == "parquet" and src is not None:  # batch by batch: never the whole table in memory
                _copy_parquet(src, TABLES_BY_NAME[name], out / f"{name}.parquet")
                continue
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


def _copy_parquet(src: ParquetSource, spec: Table, target: Path) -> None:
    schema = arrow_schema(spec)
    pf = pq.ParquetFile(src.check())
    tmp = target.with_name(target.name + ".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for batch in pf.iter_batches(batch_size=1 << 20, columns=schema.names):
            writer.write_batch(pa.RecordBatch.from_arrays(batch.columns, schema=schema))
    tmp.replace(target)


def write_canonical_csv(tbl: pa.Table, path: Path) -> None:
    """UTF-8, comma, header, ISO dates, decimal point, empty for null; quotes only where needed."""
    opts = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")
    pacsv.write_csv(tbl, path, write_options=opts)


def latest_date(tables: Mapping[str, pa.Table]) -> date:
    """The latest date in any date column (the default as-of date, data-contract.md)."""
    return _latest(tables) or date.today()


def _latest(tables: Mapping[str, pa.Table]) -> date | None:
    import pyarrow.compute as pc

    best: date | None = None
    for name, tbl in tables.items():
        spec = TABLES_BY_NAME[name]
        for c in spec.columns:
            if c.type == "date" and tbl.num_rows:
                m = pc.max(tbl.column(c.name)).as_py()
                if m is not None and (best is None or m > best):
                    best = m
    return best


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
