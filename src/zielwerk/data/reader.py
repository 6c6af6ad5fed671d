"""Reading a dataset folder (data-contract.md) into a validated :class:`Dataset`.

``load_dataset(path)`` returns a complete, typed Dataset or raises :class:`DatasetInvalid` with
every problem; nothing is ever half-loaded. ``read_dataset(path)`` does the same work but returns a
:class:`LoadReport` (files, dialects, rows, notes, problems) for the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .columns import ColumnConverter, detect_date_style, detect_decimal
from .csvread import Advance, RawTable, read_csv
from .dataset import Dataset, arrow_schema
from .dialect import DATE_GERMAN, DATE_ISO, Dialect
from .problems import FILE, NO_COLUMN, DatasetInvalid, LineMap, Problem, ProblemCollector
from .schema import TABLES, TABLES_BY_NAME, Table
from .settings import SETTINGS_FILE, Settings, read_settings
from .validate import TypedTable, check_dataset

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


def load_dataset(path: str | Path, progress: bool = False) -> Dataset:
    """Read and validate the dataset folder ``path``; raise :class:`DatasetInvalid` on any problem."""
    report = read_dataset(path, progress=progress)
    if not report.ok or report.dataset is None:
        raise DatasetInvalid(report.problems, report.total_problems)
    return report.dataset


def read_dataset(path: str | Path, progress: bool = False, per_check: int = 1000) -> LoadReport:
    """Read every table of the folder, type and validate it; the Dataset only if no problem was found."""
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
    with _progress(progress, total_bytes) as (bar_advance, describe):
        for name, file in sources.items():
            describe(f"Lese {file.name}")
            share = file.stat().st_size * (2 if file.suffix == ".csv" else 1)
            done = [0]

            def advance(n: int, done: list[int] = done) -> None:
                done[0] += n
                bar_advance(n)

            spec = TABLES_BY_NAME[name]
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
        check_dataset(typed, problems, usable, set(sources), warnings)

    dataset = None
    if problems.ok:
        dataset = Dataset.from_tables(
            {n: t.table for n, t in typed.items()},
            as_of=settings.as_of,
            stichtag_day=settings.stichtag_day,
            source=str(directory),
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
