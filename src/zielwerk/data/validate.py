"""Rules across rows and tables of the contract (data-contract.md, "Validation").

Single-value rules (types, codes, required values) are checked while typing each column
(:mod:`zielwerk.data.columns`); this module checks what needs several rows or tables:

* ``end`` before ``start`` (every table with both),
* duplicate keys (``schema.Table.key``),
* missing references (every ``schema.ForeignKey``, and ``bg_id`` of ``households`` and ``payments``
  must occur in ``elb_spells``),
* overlapping spells of one person in one BG (``elb_spells``); overlapping type periods of one BG
  (``households``: a BG has one type per day) are only a *warning*, as the contract does not list
  this rule,
* a person both eLb and nEf on the same day (any BG),
* overlapping ``unemployment_spells`` of one person (registered as unemployed is one state per day),
* negative amounts (``payments.llu``/``luh``), negative capacities or ages, ``free_places`` above
  ``capacity`` and ``min_age_months`` above ``max_age_months`` (``childcare_providers``).

Set-based rules run in DuckDB over the Arrow tables, or directly over a file-backed table's Parquet
file (``read_parquet``; line = ``file_row_number`` + 1, as ``LineMap(base=1)`` for Parquet), vectorised,
with exact line numbers through a line column, never as a Python loop per row. DuckDB works within
``DUCKDB_MEMORY_LIMIT`` and spills to a temporary folder beyond it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from . import fastcheck
from .problems import FILE, DatasetInvalid, LineMap, Problem, ProblemCollector
from .schema import TABLES, TABLES_BY_NAME

__all__ = ["DatasetInvalid", "Problem", "TypedTable", "check_dataset"]

LINE = "__line"
#: DuckDB's memory for the set-based rules; beyond it, DuckDB spills to a temporary folder
DUCKDB_MEMORY_LIMIT = "4GB"


@dataclass
class TypedTable:
    """A typed table with the source line of each row.

    File-backed: ``table`` is None and ``path`` is a Parquet file in the canonical schema with the
    typed values, ``rows`` its row count; line of row i = ``lines.base`` + i.
    """

    table: pa.Table | None
    lines: LineMap
    path: Path | None = None
    rows: int | None = None

    @property
    def num_rows(self) -> int:
        if self.table is not None:
            return self.table.num_rows
        return int(self.rows or 0)

    @property
    def column_names(self) -> list[str]:
        if self.table is not None:
            return self.table.column_names
        import pyarrow.parquet as pq

        return pq.read_schema(self.path).names


def _with_lines(t: TypedTable) -> pa.Table:
    return t.table.append_column(LINE, t.lines.array(t.table.num_rows))


def _register(con: duckdb.DuckDBPyConnection, name: str, t: TypedTable) -> None:
    if t.table is not None:
        con.register(name, _with_lines(t))
        return
    if t.lines.explicit is not None:
        raise ValueError("a file-backed table has no explicit line numbers")
    cols = ", ".join('"' + c.replace('"', '""') + '"' for c in t.column_names)
    path = str(t.path).replace("'", "''")
    con.execute(
        f"CREATE VIEW {name} AS SELECT {cols}, file_row_number + {int(t.lines.base)} AS {LINE} "
        f"FROM read_parquet('{path}', file_row_number = true)"
    )


def check_dataset(
    tables: dict[str, TypedTable],
    problems: ProblemCollector,
    usable: dict[str, set[str]] | None = None,
    files: set[str] | None = None,
    warnings: ProblemCollector | None = None,
    fast: bool = True,
) -> None:
    """Run every cross-row rule on ``tables``; warnings (non-contract rules) go to ``warnings``.

    ``usable``: per table, the columns that could be typed (a required column missing from the file
    or with the wrong Parquet type is not usable; a rule that needs it is skipped, its problem is
    already reported). Default: every column. ``files``: tables whose file exists (default: those
    in ``tables``). ``fast``: skip a rule that a cheap check proves clean (``fastcheck``: a key that
    is strictly increasing in file order cannot occur twice; periods sorted and disjoint per person
    cannot overlap; pair counts; references checked on distinct values first); the rule runs in full
    wherever a check cannot rule out a problem. False runs every rule in full (docs/data.md).
    """
    if usable is None:
        usable = {name: set(tt.column_names) for name, tt in tables.items()}

    def ok(table: str, *columns: str) -> bool:
        return table in usable and all(c in usable[table] for c in columns)

    files = set(tables) if files is None else files
    warnings = ProblemCollector(problems.per_check) if warnings is None else warnings
    spill = tempfile.mkdtemp(prefix="zielwerk-pruefung-")
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute("SET temp_directory = '" + spill.replace("'", "''") + "'")
    con.execute("SET preserve_insertion_order = false")
    pool: ThreadPoolExecutor | None = None
    try:
        for name, tt in tables.items():
            _register(con, name, tt)
        # fast: the period and key order passes (Arrow, one thread) run while DuckDB counts spell pairs,
        # builds the key sets and checks the references of tables without a key. Rules may add their
        # problems in another order than on the exact path; no two rules share a table, line and
        # column, so the sorted list is the same.
        key_jobs: dict[str, tuple[Future[bool], dict[str, list[pa.Array]]]] = {}
        disjoint: dict[str, Future[bool]] = {}
        if fast:
            pool = ThreadPoolExecutor(max_workers=1)
            # first: are the periods of each person / BG disjoint and in order? (needed first below)
            for t, group in (("elb_spells", "person_id"), ("households", "bg_id"),
                             ("unemployment_spells", "person_id")):
                if ok(t, group, "start", "end"):
                    disjoint[t] = pool.submit(fastcheck.periods_disjoint, tables[t].table, tables[t].path, group)
            for spec in TABLES:
                if spec.key and ok(spec.name, *spec.key):
                    tt = tables[spec.name]
                    # distinct values of its reference columns, collected by the same pass
                    wanted: dict[str, list[pa.Array]] = {
                        c: [] for c in _reference_columns(spec.name) if ok(spec.name, c)
                    }
                    job = pool.submit(fastcheck.keys_strictly_increasing, tt.table, tt.path, spec.key, wanted)
                    key_jobs[spec.name] = (job, wanted)
        # fast: one self-join counts pairs of spells of a person sharing a day; only if there are any
        # (same BG, or eLb beside something else) do the two rules below run and name them
        # (before that, cheaper still: a file sorted by person and start with disjoint periods has none)
        overlap = nef = household_pairs = True
        if "elb_spells" in disjoint and disjoint["elb_spells"].result():
            overlap = nef = False
        elif fast and ok("elb_spells", "person_id", "bg_id", "status", "start", "end"):
            overlap, nef = _spell_pairs(con)
        if "households" in disjoint and disjoint["households"].result():
            household_pairs = False
        elif fast and ok("households", "bg_id", "start", "end"):
            household_pairs = not _no_pairs(con, "households", "bg_id")
        keysets = _key_sets(con, tables, ok) if fast else None
        if fast:
            _references(con, tables, ok, files, problems, keysets, children=lambda t: t not in key_jobs)
        distinct: dict[tuple[str, str], pa.ChunkedArray] = {}
        for spec in TABLES:
            if ok(spec.name, "start", "end"):
                _end_before_start(con, spec.name, problems)
            if spec.key and ok(spec.name, *spec.key):
                if spec.name in key_jobs and key_jobs[spec.name][0].result():
                    distinct.update({(spec.name, c): pa.chunked_array(parts, _type_of(parts))
                                     for c, parts in key_jobs[spec.name][1].items()})
                else:
                    _duplicate_keys(con, spec.name, spec.key, problems)
        if fast:
            _references(con, tables, ok, files, problems, keysets, distinct, children=lambda t: t in key_jobs)
        else:
            _references(con, tables, ok, files, problems)
        if overlap and ok("elb_spells", "person_id", "bg_id", "start", "end"):
            _overlaps(
                con,
                "elb_spells",
                ("person_id", "bg_id"),
                problems,
                "überschneidet sich mit dem Zeitraum in Zeile {other} (Person {k0}, BG {k1}) ab {day}",
            )
        if nef and ok("elb_spells", "person_id", "status", "start", "end"):
            _elb_and_nef(con, problems)
        if household_pairs and ok("households", "bg_id", "start", "end"):
            # Not among the contract's listed rules: a warning, not a refusal (docs/data.md).
            _overlaps(
                con,
                "households",
                ("bg_id",),
                warnings,
                "BG {k0} hat ab {day} zwei Typen: überschneidet sich mit Zeile {other}",
            )
        # a person is registered as unemployed or not: two spells sharing a day contradict each other
        if ok("unemployment_spells", "person_id", "start", "end") and not (
            "unemployment_spells" in disjoint and disjoint["unemployment_spells"].result()
        ):
            _overlaps(
                con,
                "unemployment_spells",
                ("person_id",),
                problems,
                "überschneidet sich mit dem Zeitraum in Zeile {other} (Person {k0}) ab {day}",
            )
        for col in ("llu", "luh"):
            if ok("payments", col):
                _rule(con, "payments", col, f'"{col}" < 0', problems, "negativer Betrag {v}", value=col)
        _provider_rules(con, problems, ok)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _german_date_sql(expr: str) -> str:
    return f"strftime({expr}, '%d.%m.%Y')"


def _emit(
    con: duckdb.DuckDBPyConnection,
    problems: ProblemCollector,
    table: str,
    column: str,
    sql: str,
    template: str,
) -> None:
    """Add one problem per row of query ``sql`` (columns: line and the template's fields); count all, keep capped."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _found AS {sql}")  # run the rule once
    total = con.execute("SELECT count(*) FROM _found").fetchall()[0][0]
    if not total:
        return
    cur = con.execute(f"SELECT * FROM _found ORDER BY line LIMIT {int(problems.per_check)}")
    cols = [d[0] for d in cur.description]
    for row in cur.fetchall():
        rec = dict(zip(cols, row))
        problems.problems.append(Problem(table, int(rec["line"]), column, template.format(**rec)))
    problems.total += total


def _end_before_start(con: duckdb.DuckDBPyConnection, t: str, problems: ProblemCollector) -> None:
    sql = (
        f"SELECT {LINE} AS line, {_german_date_sql('start')} AS s, {_german_date_sql(chr(34) + 'end' + chr(34))} AS e "
        f'FROM {t} WHERE "end" < start'
    )
    _emit(con, problems, t, "end", sql, "Ende {e} liegt vor dem Beginn {s}")


def _duplicate_keys(
    con: duckdb.DuckDBPyConnection, t: str, key: tuple[str, ...], problems: ProblemCollector
) -> None:
    """Every occurrence of a key after its first line; grouping first keeps the window small."""
    cols = ", ".join(f'"{k}"' for k in key)
    not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in key)
    show = " || ', ' || ".join(f'CAST("{k}" AS VARCHAR)' for k in key)
    sql = (
        f"WITH dup AS (SELECT {cols} FROM {t} WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1) "
        f"SELECT line, first_line, keytext FROM ("
        f"  SELECT {LINE} AS line, min({LINE}) OVER (PARTITION BY {cols}) AS first_line, {show} AS keytext"
        f"  FROM {t} SEMI JOIN dup USING ({cols})) WHERE line > first_line"
    )
    label = " und ".join(key)
    _emit(
        con,
        problems,
        t,
        key[-1] if len(key) > 1 else key[0],
        sql,
        f"doppelter Schlüssel ({label}) „{{keytext}}“, schon in Zeile {{first_line}}",
    )


#: (child table, column, parent table, column): every ForeignKey, and the BGs of households and payments
_REFERENCES = [(spec.name, fk.column, fk.table, fk.ref_column) for spec in TABLES for fk in spec.references] + [
    ("households", "bg_id", "elb_spells", "bg_id"),
    ("payments", "bg_id", "elb_spells", "bg_id"),
]


def _reference_columns(table: str) -> list[str]:
    return [col for child, col, _, _ in _REFERENCES if child == table]


def _type_of(parts: list[pa.Array]) -> pa.DataType:
    return parts[0].type if parts else pa.string()


def _checked_references(tables: dict[str, TypedTable], ok: Callable[..., bool]) -> list[tuple[str, str, str, str]]:
    """The references that can be checked: child column and parent key both usable."""
    return [
        (child, col, parent, ref)
        for child, col, parent, ref in _REFERENCES
        if ok(child, col) and parent in tables and ok(parent, ref)
    ]


def _key_sets(
    con: duckdb.DuckDBPyConnection, tables: dict[str, TypedTable], ok: Callable[..., bool]
) -> dict[tuple[str, str], str]:
    """What each reference is checked against: the parent table itself where the column is its key
    (its values are (nearly) distinct already; an anti-join only asks whether a match exists, so a
    repeated key changes nothing), else one temporary table of the distinct values (e.g. the BGs of
    elb_spells), built once."""
    keysets: dict[tuple[str, str], str] = {}
    for _, _, parent, ref in _checked_references(tables, ok):
        if TABLES_BY_NAME[parent].key == (ref,):
            keysets[(parent, ref)] = parent
        elif (parent, ref) not in keysets:
            name = keysets[(parent, ref)] = f"_keys_{len(keysets)}"
            con.execute(f'CREATE TEMP TABLE {name} AS SELECT DISTINCT "{ref}" FROM {parent}').fetchall()
    return keysets


def _references(
    con: duckdb.DuckDBPyConnection,
    tables: dict[str, TypedTable],
    ok: Callable[..., bool],
    files: set[str],
    problems: ProblemCollector,
    keysets: dict[tuple[str, str], str] | None = None,
    distinct: dict[tuple[str, str], pa.ChunkedArray] | None = None,
    children: Callable[[str], bool] = lambda t: True,
) -> None:
    """Every reference must exist. Fast path: ``keysets`` names a temporary DuckDB table of each
    referenced key set, built once (:func:`_key_sets`) and shared by all tables referring to it; a
    column whose distinct values are known (``distinct``, from the key order pass) is first checked
    by those values alone, and only if one is missing are its rows searched. ``children``: the
    referring tables to check in this call."""
    for child, col, parent, ref in _REFERENCES:
        if not ok(child, col) or not children(child):
            continue
        if parent not in tables:
            # a missing core table is reported already; an absent casework table is reported here
            if parent not in files and not TABLES_BY_NAME[parent].required and tables[child].num_rows:
                problems.add(child, FILE, col, f"verweist auf die Tabelle {parent}, die fehlt")
            continue
        if not ok(parent, ref):
            continue  # the parent's own problem is reported; its keys cannot be checked against
        keys = (keysets or {}).get((parent, ref), f'(SELECT DISTINCT "{ref}" FROM {parent})')
        if distinct and (child, col) in distinct:
            con.register("_distinct", pa.table({col: distinct[(child, col)]}))
            ((missing,),) = con.execute(
                f'SELECT count(*) FROM _distinct c ANTI JOIN {keys} p ON c."{col}" = p."{ref}" '
                f'WHERE c."{col}" IS NOT NULL'
            ).fetchall()  # fetch to the end: the connection is free again
            con.unregister("_distinct")
            if not missing:
                continue
        sql = (
            f'SELECT c.{LINE} AS line, c."{col}" AS v FROM {child} c '
            f'ANTI JOIN {keys} p ON c."{col}" = p."{ref}" '
            f'WHERE c."{col}" IS NOT NULL'
        )
        _emit(con, problems, child, col, sql, f"„{{v}}“ fehlt in {parent}.{ref}")


def _overlaps(
    con: duckdb.DuckDBPyConnection, t: str, group: tuple[str, ...], problems: ProblemCollector, template: str
) -> None:
    """Periods of one group that share a day: each later-starting period is reported once."""
    part = ", ".join(f'"{g}"' for g in group)
    keys = ", ".join(f'"{g}" AS k{i}' for i, g in enumerate(group))
    not_null = " AND ".join(f'"{g}" IS NOT NULL' for g in group)
    sql = (
        f"WITH s AS (SELECT {part}, start, coalesce(\"end\", DATE '9999-12-31') AS e, {LINE} AS line "
        f'           FROM {t} WHERE {not_null} AND start IS NOT NULL AND ("end" IS NULL OR "end" >= start)),'
        f" w AS (SELECT *, max(e) OVER win AS prev_e, arg_max(line, e) OVER win AS other FROM s "
        f"       WINDOW win AS (PARTITION BY {part} ORDER BY start, line "
        f"                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) "
        f"SELECT line, other, {keys}, {_german_date_sql('start')} AS day FROM w WHERE prev_e >= start"
    )
    _emit(con, problems, t, "start", sql, template)


def _spells_of(t: str, columns: str, group: str) -> str:
    """The periods the overlap rules consider: group key and start present, end not before start."""
    return (
        f"SELECT {columns}, start, coalesce(\"end\", DATE '9999-12-31') AS e, {LINE} AS line FROM {t} "
        f'WHERE "{group}" IS NOT NULL AND start IS NOT NULL AND ("end" IS NULL OR "end" >= start)'
    )


def _spell_pairs(con: duckdb.DuckDBPyConnection) -> tuple[bool, bool]:
    """Fast path of the spell rules: are there two spells of a person sharing a day (a) in the same BG,
    (b) with different statuses? Only then can :func:`_overlaps` or :func:`_elb_and_nef` find anything.

    Two periods share a day iff each starts on or before the other's end; the overlap rule reports a
    period iff such a partner exists in its group, the eLb/nEf rule needs one with the other status.
    """
    s = _spells_of("elb_spells", "person_id, bg_id, status", "person_id")
    ((same_bg, other_status),) = con.execute(
        f"WITH s AS ({s}) SELECT count(*) FILTER (a.bg_id = b.bg_id), count(*) FILTER (a.status <> b.status) "
        "FROM s a JOIN s b ON a.person_id = b.person_id AND a.line < b.line AND a.start <= b.e AND b.start <= a.e"
    ).fetchall()
    return bool(same_bg), bool(other_status)


def _no_pairs(con: duckdb.DuckDBPyConnection, t: str, group: str) -> bool:
    """Fast path of :func:`_overlaps` with one group column: no two periods of a group share a day."""
    s = _spells_of(t, f'"{group}"', group)
    ((n,),) = con.execute(
        f'WITH s AS ({s}) SELECT count(*) FROM s a JOIN s b ON a."{group}" = b."{group}" '
        "AND a.line < b.line AND a.start <= b.e AND b.start <= a.e"
    ).fetchall()
    return n == 0


def _elb_and_nef(con: duckdb.DuckDBPyConnection, problems: ProblemCollector) -> None:
    """A person cannot be employable (eLb) and not employable (nEf) on the same day."""
    sql = (
        "WITH s AS (SELECT person_id, status, start, coalesce(\"end\", DATE '9999-12-31') AS e, "
        f"                 {LINE} AS line FROM elb_spells "
        '           WHERE person_id IS NOT NULL AND start IS NOT NULL AND ("end" IS NULL OR "end" >= start)) '
        "SELECT n.line AS line, n.person_id AS p, "
        "       arg_min(a.line, greatest(a.start, n.start)) AS other, "
        f"      {_german_date_sql('min(greatest(a.start, n.start))')} AS day "
        "FROM s n JOIN s a ON a.person_id = n.person_id AND a.start <= n.e AND n.start <= a.e "
        "WHERE n.status = 'nef' AND a.status = 'elb' GROUP BY n.line, n.person_id"
    )
    _emit(
        con,
        problems,
        "elb_spells",
        "status",
        sql,
        "Person {p} ist am {day} zugleich nEf (diese Zeile) und eLb (Zeile {other})",
    )


def _rule(
    con: duckdb.DuckDBPyConnection,
    t: str,
    column: str,
    condition: str,
    problems: ProblemCollector,
    template: str,
    value: str | None = None,
    extra: str = "",
) -> None:
    v = f", replace(CAST(\"{value}\" AS VARCHAR), '.', ',') AS v" if value else ""
    sql = f"SELECT {LINE} AS line{v}{extra} FROM {t} WHERE {condition}"
    _emit(con, problems, t, column, sql, template)


def _provider_rules(
    con: duckdb.DuckDBPyConnection, problems: ProblemCollector, ok: Callable[..., bool]
) -> None:
    t = "childcare_providers"
    for col, what in (
        ("capacity", "negative Kapazität {v}"),
        ("free_places", "negative Zahl freier Plätze {v}"),
        ("min_age_months", "negatives Mindestalter {v}"),
        ("max_age_months", "negatives Höchstalter {v}"),
    ):
        if ok(t, col):
            _rule(con, t, col, f'"{col}" < 0', problems, what, value=col)
    if ok(t, "free_places", "capacity"):
        _rule(
            con,
            t,
            "free_places",
            "free_places > capacity AND capacity >= 0",
            problems,
            "freie Plätze ({v}) übersteigen die Kapazität ({c})",
            value="free_places",
            extra=", capacity AS c",
        )
    if ok(t, "min_age_months", "max_age_months"):
        _rule(
            con,
            t,
            "max_age_months",
            "min_age_months > max_age_months AND max_age_months >= 0",
            problems,
            "Mindestalter ({lo} Monate) über dem Höchstalter ({v} Monate)",
            value="max_age_months",
            extra=", min_age_months AS lo",
        )
