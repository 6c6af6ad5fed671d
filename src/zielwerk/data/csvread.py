"""Reading one CSV file of the contract into a text table with exact line numbers.

Fast path: pyarrow's streaming CSV reader (every column as text, empty field = missing, no other
null markers), in blocks so a progress bar can follow. If the file does not decode cleanly or
pyarrow refuses its structure, the file is read again line by line in Python: each bad line is
reported with its exact number (encoding error, wrong number of fields, open quote, empty line)
and the good lines are kept so their values can still be checked.

Line breaks inside quoted values are not supported (office software does not write them; the
canonical writer never does): such a value is reported as an open quote.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .dialect import ASCII, CP1252, ENCODING_LABELS, UTF8_BOM, Dialect, detect_encoding, detect_separator
from .problems import FILE, NO_COLUMN, LineMap, ProblemCollector
from .schema import Table

BLOCK_SIZE = 4 * 1024 * 1024
Advance = Callable[[int], None]


@dataclass
class RawTable:
    """A table as read from its file, before typing: text columns (CSV) or native ones (Parquet)."""

    name: str
    path: Path
    table: pa.Table
    lines: LineMap
    native: bool = False
    dialect: Dialect | None = None
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def file_label(self) -> str:
        return self.path.name


def _no_progress(_: int) -> None:
    return None


def read_csv(
    spec: Table, path: Path, problems: ProblemCollector, advance: Advance = _no_progress
) -> RawTable | None:
    """Read ``path`` as table ``spec``; None if the file cannot be read at all (problems recorded)."""
    t = spec.name
    enc = detect_encoding(path, advance)  # first pass over the file: half of its progress
    if enc.encoding is None:
        problems.add(t, FILE, NO_COLUMN, enc.reason)
        return None
    with open(path, "rb") as f:
        header_raw = f.readline()
    if not header_raw.strip(b"\r\n\xef\xbb\xbf \t"):
        problems.add(t, 1 if header_raw else FILE, NO_COLUMN, "Datei ist leer oder die Kopfzeile fehlt")
        return None
    try:
        header = header_raw.decode(enc.encoding).rstrip("\r\n")
    except UnicodeDecodeError:
        problems.add(
            t, 1, NO_COLUMN, f"ungültige Zeichenkodierung ({ENCODING_LABELS[enc.encoding]}) in der Kopfzeile"
        )
        return None
    sep, names = detect_separator(header, spec.column_names)
    if sep is None:
        problems.add(
            t,
            1,
            NO_COLUMN,
            "Trennzeichen nicht erkannt: die Kopfzeile muss durch Komma oder Semikolon getrennt sein",
        )
        return None
    position: dict[str, int] = {}
    unknown: list[str] = []
    for i, name in enumerate(names):
        if name in position:
            problems.add(t, 1, name, "Spalte kommt doppelt vor")
        elif name in spec.column_names:
            position[name] = i
        else:
            unknown.append(name)
    for col in spec.columns:
        if col.required and col.name not in position:
            problems.add(t, 1, col.name, "Pflichtspalte fehlt")
    if not position:  # no column of the table at all: nothing to read (missing columns are reported)
        return None
    dialect = Dialect(encoding=enc.encoding, separator=sep)

    table = lines = None
    if enc.clean:
        table = _fast_read(path, sep, enc.encoding, len(names), position, advance)
        if table is not None:
            lines = LineMap(base=2)
    if table is None:
        table, lines = _line_by_line(t, path, sep, enc.encoding, len(names), position, problems, advance)
    return RawTable(t, path, table, lines, native=False, dialect=dialect, unknown_columns=unknown)


def _fast_read(
    path: Path, sep: str, encoding: str, n_fields: int, position: dict[str, int], advance: Advance
) -> pa.Table | None:
    internal = [f"f{i}" for i in range(n_fields)]
    read = pacsv.ReadOptions(
        skip_rows=1,
        column_names=internal,
        block_size=BLOCK_SIZE,
        encoding="cp1252" if encoding == CP1252 else "utf8",
    )
    parse = pacsv.ParseOptions(
        delimiter=sep, quote_char='"', double_quote=True, newlines_in_values=False, ignore_empty_lines=False
    )
    wanted = [f"f{i}" for i in position.values()]
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in internal},
        include_columns=wanted,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        check_utf8=True,
    )
    batches = []
    size = path.stat().st_size
    done = 0
    try:
        with pacsv.open_csv(path, read_options=read, parse_options=parse, convert_options=convert) as reader:
            schema = reader.schema
            for batch in reader:
                batches.append(batch)
                step = min(BLOCK_SIZE, size - done)
                done += step
                advance(step)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        advance(-done)
        return None
    tbl = pa.Table.from_batches(batches, schema=schema)
    if tbl.num_columns and tbl.num_rows:
        # pyarrow reads an empty line as a row of missing values: let the slow path name it
        all_missing = pc.is_null(tbl.column(0))
        for c in tbl.columns[1:]:
            all_missing = pc.and_(all_missing, pc.is_null(c))
        if pc.any(all_missing).as_py() and _has_empty_line(path):
            advance(-done)
            return None
    advance(size - done)
    return tbl.rename_columns([_name_of(c, position) for c in tbl.column_names])


def _has_empty_line(path: Path) -> bool:
    with open(path, "rb") as f:
        return any(not line.strip(b"\r\n") for line in f)


def _name_of(internal: str, position: dict[str, int]) -> str:
    idx = int(internal[1:])
    for name, i in position.items():
        if i == idx:
            return name
    raise KeyError(internal)


def _line_by_line(
    t: str,
    path: Path,
    sep: str,
    encoding: str,
    n_fields: int,
    position: dict[str, int],
    problems: ProblemCollector,
    advance: Advance,
) -> tuple[pa.Table, LineMap]:
    """Slow path: check every line on its own; keep the good ones with their line numbers."""
    label = ENCODING_LABELS[encoding]
    codec = "utf-8" if encoding in (UTF8_BOM, ASCII) else encoding
    values: dict[str, list[str | None]] = {name: [] for name in position}
    line_numbers: list[int] = []
    with open(path, "rb") as f:
        f.readline()  # header (checked by the caller)
        advance_acc = 0
        for number, raw in enumerate(f, start=2):
            advance_acc += len(raw)
            if advance_acc > BLOCK_SIZE:
                advance(advance_acc)
                advance_acc = 0
            body = raw.rstrip(b"\n").rstrip(b"\r")
            try:
                text = body.decode(codec)
            except UnicodeDecodeError as e:
                problems.add(
                    t,
                    number,
                    NO_COLUMN,
                    f"ungültige Zeichenkodierung ({label}): Byte 0x{body[e.start]:02X} an Position {e.start + 1} der Zeile",
                )
                continue
            if not text.strip():
                problems.add(t, number, NO_COLUMN, "leere Zeile")
                continue
            try:
                fields = next(csv.reader([text], delimiter=sep, quotechar='"', doublequote=True, strict=True))
            except csv.Error:
                problems.add(t, number, NO_COLUMN, "Anführungszeichen nicht geschlossen oder falsch gesetzt")
                continue
            if len(fields) != n_fields:
                hint = (
                    "abgeschnittene Zeile oder falsches Trennzeichen?"
                    if len(fields) < n_fields
                    else "überzähliges Trennzeichen?"
                )
                noun = "Feld" if len(fields) == 1 else "Felder"
                problems.add(t, number, NO_COLUMN, f"{len(fields)} {noun} statt {n_fields} ({hint})")
                continue
            for name, i in position.items():
                values[name].append(fields[i] if fields[i] != "" else None)
            line_numbers.append(number)
        advance(advance_acc)
    table = (
        pa.table({name: pa.array(v, pa.string()) for name, v in values.items()}) if position else pa.table({})
    )
    return table, LineMap(explicit=pa.array(line_numbers, pa.int64()))
