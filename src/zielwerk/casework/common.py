"""Shared building blocks of the work lists: DuckDB over the dataset's Arrow tables.

Everything here is pure: inputs are a :class:`~zielwerk.data.dataset.Dataset` (and optional case
records), outputs are Arrow tables. Who is in the eLb stock and who is LZB at a Stichtag is never
decided here but taken from the engine (:func:`zielwerk.indicators.lzb_status`, convention C2/C3).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.domain.calendar import stichtag as stichtag_of

#: Columns of the engine's per-person status table (data-contract.md, ``zielwerk lzb``).
STATUS_COLUMNS = ("person_id", "jobcenter_id", "municipality_id", "elb_days_730", "is_lzb", "lzb_from")


def lzb_status(ds: Dataset, stichtag: date) -> pa.Table:
    """The engine's per-person table of the eLb stock at ``stichtag`` (incl. ``is_lzb``, ``lzb_from``).

    Single access point to the engine, so that the 638/730 rule (C3) lives only in
    ``zielwerk.indicators``.
    """
    key = (id(ds), stichtag, ds.stichtag_day)
    pinned = _PINNED.get(key)
    if pinned is not None and pinned[0]() is ds:
        return pinned[1]
    hit = _STATUS_CACHE.get(key)
    if hit is not None and hit[0]() is ds:
        return hit[1]
    from zielwerk.indicators import lzb_status as _engine_lzb_status

    result = _engine_lzb_status(ds, stichtag)
    if key in _PINNED:
        _PINNED[key] = (weakref.ref(ds), result)
    if len(_STATUS_CACHE) >= _STATUS_CACHE_SIZE:
        _STATUS_CACHE.pop(next(iter(_STATUS_CACHE)))
    _STATUS_CACHE[key] = (weakref.ref(ds), result)
    return result


#: small cache of engine status tables: building several lists for one Stichtag asks the engine once.
#: Keyed by the dataset object (a weak reference guards against a reused id) and the day.
_STATUS_CACHE: dict[tuple[int, date, int], tuple[weakref.ref, pa.Table]] = {}
_STATUS_CACHE_SIZE = 8
#: status tables kept for a whole batch (:func:`pinned_status`), never evicted while pinned
_PINNED: dict[tuple[int, date, int], tuple[weakref.ref, pa.Table] | None] = {}


@contextmanager
def pinned_status(ds: Dataset, days: Iterable[date]) -> Iterator[None]:
    """Keep the status tables of ``ds`` at ``days`` for the block: a batch that needs them in several
    places (lists, case files, caseload: ``zielwerk.pipeline``) asks the engine once per Stichtag, however
    many other days are asked for in between (those stay in the small cache)."""
    keys = [(id(ds), d, ds.stichtag_day) for d in days]
    for k in keys:
        _PINNED.setdefault(k, None)
    try:
        yield
    finally:
        for k in keys:
            _PINNED.pop(k, None)


def sql_date(d: date) -> str:
    """A DuckDB date literal (``DATE '2015-06-15'``); dates are not user text, so no injection."""
    return f"DATE '{d.isoformat()}'"


def connect(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory DuckDB connection with the given Arrow tables registered as views."""
    con = duckdb.connect()
    for name, tbl in tables.items():
        con.register(name, tbl)
    return con


def query(tables: dict[str, pa.Table], sql: str) -> pa.Table:
    """Run ``sql`` over ``tables`` and return an Arrow table."""
    con = connect(tables)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def covers(alias: str, day: date, start: str = "start", end: str = "end") -> str:
    """SQL condition: the row's inclusive interval [start, end] (end empty = open) contains ``day``."""
    d = sql_date(day)
    return f'({alias}."{start}" <= {d} AND ({alias}."{end}" IS NULL OR {alias}."{end}" >= {d}))'


def age_years_sql(birth: str, on: date) -> str:
    """SQL for the completed years of age on ``on`` — vectorised :func:`zielwerk.domain.law.age_in_years`."""
    return (
        f"({on.year} - year({birth}) - CASE WHEN month({birth}) > {on.month} OR "
        f"(month({birth}) = {on.month} AND day({birth}) > {on.day}) THEN 1 ELSE 0 END)"
    )


def age_months_sql(birth: str, on: date) -> str:
    """SQL for completed months of age on ``on`` — vectorised :func:`zielwerk.domain.law.age_in_months`.

    As there: a month is complete on the last day of a shorter month (born 31.03., one month old on
    30.04.).
    """
    is_month_end = Month.of(on).last_day() == on
    borrow = "0" if is_month_end else f"CASE WHEN day({birth}) > {on.day} THEN 1 ELSE 0 END"
    return f"(({on.year} - year({birth})) * 12 + ({on.month} - month({birth})) - {borrow})"


def add_months(d: date, months: int) -> date:
    """The same day ``months`` months later, clamped to the month's end (§ 188 (2), (3) BGB)."""
    m = Month.of(d) + months
    return date(m.year, m.month, min(d.day, m.last_day().day))


def stichtag_after(ds: Dataset, day: date, months: int) -> date:
    """The Stichtag ``months`` reporting months after the month of ``day`` (C1)."""
    return stichtag_of(Month.of(day) + months, ds.stichtag_day)


def person_details(
    ds: Dataset, day: date, records_contacts: pa.Table | None = None, person_ids: pa.Table | None = None
) -> pa.Table:
    """Per person: name-free case context at ``day`` for the list exports.

    Columns: ``person_id``, ``sex``, ``age``, ``obstacles`` (open Handlungsbedarfe, codes separated by
    spaces), ``measures`` (instruments running at ``day``), ``caseworker_id``, ``caseworker_name``,
    ``team`` (assignment covering ``day``; if several, the one that started last), ``last_contact``
    (latest recorded contact on or before ``day``, from the case records).
    """
    contacts = records_contacts
    if contacts is None:
        contacts = pa.table({"person_id": pa.array([], pa.string()), "contact_date": pa.array([], pa.date32())})
    ids = person_ids if person_ids is not None else ds["persons"].select(["person_id"])
    tables = {
        "ids": ids.select(["person_id"]),
        "persons": ds["persons"],
        "obstacles": ds["obstacles"],
        "measures": ds["measures"],
        "assignments": ds["assignments"],
        "caseworkers": ds["caseworkers"],
        "contacts": contacts.select(["person_id", "contact_date"]),
    }
    d = sql_date(day)
    sql = f"""
    WITH obs AS (
        SELECT person_id, string_agg(DISTINCT category, ' ' ORDER BY category) AS obstacles
        FROM obstacles o WHERE {covers('o', day)} AND person_id IN (SELECT person_id FROM ids) GROUP BY person_id),
    mea AS (
        SELECT person_id, string_agg(DISTINCT instrument, ' ' ORDER BY instrument) AS measures
        FROM measures m WHERE {covers('m', day)} AND person_id IN (SELECT person_id FROM ids) GROUP BY person_id),
    asg AS (
        SELECT person_id, caseworker_id FROM (
            SELECT a.person_id, a.caseworker_id,
                   row_number() OVER (PARTITION BY a.person_id ORDER BY a.start DESC, a.caseworker_id DESC) AS rn
            FROM assignments a WHERE {covers('a', day)} AND a.person_id IN (SELECT person_id FROM ids)) WHERE rn = 1),
    con AS (
        SELECT person_id, max(contact_date) AS last_contact FROM contacts
        WHERE contact_date <= {d} GROUP BY person_id)
    SELECT p.person_id, p.sex, {age_years_sql('p.birth_date', day)} AS age,
           obs.obstacles, mea.measures, asg.caseworker_id, cw.name AS caseworker_name, cw.team,
           con.last_contact
    FROM persons p SEMI JOIN ids USING (person_id)
    LEFT JOIN obs USING (person_id) LEFT JOIN mea USING (person_id)
    LEFT JOIN asg USING (person_id) LEFT JOIN caseworkers cw ON cw.caseworker_id = asg.caseworker_id
    LEFT JOIN con USING (person_id)
    """
    return query(tables, sql)


def with_details(
    ds: Dataset, base: pa.Table, day: date, contacts: pa.Table | None = None, order_by: str = "person_id"
) -> pa.Table:
    """``base`` (must have ``person_id``) joined with :func:`person_details` at ``day``."""
    details = person_details(ds, day, contacts, base.select(["person_id"]))
    drop = [c for c in details.column_names if c in base.column_names and c != "person_id"]
    details = details.drop(drop) if drop else details
    return query(
        {"base": base, "details": details},
        f"SELECT base.*, details.* EXCLUDE (person_id) FROM base LEFT JOIN details USING (person_id) ORDER BY {order_by}",
    )


def with_goal(tbl: pa.Table, goal: str, list_name: str) -> pa.Table:
    """Attach the agreement goal a list serves as schema metadata (read by exports and the web)."""
    meta = dict(tbl.schema.metadata or {})
    meta[b"zielwerk.list"] = list_name.encode()
    meta[b"zielwerk.goal"] = goal.encode()
    return tbl.replace_schema_metadata(meta)


def goal_of(tbl: pa.Table) -> str | None:
    meta = tbl.schema.metadata or {}
    g = meta.get(b"zielwerk.goal")
    return g.decode() if g else None


def ids_table(person_ids: Iterable[str]) -> pa.Table:
    return pa.table({"person_id": pa.array(sorted(set(person_ids)), pa.string())})
