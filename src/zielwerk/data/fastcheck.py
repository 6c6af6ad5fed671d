"""Fast, in-place checks that prove a file clean without materialising it (docs/data.md, "Speed").

Validation has two paths that must report exactly the same problems:

* the *exact* path types every column with :class:`zielwerk.data.columns.ColumnConverter` and runs
  every cross-row rule, rendering each problem with its ``table:line:column``;
* the *fast* path asks cheap, set-based questions first — one DuckDB aggregate over a Parquet file in
  place (``read_parquet``), or one streaming comparison of neighbouring keys — and only when such a
  question cannot rule out a problem does the exact path run for that file or rule.

So the fast path never produces a message itself: it only decides that there is none. Each test here
is *conservative*: it answers "clean" only if the exact path would find no problem and change no
value; anything unexpected (a value it does not recognise, a read error, too many distinct values)
answers "not proven", and the exact path decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zielwerk.domain.codes import CHILDCARE_SLOTS

from .columns import MAX_YEAR, MIN_YEAR
from .schema import Table

#: more distinct values than this in a month or slots column: left to the exact path
MAX_DISTINCT = 10_000
#: rows per batch of the streaming key comparison
KEY_BATCH_ROWS = 1 << 20

# ASCII digits only (Python's \d also matches other digits; Arrow's RE2 \d does not)
_ISO_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class CleanFile:
    """A canonical Parquet file proven clean: no problem, typing changes no value."""

    rows: int
    latest: date | None  # latest value of its date columns


def connect(spill: str | None = None, memory_limit: str = "4GB") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for the checks: 2 threads, bounded memory, spilling to ``spill``."""
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    if spill is not None:
        con.execute("SET temp_directory = '" + spill.replace("'", "''") + "'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def clean_parquet(
    con: duckdb.DuckDBPyConnection, spec: Table, path: Path, rows: int
) -> CleanFile | None:
    """Is the canonical Parquet file ``path`` clean? None: not proven (the exact path decides).

    What the exact path checks on a canonical file (``ColumnConverter`` with native types), and the
    question asked here instead:

    * a required value must be present – ``count(column)`` equals the rows;
    * text: an empty string becomes missing (a change, and a problem if the value is required) –
      ``min(column)`` is not ``''`` (the empty string is the least text);
    * date columns: the earliest and latest year within 1900–2100;
    * code columns: every distinct value is one of the column's codes; ``month`` columns: every
      distinct value is canonical ``YYYY-MM`` with a year in 1900–2100 (an office month ``MM.YYYY``
      would be rewritten, so it is "not proven" too); ``slots`` columns: every distinct value is slot
      codes separated by single spaces – at most ``MAX_DISTINCT`` distinct values, else not proven.

    ``count``, ``min`` and ``max`` come in one aggregate; DuckDB answers them from the Parquet column
    statistics (null count, minimum, maximum) where the file has them – as it does for every query on
    the file, the engine's included – and by reading the column otherwise.
    """
    src = f"read_parquet({_lit(str(path))})"
    aggs = ["count(*)"]
    checks: list = [lambda v: v == rows]
    distinct: list[str] = []
    dates = 0
    for col in spec.columns:
        c = _q(col.name)
        if not col.nullable:
            aggs.append(f"count({c})")
            checks.append(lambda v: v == rows)
        if col.type in ("str", "month", "slots"):
            aggs.append(f"min({c})")
            checks.append(lambda v: v is None or (isinstance(v, str) and v != ""))
            if col.codes is not None or col.type != "str":
                distinct.append(col.name)
            if col.max_length is not None:
                aggs.append(f"max(length({c}))")
                limit = col.max_length
                checks.append(lambda v, limit=limit: v is None or v <= limit)
        if col.type == "date":
            aggs += [f"min({c})", f"max({c})"]
            checks += [_plausible_date, _plausible_date]
            dates += 1
    try:
        row = con.execute(f"SELECT {', '.join(aggs)} FROM {src}").fetchall()[0]
        if not all(check(v) for check, v in zip(checks, row)):
            return None
        latest = max((v for v in row[1:] if isinstance(v, date)), default=None) if dates else None
        for name in distinct:
            values = con.execute(
                f"SELECT DISTINCT {_q(name)} FROM {src} WHERE {_q(name)} IS NOT NULL LIMIT {MAX_DISTINCT + 1}"
            ).fetchall()
            if len(values) > MAX_DISTINCT:
                return None
            col = spec.column(name)
            if not all(_good_value(col.type, col.codes, v) for (v,) in values):
                return None
    except duckdb.Error:
        return None
    return CleanFile(rows, latest)


def _plausible_date(value: object) -> bool:
    return value is None or (isinstance(value, date) and MIN_YEAR <= value.year <= MAX_YEAR)


def _good_value(kind: str, codes: tuple[str, ...] | None, value: object) -> bool:
    if not isinstance(value, str):
        return False
    if codes is not None:
        return value in codes
    if kind == "month":
        return _ISO_MONTH.fullmatch(value) is not None and MIN_YEAR <= int(value[:4]) <= MAX_YEAR
    tokens = value.split(" ")  # slots: single spaces, no leading/trailing blanks, known codes only
    return all(t in CHILDCARE_SLOTS for t in tokens)


def _key_batches(
    table: pa.Table | None, path: Path | None, columns: Sequence[str]
) -> Iterator[pa.RecordBatch | pa.Table]:
    if table is not None:
        yield from table.select(list(columns)).to_batches(max_chunksize=KEY_BATCH_ROWS)
    else:
        # dictionary-encoded text is read as it is stored: no per-row strings are built
        pf = pq.ParquetFile(path, read_dictionary=list(columns))
        yield from pf.iter_batches(batch_size=KEY_BATCH_ROWS, columns=list(columns))


def keys_strictly_increasing(
    table: pa.Table | None,
    path: Path | None,
    key: Sequence[str],
    distinct: dict[str, list[pa.Array]] | None = None,
) -> bool:
    """Are the key tuples present and strictly increasing in file order? Then no key occurs twice.

    Strictly increasing in a total order (text by its bytes, tuples column by column) means every key
    differs from every other, so the duplicate-key rule cannot find anything. Exported files are
    usually sorted by their key; for others this answers False after one streaming pass and the rule
    runs in full. A missing key value also answers False (its own problem is reported elsewhere).
    Dictionary-encoded columns are compared by the rank of each value in its batch's dictionary.

    ``distinct``: columns (key or others) whose distinct values to collect on the way, per batch
    (a value may repeat across batches); complete only if the answer is True.
    """
    wanted = list(key) + [c for c in (distinct or {}) if c not in key]
    try:
        previous: tuple | None = None
        for batch in _key_batches(table, path, wanted):
            n = batch.num_rows
            if not n:
                continue
            cols = [_comparable(_array(batch.column(k))) for k in key]
            if any(c is None or c.null_count for c in cols):
                return False
            first = tuple(batch.column(k)[0].as_py() for k in key)
            if previous is not None and not previous < first:  # the pair across the batch boundary
                return False
            if n > 1 and not _increasing(cols):
                return False
            previous = tuple(batch.column(k)[n - 1].as_py() for k in key)
            for name, parts in (distinct or {}).items():
                parts.append(_distinct(_array(batch.column(name))))
    except (pa.ArrowException, OSError):
        return False
    return True


def _array(c: pa.Array | pa.ChunkedArray) -> pa.Array:
    return c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c


def _distinct(c: pa.Array) -> pa.Array:
    """The distinct values of a batch (a dictionary column: the dictionary values it uses)."""
    if pa.types.is_dictionary(c.type):
        return pc.take(c.dictionary, pc.unique(c.indices))
    return pc.unique(c)


def _comparable(c: pa.Array) -> pa.Array | None:
    """Values whose order is that of ``c``'s: a dictionary column as its values' ranks (None: its
    dictionary holds a missing value, which the indices would hide)."""
    if not pa.types.is_dictionary(c.type):
        return c
    if c.dictionary.null_count:
        return None
    ranks = pc.rank(c.dictionary, sort_keys="ascending", tiebreaker="dense")
    return pc.take(ranks, c.indices)


def _increasing(cols: Sequence[pa.Array]) -> bool:
    """Is row i's tuple below row i+1's for every neighbouring pair?"""
    n = len(cols[0])
    ok = None
    for c in reversed(cols):  # from the last key column outwards: less, or equal and (the rest) ok
        a, b = c.slice(0, n - 1), c.slice(1)
        less = pc.less(a, b)
        ok = less if ok is None else pc.or_(less, pc.and_(pc.equal(a, b), ok))
    return bool(pc.all(ok).as_py())


#: the open end of a period, as the overlap rules read it (``coalesce("end", DATE '9999-12-31')``)
_OPEN_END = date(9999, 12, 31)


def periods_disjoint(table: pa.Table | None, path: Path | None, group: str) -> bool:
    """Are the rows sorted by ``group`` and ``start``, with no two periods of a group sharing a day?

    Then no overlap rule can find anything in this table: neither two periods of a group (and so of
    any finer group, such as person and BG) overlapping, nor two periods of one person with different
    statuses on the same day. Checked on neighbouring rows in file order – group below the next row's,
    or the same group and the end (open: 31.12.9999) before the next row's start – which, for a file
    in this order, is the same as every pair of periods of a group being disjoint. A missing group
    or start, or an end before the start, answers False (the exact rules decide).
    """
    try:
        previous: tuple | None = None
        for batch in _key_batches(table, path, [group, "start", "end"]):
            n = batch.num_rows
            if not n:
                continue
            g = _comparable(_array(batch.column(group)))
            start, end = _array(batch.column("start")), _array(batch.column("end"))
            if g is None or g.null_count or start.null_count:
                return False
            if not pc.all(pc.fill_null(pc.greater_equal(end, start), True)).as_py():
                return False
            e = pc.fill_null(end, pa.scalar(_OPEN_END, pa.date32()))
            first = (batch.column(group)[0].as_py(), start[0].as_py())
            if previous is not None and not (previous[0] < first[0] or (
                    previous[0] == first[0] and previous[1] < first[1])):
                return False
            if n > 1:
                ga, gb = g.slice(0, n - 1), g.slice(1)
                later = pc.or_(pc.less(ga, gb), pc.and_(pc.equal(ga, gb), pc.less(e.slice(0, n - 1), start.slice(1))))
                if not pc.all(later).as_py():
                    return False
            previous = (batch.column(group)[n - 1].as_py(), e[n - 1].as_py())
    except (pa.ArrowException, OSError):
        return False
    return True
