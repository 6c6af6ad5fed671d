"""Reading a dataset folder (data-contract.md) into a validated :class:`Dataset`.

``load_dataset(path)`` returns a complete, typed Dataset or raises :class:`DatasetInvalid` with
every problem; nothing is ever half-loaded. ``read_dataset(path)`` does the same work but returns a
:class:`LoadReport` (files, dialects, rows, notes, problems) for the CLI.

Parquet files whose columns are exactly the canonical ones (names, order and Arrow types of
``arrow_schema(spec)``) are *streamed*: the column checks run batch by batch, the cross-row rules
read the file through DuckDB, and the table stays file-backed in the Dataset (docs/data.md, "Große
Datensätze"). Every other file is read into memory and typed as a whole.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import fastcheck
from .columns import ColumnConverter, detect_date_style, detect_decimal
from .csvread import Advance, RawTable, read_csv
from .dataset import Dataset, ParquetSource, _TempDir, arrow_schema
from .dialect import DATE_GERMAN, DATE_ISO, Dialect
from .problems import FILE, NO_COLUMN, BatchCollector, DatasetInvalid, LineMap, Problem, ProblemCollector
from .schema import TABLES, TABLES_BY_NAME, Table
from .settings import SETTINGS_FILE, Settings, read_settings
from .validate import DUCKDB_MEMORY_LIMIT, TypedTable, check_dataset

__all__ = ["DatasetInvalid", "FileInfo", "LoadReport", "load_dataset", "read_dataset"]

#: order of problem output: settings, then the tables in contract order
PROBLEM_ORDER = ("dataset", SETTINGS_FILE, *(t.name for t in TABLES))


@dataclass
class FileInfo:
    """What was read for one table."""

    table: str
    file: str
    format: str  # "CSV" | "Parquet"
    rows: int
    dialect: Dialect | None = None
    unknown_columns: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return self.dialect.describe() if self.dialect else "Parquet"


@dataclass
class LoadReport:
    """Outcome of reading a dataset folder."""

    path: Path
    dataset: Dataset | None
    problems: list[Problem]
    total_problems: int
    files: list[FileInfo]
    settings: Settings
    notes: list[str]
    warnings: list[Problem] = field(default_factory=list)
    total_warnings: int = 0

    @property
    def ok(self) -> bool:
        return self.total_problems == 0


#: rows per batch when a canonical Parquet file is streamed
STREAM_BATCH_ROWS = 1 << 20


def load_dataset(
    path: str | Path, progress: bool = False, file_backed: bool = True, fast: bool = True
) -> Dataset:
    """Read and validate the dataset folder ``path``; raise :class:`DatasetInvalid` on any problem.

    ``file_backed=False`` reads every table into memory (the path used before file-backed tables).
    ``fast=False`` skips the fast checks (:mod:`zielwerk.data.fastcheck`): every file and rule takes
    the exact path (same result, slower; the baseline of ``bench/validate.py``).
    """
    report = read_dataset(path, progress=progress, file_backed=file_backed, fast=fast)
    if not report.ok or report.dataset is None:
        raise DatasetInvalid(report.problems, report.total_problems)
    return report.dataset


def read_dataset(
    path: str | Path,
    progress: bool = False,
    per_check: int = 1000,
    file_backed: bool = True,
    fast: bool = True,
) -> LoadReport:
    """Read every table of the folder, type and validate it; the Dataset only if no problem was found.

    ``file_backed``: stream canonical Parquet files and keep them file-backed (default); False reads
    every table into memory. ``fast``: prove clean files and rules clean by cheap in-place checks
    first (:mod:`zielwerk.data.fastcheck`); False runs the exact path everywhere (same result).
    """
    directory = Path(path)
    problems = ProblemCollector(per_check=per_check)
    notes: list[str] = []
    if not directory.is_dir():
        problems.add("dataset", FILE, NO_COLUMN, f"Verzeichnis {directory} nicht gefunden")
        return LoadReport(
            directory, None, problems.sorted(PROBLEM_ORDER), problems.total, [], Settings(), notes
        )

    settings = read_settings(directory, problems)
    sources = _find_files(directory, problems, notes)
    # CSV files are passed twice (encoding scan, then parsing), Parquet files once
    total_bytes = sum(p.stat().st_size * (2 if p.suffix == ".csv" else 1) for p in sources.values())
    typed: dict[str, TypedTable] = {}
    usable: dict[str, set[str]] = {}
    files: list[FileInfo] = []
    streamed: dict[str, _Streamed] = {}
    temp = _TempDir(Path(tempfile.mkdtemp(prefix="zielwerk-daten-")))  # normalised Parquet copies
    report: LoadReport | None = None
    try:
        report = _read_all(
            directory, sources, settings, problems, notes, typed, usable, files, streamed, temp,
            progress, total_bytes, per_check, file_backed, fast,
        )
    finally:
        # the Dataset owns the folder if one of its tables lives there; otherwise it goes now
        if report is None or report.dataset is None or not any(s.normalised for s in streamed.values()):
            temp.remove()
    return report


def _read_all(
    directory: Path,
    sources: dict[str, Path],
    settings: Settings,
    problems: ProblemCollector,
    notes: list[str],
    typed: dict[str, TypedTable],
    usable: dict[str, set[str]],
    files: list[FileInfo],
    streamed: dict[str, _Streamed],
    temp: _TempDir,
    progress: bool,
    total_bytes: int,
    per_check: int,
    file_backed: bool,
    fast: bool,
) -> LoadReport:
    with _progress(progress, total_bytes) as (bar_advance, describe), _fast_connection(fast) as con:
        for name, file in sources.items():
            describe(f"Lese {file.name}")
            share = file.stat().st_size * (2 if file.suffix == ".csv" else 1)
            done = [0]

            def advance(n: int, done: list[int] = done) -> None:
                done[0] += n
                bar_advance(n)

            spec = TABLES_BY_NAME[name]
            if file.suffix == ".parquet" and file_backed:
                st = _stream_parquet(spec, file, problems, advance, temp.path, con)
                if st is not None:
                    streamed[name] = st
                    usable[name] = set(spec.column_names)
                    typed[name] = TypedTable(None, LineMap(base=1), path=st.path, rows=st.rows)
                    files.append(FileInfo(name, file.name, "Parquet", st.rows))
                    if done[0] < share:
                        advance(share - done[0])
                    continue
                # not canonical (or not readable in batches): read as a whole as before
            if file.suffix == ".csv":
                raw = read_csv(spec, file, problems, advance)
            else:
                raw = _read_parquet(spec, file, problems, advance)
            if done[0] < share:  # a file given up early still completes its share of the bar
                advance(share - done[0])
            if raw is None:
                continue
            table, usable[name], dialect = _type_table(spec, raw, problems)
            typed[name] = TypedTable(table, raw.lines)
            files.append(
                FileInfo(
                    name,
                    file.name,
                    "CSV" if not raw.native else "Parquet",
                    table.num_rows,
                    dialect,
                    raw.unknown_columns,
                )
            )
            if raw.unknown_columns:
                notes.append(f"{file.name}: unbekannte Spalte(n) ignoriert: {', '.join(raw.unknown_columns)}")
        describe("Prüfe Schlüssel, Verweise und Zeiträume")
        warnings = ProblemCollector(per_check=per_check)
        check_dataset(typed, problems, usable, set(sources), warnings, fast=fast)

    dataset = None
    if problems.ok:
        latest = [s.latest for s in streamed.values() if s.latest is not None]
        dataset = Dataset.from_sources(
            {n: t.table for n, t in typed.items() if n not in streamed and t.table is not None},
            {n: s.source for n, s in streamed.items()},
            as_of=settings.as_of,
            stichtag_day=settings.stichtag_day,
            source=str(directory),
            latest=max(latest) if latest else None,
            temp=temp,
        )
    return LoadReport(
        directory,
        dataset,
        problems.sorted(PROBLEM_ORDER),
        problems.total,
        files,
        settings,
        notes,
        warnings.sorted(PROBLEM_ORDER),
        warnings.total,
    )


def _find_files(directory: Path, problems: ProblemCollector, notes: list[str]) -> dict[str, Path]:
    """The file of each table; both or neither (for a core table) is a problem."""
    sources: dict[str, Path] = {}
    for spec in TABLES:
        csv_path, pq_path = directory / f"{spec.name}.csv", directory / f"{spec.name}.parquet"
        if csv_path.is_file() and pq_path.is_file():
            problems.add(
                spec.name,
                FILE,
                NO_COLUMN,
                f"{csv_path.name} und {pq_path.name} liegen beide vor – bitte nur eine Datei je Tabelle",
            )
        elif csv_path.is_file():
            sources[spec.name] = csv_path
        elif pq_path.is_file():
            sources[spec.name] = pq_path
        elif spec.required:
            problems.add(
                spec.name, FILE, NO_COLUMN, f"Pflichtdatei fehlt ({spec.name}.csv oder {spec.name}.parquet)"
            )
    known = {f"{t.name}{ext}" for t in TABLES for ext in (".csv", ".parquet")}
    for p in sorted(directory.iterdir()):
        if p.suffix in (".csv", ".parquet") and p.name not in known:
            notes.append(f"{p.name}: keine Tabelle des Datenvertrags – ignoriert")
    return sources


@dataclass
class _Streamed:
    """A canonical Parquet table checked batch by batch."""

    source: ParquetSource  # file with the typed values: the original, or a normalised copy in temp
    latest: date | None  # latest date in its date columns
    normalised: bool = False

    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def rows(self) -> int:
        return self.source.num_rows


def _is_canonical(spec: Table, schema: pa.Schema) -> bool:
    canon = arrow_schema(spec)
    return schema.names == canon.names and all(f.type == c.type for f, c in zip(schema, canon))


@contextmanager
def _fast_connection(fast: bool) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A DuckDB connection for the fast file checks (None: exact path only); spills to a temp folder."""
    if not fast:
        yield None
        return
    spill = tempfile.mkdtemp(prefix="zielwerk-pruefung-")
    con = fastcheck.connect(spill, DUCKDB_MEMORY_LIMIT)
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _stream_parquet(
    spec: Table,
    path: Path,
    problems: ProblemCollector,
    advance: Advance,
    temp: Path,
    con: duckdb.DuckDBPyConnection | None = None,
) -> _Streamed | None:
    """Check a canonical Parquet file batch by batch without holding it; None: not canonical or
    not readable – the caller reads it as a whole (which reports an unreadable file as before).

    Problems are those of typing the whole table (same converter, line = 1 + row index, same cap per
    check). If typing changes a value (an empty string becomes missing, ``MM.YYYY`` becomes
    ``YYYY-MM``, an implausible date is dropped), the typed values are written to a copy in ``temp``
    so that the file behind the table always holds the typed values.

    With a connection ``con``, one DuckDB scan of the file in place first tries to prove it clean
    (:func:`fastcheck.clean_parquet`); only a file it cannot prove clean is typed batch by batch.
    """
    try:
        pf = pq.ParquetFile(path)
        if not _is_canonical(spec, pf.schema_arrow):
            return None
        rows = pf.metadata.num_rows
        source = ParquetSource.of(path, rows)  # the file's state before it is checked
        size = source.size
        if con is not None:
            clean = fastcheck.clean_parquet(con, spec, path, rows)
            if clean is not None:
                advance(size)
                return _Streamed(source, clean.latest)
        local = BatchCollector(problems.per_check)
        changed = False
        latest: date | None = None
        offset = 0
        for typed, batch in _typed_batches(spec, pf, local):
            for col in spec.columns:
                raw, out = batch.column(col.name), typed.column(col.name)
                if not changed and _differs(raw, out):
                    changed = True
                if col.type == "date":
                    m = pc.max(out).as_py()
                    if m is not None and (latest is None or m > latest):
                        latest = m
            advance(size * batch.num_rows // max(rows, 1))
            offset += batch.num_rows
        if offset != rows:  # a file whose footer disagrees with its pages
            return None
        if changed:
            target = temp / path.name
            schema = arrow_schema(spec)
            with pq.ParquetWriter(target, schema, compression="zstd") as writer:
                for typed, _ in _typed_batches(spec, pq.ParquetFile(path), BatchCollector(0)):
                    writer.write_table(typed)
            source = ParquetSource.of(target, rows)
    except (pa.ArrowException, OSError):
        return None
    local.merge_into(problems)
    return _Streamed(source, latest, normalised=changed)


def _typed_batches(
    spec: Table, pf: pq.ParquetFile, problems: BatchCollector
) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(typed, raw) per batch of a canonical file; problems carry the file's line numbers."""
    schema = arrow_schema(spec)
    offset = 0
    for rb in pf.iter_batches(batch_size=STREAM_BATCH_ROWS, columns=list(spec.column_names)):
        batch = pa.Table.from_batches([rb])
        conv = ColumnConverter(spec.name, LineMap(base=1 + offset), problems, native=True)
        arrays = []
        for col in spec.columns:
            problems.begin(col.name)
            arrays.append(conv.convert(col, batch.column(col.name), batch.num_rows))
        yield pa.Table.from_arrays(arrays, schema=schema), batch
        offset += batch.num_rows


def _differs(raw: pa.ChunkedArray, typed: pa.ChunkedArray) -> bool:
    """Did typing change a value? (For canonical types it only sets values missing or rewrites text.)"""
    if raw.null_count != typed.null_count:
        return True
    if pa.types.is_string(raw.type):
        return not (pc.all(pc.equal(raw, typed)).as_py() in (True, None))
    return False


def _unreadable_parquet(spec: Table, problems: ProblemCollector, error: Exception) -> None:
    problems.add(spec.name, FILE, NO_COLUMN,
                 f"Parquet-Datei nicht lesbar – beschädigt oder kein Parquet (Detail: {error})")


def _read_parquet(spec: Table, path: Path, problems: ProblemCollector, advance: Advance) -> RawTable | None:
    try:
        pf = pq.ParquetFile(path)
        names = pf.schema_arrow.names
    except (pa.ArrowException, OSError) as e:
        _unreadable_parquet(spec, problems, e)
        return None
    for col in spec.columns:
        if col.required and col.name not in names:
            problems.add(spec.name, FILE, col.name, "Pflichtspalte fehlt")
    wanted = [c for c in spec.column_names if c in names]
    unknown = [n for n in names if n not in spec.column_names]
    size = path.stat().st_size
    groups = max(pf.num_row_groups, 1)
    parts = []
    try:
        for i in range(pf.num_row_groups):
            parts.append(pf.read_row_group(i, columns=wanted))
            advance(size // groups)
    except (pa.ArrowException, OSError) as e:
        _unreadable_parquet(spec, problems, e)
        return None
    advance(size - (size // groups) * pf.num_row_groups)
    table = pa.concat_tables(parts) if parts else pf.schema_arrow.empty_table().select(wanted)
    return RawTable(spec.name, path, table, LineMap(base=1), native=True, unknown_columns=unknown)


def _type_table(
    spec: Table, raw: RawTable, problems: ProblemCollector
) -> tuple[pa.Table, set[str], Dialect | None]:
    """Type every contract column; returns (typed table, usable columns, completed dialect).

    A column is usable unless it is required and missing, or has the wrong Parquet type.
    """
    tbl = raw.table
    dialect = raw.dialect
    decimal = dates = None
    if not raw.native and dialect is not None:
        date_columns = [tbl[c.name] for c in spec.columns if c.type == "date" and c.name in tbl.column_names]
        # on a tie the separator decides: semicolon files come from German office software
        dates = detect_date_style(date_columns, prefer=DATE_GERMAN if dialect.separator == ";" else DATE_ISO)
        floats = [tbl[c.name] for c in spec.columns if c.type == "float" and c.name in tbl.column_names]
        # With a comma separator a decimal comma cannot be meant (a quoted "1,5" is a bad number).
        decimal = detect_decimal(floats) if dialect.separator == ";" else ("." if floats else None)
        dialect = Dialect(dialect.encoding, dialect.separator, decimal, dates)
    conv = ColumnConverter(spec.name, raw.lines, problems, decimal=decimal, dates=dates, native=raw.native)
    usable: set[str] = set()
    arrays = []
    for col in spec.columns:
        present = col.name in tbl.column_names
        out = conv.convert(col, tbl[col.name] if present else None, tbl.num_rows)
        if out is not None and (present or not col.required):
            usable.add(col.name)
        if out is None:
            out = pa.chunked_array([pa.nulls(tbl.num_rows, arrow_schema(spec).field(col.name).type)])
        arrays.append(out)
    return pa.Table.from_arrays(arrays, schema=arrow_schema(spec)), usable, dialect


@contextmanager
def _progress(enabled: bool, total: int) -> Iterator[tuple[Advance, Callable[[str], None]]]:
    """A rich progress bar over the bytes of all files (stderr), or no-ops."""
    if not enabled:
        yield (lambda n: None), (lambda s: None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # no bar in logs and pipes
        yield (lambda n: None), (lambda s: None)
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Lese Datensatz", total=total)
        yield (
            (lambda n: bar.advance(task, n)),
            (lambda s: bar.update(task, description=s)),
        )
