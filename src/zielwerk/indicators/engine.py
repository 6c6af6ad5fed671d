"""DuckDB executor: compiles the definitions of :mod:`.definitions` to SQL over the dataset's tables.

Interval-based: spells are never expanded to days (and, except where a person's spells overlap, not
to months). Each spell becomes a *segment*: the range of reporting months whose Stichtag it covers
and the month from which its person is LZB (one start per merged eLb interval, C3). Stocks are
counted as changes at range boundaries, summed over the months in a numpy cube; entries and exits
come from interval merging with one window pass (docs/kennzahlen.md § Architecture).

Reading guide: every legal number comes from the dated ``law.Regulation`` of the months concerned
(the lookback, too: :func:`lookback_months`); each shared relation has one ``_*_sql`` function, each
block one ``_block_*`` function; :func:`_blocks` runs the pipeline and alone creates and drops the
temporary tables.

Month indices: ``t = year·12 + month − 1`` (:attr:`zielwerk.domain.calendar.Month.index`).
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month, stichtag
from zielwerk.domain.law import Regulation

from .definitions import EVENT_BLOCKS, INDICATORS, OFFICIAL_CODES, Indicator, Term, resolve_window

#: open spells ("end" empty) run until this sentinel day
OPEN_END = date(2999, 12, 31)
LEVELS = {"all": ("jobcenter", "municipality", "total"), "jobcenter": ("jobcenter", "total"),
          "municipality": ("municipality", "total")}
TOTAL_ID = "total"

#: the indicator output's long table (data-contract.md "Indicator output"); one schema for every producer
LONG_SCHEMA = pa.schema(
    [
        ("unit_type", pa.string()),
        ("unit_id", pa.string()),
        ("month", pa.string()),
        ("indicator", pa.string()),
        ("sex", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("provisional", pa.bool_()),
    ]
)
_LONG_SCHEMA = LONG_SCHEMA


# --- small compilation helpers ---------------------------------------------------------------

def _sql_set(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) + ")"


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


def _reg_case(t_col: str, attr_sql) -> str:
    """CASE over the regulation versions by month index ``t_col`` (months before 2011 use FKV 2011)."""
    parts = []
    for reg in law.REGULATIONS:
        if reg.last_month is None:
            parts.append(f"ELSE {attr_sql(reg)}")
        else:
            parts.append(f"WHEN {t_col} <= {reg.last_month.index} THEN {attr_sql(reg)}")
    return "CASE " + " ".join(parts) + " END"


def _is_integration_sql(reg: Regulation) -> str:
    # zielwerk.domain.law.is_integration
    return f"(kind IN {_sql_set(reg.integration_kinds)} AND subsidy NOT IN {_sql_set(reg.publicly_funded_subsidies)})"


def _is_public_sql(reg: Regulation) -> str:
    # zielwerk.domain.law.is_publicly_funded
    return (f"(kind = '{law.PUBLIC_FUNDED_KIND}' OR (kind <> '{law.MARGINAL_KIND}' AND subsidy IN "
            f"{_sql_set(reg.publicly_funded_subsidies)}))")


def _is_marginal_sql(reg: Regulation) -> str:
    # zielwerk.domain.law.is_marginal
    return f"(kind = '{law.MARGINAL_KIND}')"


_CLASS_SQL = {"integration": _is_integration_sql, "public_funded": _is_public_sql, "marginal": _is_marginal_sql}


def _month_idx_sql(col: str, day: int) -> str:
    """Reporting month (index) whose flow window (S_{t−1}, S_t] holds the date ``col`` (C1)."""
    # the Stichtag is day ``day`` of the month, or its last day where the month is shorter (C1);
    # every month has 28 days, so for day ≤ 28 the month's length does not matter
    limit = str(day) if day <= 28 else f"least({day}, day(last_day({col})))"
    return f"(year({col}) * 12 + month({col}) - 1 + CASE WHEN day({col}) > {limit} THEN 1 ELSE 0 END)"


def _person_hash(col: str) -> str:
    """64-bit hash of a person identifier; ``ZIELWERK_PERSON_HASH_BITS`` (tests) keeps fewer bits,
    which forces collisions."""
    bits = int(os.environ.get("ZIELWERK_PERSON_HASH_BITS", "64"))
    return f"hash({col})" if bits >= 64 else f"(hash({col}) % {2 ** bits})::UBIGINT"


@dataclass(frozen=True)
class _PersonKey:
    """The integer person key: a 64-bit hash of the identifier (tables get it without a join;
    :func:`_blocks` checks it on the join of the spells with the persons), else a number
    assigned via ``pers``."""

    hashed: bool = True

    def select(self, alias: str) -> tuple[str, str]:
        """SQL for the key of a row of ``alias`` and the join clause it needs."""
        if self.hashed:
            return _person_hash(f"{alias}.person_id"), ""
        return "p.person_id", f"JOIN pers p ON p.pid = {alias}.person_id"

    def exact(self, alias: str) -> str:
        """SQL that is true where the row of ``alias`` was joined to its own person (``pers p``)."""
        return f"p.pid = {alias}.person_id" if self.hashed else "true"

    def match(self, alias: str) -> str:
        """Join condition of ``alias`` with ``pers p``."""
        return f"p.person_id = {_person_hash(f'{alias}.person_id')}" if self.hashed else f"p.pid = {alias}.person_id"


def _connect(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with the dataset's tables as ``src_<name>``: validated Parquet files scanned in
    place, other tables as zero-copy Arrow scans.

    Environment: ``ZIELWERK_DUCKDB_THREADS`` (default: all cores), ``ZIELWERK_DUCKDB_MEMORY`` (memory
    limit, default ``6GB``; beyond it DuckDB spills to a temporary folder).
    """
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{os.environ.get('ZIELWERK_DUCKDB_MEMORY', '6GB')}'")
    con.execute(f"SET temp_directory = '{Path(tempfile.gettempdir()) / 'zielwerk-duckdb'}'")
    con.execute("SET preserve_insertion_order = false")
    if os.environ.get("ZIELWERK_DUCKDB_THREADS"):
        con.execute(f"SET threads = {int(os.environ['ZIELWERK_DUCKDB_THREADS'])}")
    for name in ("jobcenters", "municipalities", "persons", "elb_spells", "households", "payments",
                 "employment", "measures"):
        path = ds.parquet_path(name)
        if path is None:
            con.register(f"src_{name}", ds[name])
        else:  # validated file with the canonical columns: scanned, never held in memory
            con.execute(f"CREATE TEMP VIEW src_{name} AS SELECT * FROM read_parquet('{_sql_text(str(path))}')")
    return con



@dataclass
class _Ctx:
    """One computation: the connection, the months lo..hi whose blocks are computed, the first
    reporting month, the Stichtag day and the regulation versions in force from lo to hi."""

    con: duckdb.DuckDBPyConnection
    lo: int
    hi: int
    day: int
    first: int
    regs: tuple[Regulation, ...]
    person_key: _PersonKey = _PersonKey()

    def param(self, name: str):
        """A legal parameter of the versions in force (the engine needs one value per run)."""
        return law.common_value(self.regs, name)

    @property
    def full_from(self) -> int:
        """First month whose blocks are computed for every person (:func:`_full_back`); before it
        (down to ``lo``) only K2E3's base is computed."""
        return self.first - _full_back(self.regs)

    def S(self, t: int) -> date:
        return stichtag(Month.from_index(t), self.day)


# --- lookback: derived from the regulation's parameters ----------------------------------------

def _full_back(regs: tuple[Regulation, ...]) -> int:
    """Months before the first reporting month from which every block is needed: the rolling windows
    read the stocks back to S_{t−R} (R = ``rolling_months``: the BA denominator S_{t−12}..S_{t−1},
    K1E4's S_{t−12}, the change rates' t−12), and the starts counted in month t−R+1 need the stock at
    S_{t−R−1} (C6)."""
    return law.common_value(regs, "rolling_months") + 1


def _k2e3_back(reg: Regulation) -> int:
    """Months before a reporting month t that K2E3 reads under ``reg`` (C8): the base months
    t−L−B+1..t−L (L lag, B base months), and a start counted in base month m may lie in
    (S_{m−2}, S_{m−1}] and is then counted with the stock at S_{m−2} (C6)."""
    return reg.k2e3_lag_months + reg.k2e3_base_months - 1 + 2


def lookback_months(first: Month, last: Month) -> int:
    """Months of history before ``first`` from which the blocks are computed: the most any version
    in force for the reporting months ``first``..``last`` needs."""
    regs = law.regulations_between(first, last)
    return max(_full_back(regs), *(_k2e3_back(r) for r in regs))


#: The lookback over every version (callers that do not pass their reporting months).
LOOKBACK_MONTHS = lookback_months(law.REGULATIONS[0].first_month, law.REGULATIONS[-1].first_month)


# --- the temporary tables of one computation -----------------------------------------------------

class _Temps:
    """The temporary tables and views of one computation. :func:`_blocks` owns the only instance:
    it creates every intermediate relation and drops each as soon as nothing reads it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.live: dict[str, str] = {}

    def create(self, name: str, sql: str, kind: str = "TABLE") -> None:
        self.con.execute(f"CREATE TEMP {kind} {name} AS {sql}")
        self.live[name] = kind

    def drop(self, *names: str) -> None:
        for name in names:
            self.con.execute(f"DROP {self.live.pop(name)} {name}")

    def drop_all(self) -> None:
        self.drop(*reversed(list(self.live)))


# --- SQL of the shared relations (spells, segments, events); executed by _blocks ----------------

def _jdim_sql() -> str:
    # integer surrogate keys (the string identifiers are mapped back at the end)
    return ("SELECT jobcenter_id AS jid, (row_number() OVER (ORDER BY jobcenter_id) - 1)::INTEGER AS ji "
            "FROM src_jobcenters")


def _mdim_sql() -> str:
    # municipalities are numbered 0.. in the order of their identifiers (the cube's unit axis)
    return """
        SELECT m.municipality_id AS mid, (row_number() OVER (ORDER BY m.municipality_id) - 1)::INTEGER AS mi, j.ji
        FROM src_municipalities m JOIN jdim j ON j.jid = m.jobcenter_id"""


def _persons_sql(numbered: bool) -> str:
    """Person key (_PersonKey): the hashed identifier (a view, read once by the join with the
    spells), or a number (the fallback where hashes collide)."""
    key = "row_number() OVER ()::UBIGINT" if numbered else _person_hash("person_id")
    return f"""
        SELECT person_id AS pid, {key} AS person_id,
               CASE sex WHEN 'f' THEN 1 WHEN 'm' THEN 2 ELSE 0 END::TINYINT AS sex, birth_date
        FROM src_persons"""


def _payments_sql(ctx: _Ctx) -> str:
    """K1/K1E1: payments of the months t and t−12 of the reporting months, per month and
    municipality. The months as a list: DuckDB evaluates it on the Parquet dictionary (a range
    comparison made the scan of a large file about twice as slow as no filter)."""
    months = (str(Month.from_index(t)) for t in range(ctx.first - 12, ctx.hi + 1))
    return f"""
        SELECT CAST(substr(y.month, 1, 4) AS INTEGER) * 12 + CAST(substr(y.month, 6, 2) AS INTEGER) - 1 AS t,
               md.mi AS municipality_id, y.llu, y.luh
        FROM (SELECT month, municipality_id, sum(llu) AS llu, sum(luh) AS luh FROM src_payments
              WHERE month IN {_sql_set(months)}
              GROUP BY month, municipality_id) y
        JOIN mdim md ON md.mid = y.municipality_id"""


def _single_parent_bgs_sql(ctx: _Ctx) -> str:
    return f"""
        SELECT h.bg_id AS bid, h."start", coalesce(h."end", DATE '{OPEN_END}') AS "end"
        FROM src_households h WHERE h.bg_type = 'single_parent'
          AND coalesce(h."end", DATE '{OPEN_END}') >= DATE '{ctx.S(ctx.lo)}'"""


def _spell_pass_sql(ctx: _Ctx) -> str:
    """The eLb spells in one window pass (partitioned by person, ordered by start).

    Merged eLb intervals per person over all units (C3: overlaps count once). Each spell keeps its
    merged interval (grp, starting on day ms) and its eLb period with gaps of up to
    ``merge_gap_days`` bridged (grp7, C4). ``ov``: the spell overlaps another one of the person (C2
    needs a choice only there); ``near``: the spell starts a merged interval and an earlier one ends
    less than ``lzb_window_days`` before (C3 then needs the earlier intervals); ``multi``: more than
    one earlier interval reaches into that window. ``bid``: the BG identifier as text (C2 compares
    it, households join on it).

    Spells ending long before the period cannot count: from month ``full_from`` on every block needs
    at most the LZB window before its Stichtag and a flow window (≤ 31 days, gaps bridged) before it;
    before that month only K2E3's stock membership is read, and spells covering S_lo end after the cut.
    """
    W, gap = ctx.param("lzb_window_days"), ctx.param("merge_gap_days")
    spell_cut = ctx.S(ctx.full_from) - timedelta(days=W + 31 + gap + 2)
    pk = ctx.person_key
    spells = f"""
        SELECT p.person_id, p.sex, p.birth_date AS bd, s.bg_id AS bid, md.mi AS municipality_id,
               md.ji AS jobcenter_id, s.role = 'head' AS role, s."start" AS s,
               coalesce(s."end", DATE '{OPEN_END}') AS e, {pk.exact("s")} AS key_ok
        FROM src_elb_spells s JOIN pers p ON {pk.match("s")}
        JOIN mdim md ON md.mid = s.municipality_id
        WHERE s.status = 'elb' AND coalesce(s."end", DATE '{OPEN_END}') >= DATE '{spell_cut}'"""
    return f"""
        WITH o AS (
            SELECT *, max(e) OVER (PARTITION BY person_id ORDER BY s, e
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e,
                   lead(s) OVER (PARTITION BY person_id ORDER BY s, e) AS next_s
            FROM ({spells})),
        n AS (
            SELECT * EXCLUDE (next_s), prev_e IS NULL OR s > prev_e + 1 AS new1,
                   prev_e IS NULL OR s > prev_e + {gap + 1} AS new7,
                   coalesce(s <= prev_e, false) OR coalesce(next_s <= e, false) AS ov,
                   coalesce(s > prev_e + 1 AND prev_e >= s - {W}, false) AS near
            FROM o),
        -- at the start of a merged interval: the previous interval is [ps1, prev_e]; the one before
        -- it ends on e2
        x AS (
            SELECT * EXCLUDE (new1, new7),
                   sum(new1::INTEGER) OVER w AS grp, sum(new7::INTEGER) OVER w AS grp7,
                   max(CASE WHEN new1 THEN s END) OVER w AS ms,
                   max(CASE WHEN new1 THEN s END) OVER wp AS ps1,
                   max(CASE WHEN new1 THEN prev_e END) OVER wp AS e2
            FROM n
            WINDOW w AS (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING),
                   wp AS (PARTITION BY person_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
        -- near: only the previous interval reaches into the window (pq_s..pq_e); multi: more do
        SELECT * EXCLUDE (prev_e, ps1, e2),
               CASE WHEN near THEN ps1 END AS pq_s, CASE WHEN near THEN prev_e END AS pq_e,
               near AND coalesce(e2 >= s - {W}, false) AS multi
        FROM x"""


def _person_rows_sql(ctx: _Ctx, table: str, cols: str) -> str:
    """Employment or measures that can touch a Stichtag or flow window of the period, keyed."""
    key, join = ctx.person_key.select("x")
    return f"""
        SELECT {key} AS person_id, {cols}, x."start", x."end" FROM src_{table} x {join}
        WHERE x."start" <= DATE '{ctx.S(ctx.hi)}' AND coalesce(x."end", DATE '{OPEN_END}') >= DATE '{ctx.S(ctx.lo)}'"""


def _periods_sql(ctx: _Ctx) -> str:
    """eLb periods (C4) over all units. A period whose spells all lie in one Jobcenter
    (municipality) is also that unit's period (periods are more than the gap apart, at unit level
    even more); the spells of the other periods (``_movers_sql``) are merged per unit later (few
    rows). Entries and exits are read from month ``full_from`` on: spells ending more than gap + 1
    days before its flow window cannot change one, so periods, and whether they stay in one unit,
    are judged on the spells from ``_flow_cut`` on."""
    return f"""
        SELECT person_id, grp7, any_value(sex) AS sex, min(s) AS ps, max(e) AS pe,
               min(jobcenter_id) < max(jobcenter_id) AS mv_j, min(municipality_id) < max(municipality_id) AS mv_m,
               any_value(jobcenter_id) AS jc, any_value(municipality_id) AS mun
        FROM spg WHERE e >= DATE '{_flow_cut(ctx)}' GROUP BY person_id, grp7"""


def _flow_cut(ctx: _Ctx) -> date:
    return ctx.S(ctx.full_from - 1) - timedelta(days=ctx.param("merge_gap_days") + 1)


def _movers_sql(ctx: _Ctx) -> str:
    return f"""
        SELECT g.person_id, g.sex, g.jobcenter_id, g.municipality_id, p.mv_j, p.mv_m, g.s, g.e
        FROM spg g JOIN (SELECT person_id, grp7, mv_j, mv_m FROM per WHERE mv_j OR mv_m) p USING (person_id, grp7)
        WHERE g.e >= DATE '{_flow_cut(ctx)}'"""


def _t_range_sql(start: str, end: str, day: int) -> tuple[str, str]:
    """First and last reporting month whose Stichtag lies in the days ``start``..``end`` (C1)."""
    return _month_idx_sql(start, day), f"({_month_idx_sql(f'({end}) + 1', day)} - 1)"


def _merge_ranges_sql(src: str, key: str) -> str:
    """Union of the month ranges [a, b] of ``src`` per ``key`` (overlapping or adjacent ranges merged)."""
    return f"""
        WITH o AS (
            SELECT {key}, a, b, max(b) OVER (PARTITION BY {key} ORDER BY a, b
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pb
            FROM (SELECT * FROM ({src}) WHERE a <= b)),
        g AS (SELECT *, sum(CASE WHEN pb IS NULL OR a > pb + 1 THEN 1 ELSE 0 END)
                        OVER (PARTITION BY {key} ORDER BY a, b ROWS UNBOUNDED PRECEDING) AS grp FROM o)
        SELECT {key}, min(a)::INTEGER AS a, max(b)::INTEGER AS b FROM g GROUP BY {key}, grp"""


def _lzb_start_sql(ctx: _Ctx) -> str:
    """The first month ``tl`` at whose Stichtag a merged interval with earlier intervals in reach
    (``near``) is LZB (C3); without earlier intervals it is the Stichtag on or after day
    ms + n − 1 (n = ``lzb_min_days``), see :func:`_segments_sql`.

    One earlier interval [q_s, q_e] in reach (q_e < ms), window of w days: the eLb days at day x ≥ ms are
      x − ms + 1 + (q_e − q_s + 1)   while the whole earlier interval is in the window (x ≤ q_s + w − 1),
      q_e − ms + w + 1               while it leaves the window (constant),
      x − ms + 1                     once it has left (x > q_e + w − 1);
    the first day with ≥ n is the least of the first qualifying day of the first two pieces and day
    ms + n − 1 (which always qualifies: n days of the current interval alone). Several earlier
    intervals in reach (rare): the days at each candidate Stichtag.
    """
    n, w = ctx.param("lzb_min_days"), ctx.param("lzb_window_days")
    first_day = (f"least(CASE WHEN greatest(ms, ms + {n - 1} - (pq_e - pq_s + 1)::INTEGER) <= pq_s + {w - 1} "
                 f"THEN greatest(ms, ms + {n - 1} - (pq_e - pq_s + 1)::INTEGER) END, "
                 f"CASE WHEN greatest(ms, pq_s + {w}) <= pq_e + {w - 1} AND ms - pq_e <= {w + 1 - n} "
                 f"THEN greatest(ms, pq_s + {w}) END, "
                 f"ms + {n - 1})")
    many = (f"list_sum(list_transform(p.prevs, lambda q: "
            f"greatest(0, least(q.e, st.S) - greatest(q.s, st.S - {w - 1}) + 1)))")
    return f"""
        WITH m AS (
            SELECT person_id, grp, min(s) AS s, max(e) AS e, bool_or(multi) AS multi FROM spg
            WHERE person_id IN (SELECT person_id FROM spg WHERE multi) GROUP BY ALL),
        pm AS (
            SELECT l.person_id, l.grp, l.s AS ms, list({{'s': q.s, 'e': q.e}}) AS prevs
            FROM m l JOIN m q ON q.person_id = l.person_id AND q.grp < l.grp AND q.e >= l.s - {w}
            WHERE l.multi GROUP BY l.person_id, l.grp, l.s)
        SELECT person_id, grp, {_month_idx_sql("d", ctx.day)}::INTEGER AS tl
        FROM (SELECT person_id, grp, {first_day} AS d
              FROM (SELECT person_id, grp, s AS ms, pq_s, pq_e FROM spg WHERE near AND NOT multi))
        UNION ALL
        SELECT p.person_id, p.grp, min(st.t)::INTEGER AS tl
        FROM pm p JOIN st ON st.S BETWEEN p.ms AND p.ms + {n - 2}
        WHERE (st.S - p.ms + 1) + {many} >= {n}
        GROUP BY ALL"""


def _k2e3_base_kinds(ctx: _Ctx) -> frozenset[str]:
    return frozenset().union(*(r.k2e3_base_kinds for r in ctx.regs))


def _early_sql(ctx: _Ctx) -> str:
    """Persons whose stock membership is needed before ``full_from``: an employment start of a kind
    in some K2E3 base between S_lo and S_{full_from}."""
    return f"""
        SELECT DISTINCT person_id FROM emp
        WHERE kind IN {_sql_set(_k2e3_base_kinds(ctx))} AND "start" <= DATE '{ctx.S(ctx.full_from)}'
          AND "start" > DATE '{ctx.S(ctx.lo)}'"""


def _segments_sql(ctx: _Ctx) -> str:
    """The eLb stock as *segments* (C2, C3): per spell the range of reporting months t0..t1 at whose
    Stichtag the spell makes its person part of the stock, and ``la``, the first of them at which
    the person is LZB. A person is in at most one segment per Stichtag.

    Within a merged eLb interval the eLb days in the window never decrease (each day adds one in the
    interval and removes at most one from before it), so LZB status is a suffix of the interval: one
    start per merged interval (``mlzb`` where earlier intervals are in reach, else the Stichtag on or
    after day ms + n − 1). Persons with overlapping spells (rare) get one single-month segment per
    Stichtag with the spell chosen by C2. Before ``full_from`` only persons of ``early``.
    """
    lo, hi, day, n = ctx.lo, ctx.hi, ctx.day, ctx.param("lzb_min_days")
    t_from, t_to = _t_range_sql("g.s", "g.e", day)
    first_t = f"greatest({t_from}, CASE WHEN ep.person_id IS NULL THEN {ctx.full_from} ELSE {lo} END)"
    last_t = f"least({t_to}, {hi})"
    src = "spg g LEFT JOIN mlzb m USING (person_id, grp) LEFT JOIN early ep ON ep.person_id = g.person_id"
    tl = f"coalesce(m.tl, {_month_idx_sql(f'(g.ms + {n - 1})', day)})::INTEGER"
    return f"""
        SELECT person_id, sex, bd, municipality_id, bid, role, t0, t1,
               greatest(t0, tl)::INTEGER AS la
        FROM (SELECT g.person_id, g.sex, g.bd, g.municipality_id, g.bid, g.role,
                     {first_t}::INTEGER AS t0, {last_t}::INTEGER AS t1, {tl} AS tl
              FROM {src} WHERE NOT g.ov)
        WHERE t0 <= t1
        UNION ALL
        SELECT person_id, sex, bd, a.m, a.b, a.r, t, t, greatest(t, a.tl)::INTEGER FROM (
            SELECT t, person_id, sex, bd,
                   arg_max({{'m': municipality_id, 'b': bid, 'r': role, 'tl': tl}},
                           {{'s': s, 'b': bid}}) AS a
            FROM (SELECT g.person_id, g.sex, g.bd, g.municipality_id, g.bid, g.role, g.s, {tl} AS tl,
                         unnest(range({first_t}, {last_t} + 1))::INTEGER AS t
                  FROM {src} WHERE g.ov)
            GROUP BY t, person_id, sex, bd)"""


def _lzb_ranges_sql() -> str:
    """LZB ranges: one per segment in which the person becomes or is LZB."""
    return "SELECT person_id, municipality_id, sex, la, t1 FROM seg WHERE la <= t1"


def _single_parent_ranges_sql(ctx: _Ctx) -> str:
    """Single parents (AE): heads of a BG at a Stichtag in a single-parent period of that BG."""
    h0, h1 = _t_range_sql('"start"', '"end"', ctx.day)
    hr = _merge_ranges_sql(f"SELECT bid, greatest({h0}, {ctx.lo}) AS a, least({h1}, {ctx.hi}) AS b FROM hh", "bid")
    return f"""
        WITH hr AS ({hr})
        SELECT s.person_id, s.municipality_id, s.sex, greatest(s.t0, hr.a) AS a, least(s.t1, hr.b) AS b
        FROM seg s JOIN hr ON hr.bid = s.bid
        WHERE s.role AND greatest(s.t0, hr.a) <= least(s.t1, hr.b)"""


def _events_sql(ctx: _Ctx) -> str:
    """Employment starts counted by the BA rule (C6), with the person's unit, sex, LZB and AE status
    at the Stichtag before (S_{m−1}; entry and integration in the same month: S_m) and the start's
    class under the regulation of the counting month m (``is_integration`` etc.)."""
    lo, hi, day = ctx.lo, ctx.hi, ctx.day
    te = _month_idx_sql('"start"', day)
    cls_cols = ", ".join(f"{_reg_case('m', fn)} AS is_{name}" for name, fn in _CLASS_SQL.items())
    # the segment at S_{te−1}, else (not in the stock then) the one at S_te: one join, the earlier wins
    return f"""
        WITH ev0 AS (
            SELECT row_number() OVER () AS eid, person_id, kind, subsidy, "start" AS d, {te} AS te
            FROM emp WHERE {te} BETWEEN {lo + 1} AND {hi}),
        j AS (
            SELECT ev0.*, CASE WHEN ev0.te - 1 BETWEEN s.t0 AND s.t1 THEN ev0.te - 1 ELSE ev0.te END AS pt,
                   s.municipality_id, s.sex, s.la, s.bd
            FROM ev0 JOIN seg s ON s.person_id = ev0.person_id AND s.t0 <= ev0.te AND s.t1 >= ev0.te - 1),
        c0 AS (
            SELECT eid, any_value(person_id) AS person_id, any_value(kind) AS kind, any_value(subsidy) AS subsidy,
                   any_value(d) AS d, any_value(te) AS te, min(pt) AS pt,
                   arg_min({{'m': municipality_id, 'x': sex, 'la': la, 'bd': bd}}, pt) AS a
            FROM j GROUP BY eid),
        c AS (
            SELECT person_id, kind, subsidy, d, te, a.bd AS birth_date, pt,
                   CASE WHEN pt = te - 1 THEN te ELSE te + 1 END AS m,
                   a.m AS municipality_id, a.x AS sex, pt >= a.la AS lzb
            FROM c0
            WHERE pt = te - 1 OR (te + 1 <= {hi} AND te - 1 >= {lo}))
        SELECT c.* EXCLUDE (pt, birth_date),
               EXISTS (SELECT 1 FROM ae_rng a WHERE a.person_id = c.person_id AND c.pt BETWEEN a.a AND a.b) AS ae,
               {cls_cols},
               year(d) - year(birth_date)
                 - CASE WHEN (month(d), day(d)) < (month(birth_date), day(birth_date)) THEN 1 ELSE 0 END AS age
        FROM c"""


# --- the blocks: one function per block (or pair), each with its definition's convention ---------
# Each returns SQL with the columns (t, municipality_id, sex, b, val): the block's value (or, for
# stocks, its change) in month t, municipality and sex, with b the block's position in FINE_BLOCKS.

#: blocks computed at the finest grain (month, municipality, sex); the first ``len(STOCK_BLOCKS)``
#: are stocks, delivered as changes (+1 where a range starts, −1 after it ends) and summed up over
#: the months
STOCK_BLOCKS = ("elb", "lzb", "ae", "lzb_active")
FINE_BLOCKS = (*STOCK_BLOCKS, "lzb_in", "lzb_out", *EVENT_BLOCKS, "k2e3_num", "k2e3_den", "llu", "luh")
#: entries/exits with gap merge: computed per level and unit (C4), not summable from municipalities
FLOW_BLOCKS = ("elb_in", "elb_out")
ALL_BLOCKS = (*FINE_BLOCKS, *FLOW_BLOCKS)
SEXES = ("all", "f", "m")
_BI = {b: i for i, b in enumerate(FINE_BLOCKS)}


def _stock_changes(block: str, src: str, a: str, b: str, hi: int) -> str:
    """The stock ``block`` over the month ranges [a, b] of ``src`` as changes: +1 in month a, −1 in
    month b + 1 (one scan of ``src``)."""
    return f"""
        SELECT CASE WHEN d.v = 1 THEN {a} ELSE {b} + 1 END, municipality_id, sex, {_BI[block]}, d.v
        FROM ({src}) r, (VALUES (1), (-1)) d(v) WHERE d.v = 1 OR {b} < {hi}"""


def _block_elb(ctx: _Ctx) -> str:
    """``elb`` (C1, C2): persons in the eLb stock at S_t, in the unit of their segment."""
    return _stock_changes("elb", "SELECT * FROM seg", "t0", "t1", ctx.hi)


def _block_lzb(ctx: _Ctx) -> str:
    """``lzb`` (C3): LZB at S_t."""
    return _stock_changes("lzb", "SELECT * FROM lzr", "la", "t1", ctx.hi)


def _block_ae(ctx: _Ctx) -> str:
    """``ae``: heads of a single-parent BG at S_t (K2E4 denominator)."""
    return _stock_changes("ae", "SELECT * FROM ae_rng", "a", "b", ctx.hi)


def _block_lzb_active(ctx: _Ctx) -> str:
    """``lzb_active`` (K3E2, § 6 Abs. 2 Nr. 2 with § 2 Abs. 2 Nr. 1, C12): LZB at S_t with a measure
    covering S_t whose instrument is in ``active_instruments`` of the version in force for t. The
    measure ranges are cut to each version's months and merged per person, so a person counts once."""
    lo, hi = ctx.lo, ctx.hi
    m0, m1 = _t_range_sql('"start"', f"""coalesce("end", DATE '{OPEN_END}')""", ctx.day)
    per_reg = []
    for i, reg in enumerate(ctx.regs):
        r_lo = lo if i == 0 else max(lo, reg.first_month.index)
        r_hi = hi if reg.last_month is None else min(hi, reg.last_month.index)
        if r_lo <= r_hi:
            per_reg.append(f"""
                SELECT person_id, greatest({m0}, {r_lo}) AS a, least({m1}, {r_hi}) AS b FROM meas
                WHERE instrument IN {_sql_set(reg.active_instruments) if reg.active_instruments else "('')"}
                  AND person_id IN (SELECT person_id FROM lzr)""")
    src = f"""
        WITH mr AS ({_merge_ranges_sql(" UNION ALL ".join(per_reg), "person_id")})
        SELECT l.municipality_id, l.sex, greatest(l.la, mr.a) AS a, least(l.t1, mr.b) AS b
        FROM lzr l JOIN mr USING (person_id)
        WHERE greatest(l.la, mr.a) <= least(l.t1, mr.b)"""
    return _stock_changes("lzb_active", src, "a", "b", hi)


def _block_lzb_in(ctx: _Ctx) -> str:
    """``lzb_in`` (C5): LZB at S_t and not at S_{t−1} (anywhere): an LZB range that does not continue
    another range of the person; counted at the unit at S_t."""
    return f"""
        SELECT r.la, r.municipality_id, r.sex, {_BI['lzb_in']}, 1 FROM lzr r
        WHERE r.la > {ctx.lo} AND NOT EXISTS (SELECT 1 FROM lzr q WHERE q.person_id = r.person_id AND q.t1 = r.la - 1)"""


def _block_lzb_out(ctx: _Ctx) -> str:
    """``lzb_out`` (C5): LZB at S_{t−1} and not at S_t; counted at the unit at S_{t−1}."""
    return f"""
        SELECT r.t1 + 1, r.municipality_id, r.sex, {_BI['lzb_out']}, 1 FROM lzr r
        WHERE r.t1 < {ctx.hi} AND NOT EXISTS (SELECT 1 FROM lzr q WHERE q.person_id = r.person_id AND q.la = r.t1 + 1)"""


def _block_event(ctx: _Ctx, eb) -> str:
    """An :class:`~.definitions.EventBlock` (C6): persons with a counted start of its class (and
    kinds, person condition, age) in month m; at most one per person and month."""
    conds = [f"is_{eb.event_class}"]
    if eb.kinds is not None:
        conds.append(f"kind IN {_sql_set(eb.kinds)}")
    if eb.person == "lzb":
        conds.append("lzb")
    elif eb.person == "single_parent":
        conds.append("ae")
    elif eb.person is not None:
        raise ValueError(f"Unbekannte Personenbedingung {eb.person!r} in {eb.code}")
    if eb.max_age is not None:
        conds.append(f"age < {int(eb.max_age)}")
    return f"""
        SELECT m, municipality_id, sex, {_BI[eb.code]}, count(DISTINCT person_id)
        FROM ev WHERE {' AND '.join(conds)} GROUP BY ALL"""


def _block_k2e3(ctx: _Ctx) -> str:
    """``k2e3_den`` and ``k2e3_num`` for reporting month t (§ 5 Abs. 2 Nr. 3, C8), all parameters from
    the version in force for t: the base is the persons with an integration counted in month m,
    t−L−B+1 ≤ m ≤ t−L, of which a start is of a kind in ``k2e3_base_kinds`` (svB: the taking up of
    a training is not in the base); the numerator those of them in employment of a kind in
    ``k2e3_check_kinds`` at S_{m+L} (``at_lag``) or at each of S_{m+1}..S_{m+L} (``each_month``)."""
    lo, hi = ctx.lo, ctx.hi
    a, b = _t_range_sql('"start"', f"""coalesce("end", DATE '{OPEN_END}')""", ctx.day)
    base_cols, cov, flags, counts, pick_n, pick_k = [], [], [], [], [], []
    for i, reg in enumerate(ctx.regs):
        k = f"r{i}"
        base_cols.append(f"bool_or(kind IN {_sql_set(reg.k2e3_base_kinds)}) AS in_{k}")
        cov.append(f"""
            SELECT person_id, {i} AS r, greatest({a}, {lo}) AS a, least({b}, {hi}) AS b FROM emp
            WHERE kind IN {_sql_set(reg.k2e3_check_kinds)} AND person_id IN (SELECT person_id FROM base)""")
        L = reg.k2e3_lag_months
        if reg.k2e3_rule == "at_lag":
            cond = f"c.a <= k.m + {L} AND c.b >= k.m + {L}"
        elif reg.k2e3_rule == "each_month":
            cond = f"c.a <= k.m + 1 AND c.b >= k.m + {L}"
        else:
            raise ValueError(f"Unbekannte K2E3-Regel {reg.k2e3_rule!r}")
        flags.append(f"coalesce(bool_or(c.r = {i} AND {cond}), false) AS ok_{k}")
        counts.append(f"count(*) FILTER (WHERE in_{k}) AS n_{k}, count(*) FILTER (WHERE in_{k} AND ok_{k}) AS k_{k}")
        pick_n.append(f"WHEN {i} THEN f.n_{k}")
        pick_k.append(f"WHEN {i} THEN f.k_{k}")
    # per reporting month: the version's index, lag L and base months B
    months = []
    for t in range(max(lo, law.REGULATIONS[0].first_month.index), hi + 1):
        reg = law.regulation_for(Month.from_index(t))
        months.append(f"({t}, {ctx.regs.index(reg)}, {reg.k2e3_lag_months}, {reg.k2e3_base_months})")
    if not months:
        return f"SELECT NULL::INTEGER, NULL::INTEGER, NULL::TINYINT, {_BI['k2e3_den']}, 0 WHERE false"
    all_base = _sql_set(_k2e3_base_kinds(ctx))
    # counted per (m, unit, sex) first, so the window join with the reporting months multiplies few rows
    return f"""
        WITH base AS (
            SELECT person_id, m, municipality_id, sex, {', '.join(base_cols)} FROM ev
            WHERE is_integration AND kind IN {all_base} GROUP BY person_id, m, municipality_id, sex),
        cov AS ({_merge_ranges_sql(" UNION ALL ".join(cov), "person_id, r")}),
        flagged AS (
            SELECT k.*, {', '.join(flags)}
            FROM base k LEFT JOIN cov c USING (person_id) GROUP BY ALL),
        agg AS (SELECT m, municipality_id, sex, {', '.join(counts)} FROM flagged GROUP BY ALL),
        km(t, r, L, B) AS (VALUES {', '.join(months)}),
        w AS (
            SELECT k.t, f.municipality_id, f.sex, sum(CASE k.r {' '.join(pick_n)} END) AS den,
                   sum(CASE k.r {' '.join(pick_k)} END) AS num
            FROM agg f JOIN km k ON f.m BETWEEN k.t - k.L - k.B + 1 AND k.t - k.L GROUP BY ALL)
        SELECT t, municipality_id, sex, unnest([{_BI['k2e3_den']}, {_BI['k2e3_num']}]), unnest([den, num]) FROM w"""


def _block_payments(ctx: _Ctx) -> str:
    """``llu``, ``luh`` (K1, K1E1): sums of the payments of the BGs in month t (no sex: slot 0)."""
    return f"""
        SELECT t, municipality_id, 0, {_BI['llu']}, llu FROM pay
        UNION ALL SELECT t, municipality_id, 0, {_BI['luh']}, luh FROM pay"""


def _flows_sql(ctx: _Ctx) -> str:
    """``elb_in``, ``elb_out`` (C4) per level (0 total, 1 Jobcenter, 2 municipality) and unit: entry =
    first day of a period with gaps of up to ``merge_gap_days`` bridged, exit = the day after its
    last day. The periods over all units count for the total and, relabelled, for the units of
    persons who never move; movers' spells are merged per Jobcenter/municipality."""
    lo, hi, day = ctx.lo, ctx.hi, ctx.day
    gap = ctx.param("merge_gap_days") + 1
    ti, to = _month_idx_sql("ps", day), _month_idx_sql("pe + 1", day)
    return f"""
        WITH pert AS (
            SELECT * FROM (SELECT sex, mv_j, mv_m, jc, mun, {ti} AS tin,
                                  CASE WHEN pe < DATE '{OPEN_END}' THEN {to} END AS tout FROM per)
            WHERE tin BETWEEN {ctx.full_from} AND {hi} OR tout BETWEEN {ctx.full_from} AND {hi}),
        u AS (
            SELECT 1 AS lvl, jobcenter_id AS unit_id, person_id, sex, s, e FROM mov WHERE mv_j
            UNION ALL SELECT 2, municipality_id, person_id, sex, s, e FROM mov WHERE mv_m),
        o AS (
            SELECT *, max(e) OVER (PARTITION BY lvl, unit_id, person_id ORDER BY s, e
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
            FROM u),
        g AS (
            SELECT *, sum(CASE WHEN prev_e IS NULL OR s > prev_e + {gap} THEN 1 ELSE 0 END)
                      OVER (PARTITION BY lvl, unit_id, person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
            FROM o),
        pu AS (
            SELECT lvl, unit_id, sex, {ti} AS tin, CASE WHEN pe < DATE '{OPEN_END}' THEN {to} END AS tout
            FROM (SELECT lvl, unit_id, sex, min(s) AS ps, max(e) AS pe FROM g GROUP BY lvl, unit_id, person_id, sex, grp)
            UNION ALL
            SELECT lvl, CASE lvl WHEN 0 THEN 0 WHEN 1 THEN jc ELSE mun END, sex, tin, tout
            FROM (SELECT *, unnest(list_concat(list_concat([0], CASE WHEN mv_j THEN [] ELSE [1] END),
                                               CASE WHEN mv_m THEN [] ELSE [2] END)) AS lvl FROM pert)),
        evs AS (
            SELECT lvl, unit_id, sex, 0 AS b, tin AS t FROM pu
            UNION ALL
            SELECT lvl, unit_id, sex, 1, tout FROM pu WHERE tout IS NOT NULL)
        SELECT lvl, unit_id, sex, t - {lo} AS t, b, count(*)::DOUBLE AS val
        FROM evs
        WHERE t BETWEEN {lo} AND {hi} GROUP BY ALL"""


@dataclass
class _Fine:
    """The pipeline's result: per fine block the values at [block, month, municipality, sex] as flat
    (key, value) pairs, the flows per level, and the unit dimensions."""

    keys: np.ndarray
    vals: np.ndarray
    flows: dict
    mdim: dict
    jids: list[str]


def _blocks(ctx: _Ctx) -> _Fine:
    """The pipeline. Every intermediate relation is created here and dropped here as soon as nothing
    reads it any more; the SQL of each lives in its own function above, the SQL of each block in its
    ``_block_*`` function. Steps (docs/kennzahlen.md § Architecture): keys → one window pass over the
    spells → LZB starts → segments → stock blocks → employment starts → event blocks, K2E3,
    payments → entries/exits."""
    con, T = ctx.con, ctx.hi - ctx.lo + 1
    tmp = _Temps(con)
    try:
        tmp.create("jdim", _jdim_sql())
        tmp.create("mdim", _mdim_sql())
        mdim = con.execute("SELECT mi, ji, mid FROM mdim ORDER BY mi").fetchnumpy()
        jids = [r[0] for r in con.execute("SELECT jid FROM jdim ORDER BY ji").fetchall()]
        M = len(mdim["mi"])
        tmp.create("pers", _persons_sql(numbered=bool(os.environ.get("ZIELWERK_NO_HASH_KEYS"))),
                   "TABLE" if os.environ.get("ZIELWERK_NO_HASH_KEYS") else "VIEW")
        ctx.person_key = _PersonKey(hashed=not os.environ.get("ZIELWERK_NO_HASH_KEYS"))
        tmp.create("spg", _spell_pass_sql(ctx))
        # The hashed key is exact for everything counted if every spell matched its own person: a
        # person whose hash equals that of a person with spells shows up as a spell matched to another
        # identifier. (Persons without spells count only through the segments of persons with spells.)
        if not con.execute("SELECT coalesce(bool_and(key_ok), true) FROM spg").fetchone()[0]:
            tmp.drop("spg", "pers")
            tmp.create("pers", _persons_sql(numbered=True))
            ctx.person_key = _PersonKey(hashed=False)
            tmp.create("spg", _spell_pass_sql(ctx))
        tmp.create("emp", _person_rows_sql(ctx, "employment", "x.kind, x.subsidy"))
        tmp.create("meas", _person_rows_sql(ctx, "measures", "x.instrument"))
        tmp.drop("pers")
        tmp.create("per", _periods_sql(ctx))
        tmp.create("mov", _movers_sql(ctx))
        con.register("st", _stichtage(ctx))
        tmp.create("mlzb", _lzb_start_sql(ctx))
        tmp.create("early", _early_sql(ctx))
        tmp.create("seg", _segments_sql(ctx))
        tmp.drop("spg", "mlzb", "early")
        tmp.create("lzr", _lzb_ranges_sql())
        tmp.create("hh", _single_parent_bgs_sql(ctx))
        tmp.create("ae_rng", _single_parent_ranges_sql(ctx))
        tmp.drop("hh")
        stock = _aggregate(ctx, [_block_elb(ctx), _block_lzb(ctx), _block_ae(ctx), _block_lzb_active(ctx),
                                 _block_lzb_in(ctx), _block_lzb_out(ctx)], T, M)
        tmp.drop("meas", "lzr")
        tmp.create("ev", _events_sql(ctx))
        tmp.drop("seg", "ae_rng")  # the segments are the largest table: freed as soon as nothing reads them
        tmp.create("pay", _payments_sql(ctx))
        events = _aggregate(ctx, [*(_block_event(ctx, eb) for eb in EVENT_BLOCKS.values()), _block_k2e3(ctx),
                                  _block_payments(ctx)], T, M)
        tmp.drop("ev", "emp", "pay")
        flows = con.execute(_flows_sql(ctx)).fetchnumpy()
        tmp.drop("per", "mov")
        return _Fine(np.concatenate([stock[0], events[0]]), np.concatenate([stock[1], events[1]]), flows, mdim, jids)
    finally:
        tmp.drop_all()


def _aggregate(ctx: _Ctx, parts: list[str], T: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """The blocks of ``parts`` summed per flat cube index
    k = ((block·T + (t − lo))·M + municipality)·3 + sex."""
    res = ctx.con.execute(f"""
        SELECT ((b::BIGINT * {T} + (t - {ctx.lo})) * {M} + municipality_id) * 3 + sex AS k, sum(val)::DOUBLE AS val
        FROM ({" UNION ALL ".join(f"({p})" for p in parts)}) u(t, municipality_id, sex, b, val)
        WHERE t BETWEEN {ctx.lo} AND {ctx.hi} GROUP BY k
    """).fetchnumpy()
    return np.asarray(res["k"], dtype=np.int64), np.asarray(res["val"], dtype=np.float64)


def _stichtage(ctx: _Ctx) -> pa.Table:
    """The Stichtage S_t of the months lo..hi (C1), registered as ``st``."""
    ts = list(range(ctx.lo, ctx.hi + 1))
    return pa.table({"t": pa.array(ts, pa.int32()), "S": pa.array([ctx.S(t) for t in ts], pa.date32())})


@dataclass
class _Cube:
    """All blocks per level as dense arrays ``[block, month lo..hi, unit, sex (all, f, m)]`` (months
    before units: sums over months add contiguous slabs)."""

    lo: int
    hi: int
    units: dict[str, list[str]]
    data: dict[str, np.ndarray]
    _sums: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)

    def block(self, lvl: str, name: str) -> np.ndarray:
        return self.data[lvl][ALL_BLOCKS.index(name)]

    def running_sum(self, lvl: str, name: str) -> np.ndarray:
        """Sums of the block over the months before each month: ``c[k] = Σ_{j<k} block[j]``."""
        key = (lvl, name)
        if key not in self._sums:
            x = self.block(lvl, name)
            self._sums[key] = np.concatenate([np.zeros((1,) + x.shape[1:]), np.cumsum(x, axis=0)], axis=0)
        return self._sums[key]


def _cube(ctx: _Ctx, fine: _Fine, levels: tuple[str, ...]) -> _Cube:
    """Scatter the fine blocks into a (block, month, municipality, sex) array, sum the stock changes
    up over the months, roll up to Jobcenters and the total, add the entries/exits per level."""
    lo, hi = ctx.lo, ctx.hi
    T, B = hi - lo + 1, len(FINE_BLOCKS)
    mdim, jids, flows = fine.mdim, fine.jids, fine.flows
    M, J = len(mdim["mi"]), len(jids)
    fm = np.bincount(fine.keys, weights=fine.vals, minlength=B * T * M * 3).reshape(B, T, M, 3)
    ns = len(STOCK_BLOCKS)
    fm[:ns] = np.cumsum(fm[:ns], axis=1)
    by_level: dict[str, np.ndarray] = {}
    units: dict[str, list[str]] = {}
    for code, lvl in enumerate(("total", "jobcenter", "municipality")):
        if lvl not in levels:
            continue
        if lvl == "municipality":
            f, units[lvl] = fm, [str(x) for x in mdim["mid"]]
        elif lvl == "jobcenter":
            ji = np.asarray(mdim["ji"], dtype=np.int64)
            order = np.argsort(ji, kind="stable")
            present, starts = np.unique(ji[order], return_index=True)
            f = np.zeros((B, T, J, 3))
            if M:
                f[:, :, present] = np.add.reduceat(fm[:, :, order], starts, axis=2)
            units[lvl] = jids
        else:
            f, units[lvl] = fm.sum(axis=2, keepdims=True), [TOTAL_ID]
        U, F = len(units[lvl]), len(FLOW_BLOCKS)
        sel = np.asarray(flows["lvl"]) == code
        k = ((np.asarray(flows["b"], dtype=np.int64)[sel] * T + np.asarray(flows["t"])[sel]) * U
             + np.asarray(flows["unit_id"])[sel]) * 3 + np.asarray(flows["sex"])[sel]
        fl = np.bincount(k, weights=np.asarray(flows["val"], dtype=np.float64)[sel],
                         minlength=F * T * U * 3).reshape(F, T, U, 3)
        x = np.empty((B + F, T, U, 3))
        x[:B, ..., 1:], x[B:, ..., 1:] = f[..., 1:], fl[..., 1:]
        x[:B, ..., 0], x[B:, ..., 0] = f.sum(axis=-1), fl.sum(axis=-1)
        by_level[lvl] = x
    return _Cube(lo, hi, units, by_level)


def _term(cube: _Cube, lvl: str, term: Term, literal: bool, first: int, last: int) -> np.ndarray:
    """``term`` for the reporting months first..last: ``[month, unit, sex]``."""
    a, b = resolve_window(term, literal)
    if b > 0 or first + a < cube.lo:
        raise ValueError(f"Fenster {term.window} von {term.block} reicht über die berechneten Monate hinaus")
    x = cube.block(lvl, term.block)
    i0, i1 = first - cube.lo, last - cube.lo + 1
    if a == b:
        v = x[i0 + a:i1 + a]
    else:  # window sums from cumulative sums (counts: exact in float64)
        c = cube.running_sum(lvl, term.block)
        v = c[i0 + b + 1:i1 + b + 1] - c[i0 + a:i1 + a]
    if term.agg == "avg":
        v = v / (b - a + 1)
    elif term.agg != "sum":
        raise ValueError(f"Unbekannte Aggregation {term.agg!r}")
    return v


def _value(ind: Indicator, num: np.ndarray, den: np.ndarray | None) -> np.ndarray:
    if ind.value == "count":
        return num
    if den is None:
        raise ValueError(f"{ind.code}: Darstellung {ind.value!r} braucht einen Nenner")
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(den != 0, num / np.where(den != 0, den, 1), np.nan)
    if ind.value == "percent":
        return q * 100
    if ind.value == "change":
        return (q - 1) * 100
    raise ValueError(f"Unbekannte Darstellung {ind.value!r}")


# --- public API ------------------------------------------------------------------------------

def _prepare(ds: Dataset, lo: int, hi: int, day: int, levels: tuple[str, ...],
             first: int | None = None) -> tuple[_Ctx, _Cube]:
    """The block cube for months lo..hi (the connection stays open for the caller to close).
    ``first``: the first reporting month (default ``lo + LOOKBACK_MONTHS``)."""
    con = _connect(ds)
    regs = law.regulations_between(Month.from_index(lo), Month.from_index(hi))
    ctx = _Ctx(con, lo, hi, day, lo + LOOKBACK_MONTHS if first is None else first, regs)
    try:
        cube = _cube(ctx, _blocks(ctx), levels)
    except BaseException:
        con.close()
        raise
    return ctx, cube


def _check_args(first: Month, last: Month, level: str, day: int | None) -> None:
    if level not in LEVELS:
        raise ValueError(f"Unbekannte Ebene {level!r} (erlaubt: jobcenter, municipality, all)")
    if last < first:
        raise ValueError(f"Der Zeitraum ist leer: {first} liegt nach {last}.")
    if first < law.REGULATIONS[0].first_month:
        raise ValueError(f"Kennzahlen nach § 48a SGB II gibt es erst ab {law.REGULATIONS[0].first_month} "
                         f"(angefragt: {first}).")
    if day is not None and not 1 <= day <= 31:
        raise ValueError(f"Ungültiger Stichtag-Tag: {day} (erlaubt 1 bis 31)")


def _check_validity(codes: list[str], first: Month, last: Month) -> None:
    """Every requested indicator must be in force for every requested month (``valid_from`` ..
    ``valid_to``); otherwise a German error naming the indicator and its validity."""
    for c in codes:
        ind = INDICATORS[c]
        if first < ind.valid_from or (ind.valid_to is not None and last > ind.valid_to):
            until = f"bis {ind.valid_to}" if ind.valid_to is not None else "ohne Ende"
            raise ValueError(f"Die Kennzahl {c} gilt ab {ind.valid_from} {until}; angefragt ist der Zeitraum "
                             f"{first} bis {last}.")


def compute_kennzahlen(
    ds: Dataset,
    first: Month,
    last: Month,
    level: str = "all",
    stichtag_day: int | None = None,
    literal_window: bool = False,
    indicators: list[str] | tuple[str, ...] | None = None,
) -> pa.Table:
    """All indicators for months ``first``..``last`` in the long format of the data contract.

    ``level``: ``jobcenter`` (Jobcenters and the total), ``municipality`` (municipalities and the
    total) or ``all``. ``stichtag_day`` overrides the dataset's Stichtag (C1). ``literal_window``
    uses S_{t−11}..S_t for rolling denominators instead of the BA practice (C7). ``indicators``
    selects codes of :data:`INDICATORS` (default: the 15 official ones).
    """
    _check_args(first, last, level, stichtag_day)
    codes = list(indicators) if indicators is not None else list(OFFICIAL_CODES)
    unknown = [c for c in codes if c not in INDICATORS]
    if unknown:
        raise ValueError(f"Unbekannte Kennzahl(en): {', '.join(unknown)}")
    not_monthly = [c for c in codes if not INDICATORS[c].monthly]
    if not_monthly:
        raise ValueError(f"Keine Monatswerte für: {', '.join(not_monthly)} (nur Jahresfortschrittswerte oder "
                         "lokal berechnet)")
    _check_validity(codes, first, last)
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    lo, hi = first.index - lookback_months(first, last), last.index
    # the blocks are computed for every person from _full_back months before the first reporting
    # month on; no requested term may read further back
    reach = min(resolve_window(term, literal_window)[0] for c in codes
                for term in (INDICATORS[c].numerator, INDICATORS[c].denominator) if term is not None)
    if -min(reach, 0) >= _full_back(law.regulations_between(first, last)):
        raise ValueError("Ein Fenster reicht weiter zurück als die berechneten Vormonate")
    ctx, cube = _prepare(ds, lo, hi, day, LEVELS[level], first.index)
    ctx.con.close()
    prov_from = Month.of(ds.as_of).index - law.WAITING_MONTHS + 1
    return _long_table(cube, codes, first.index, last.index, literal_window, prov_from)


def _strings(data: bytes, lengths: np.ndarray) -> pa.Array:
    """A string array from the concatenated UTF-8 ``data`` and each value's byte length."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths.astype(np.int32), out=offsets[1:])
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(data))


def _repeat_each(values: list[str], times: int) -> pa.Array:
    """Each value ``times`` times in a row (v1 v1 … v2 v2 …)."""
    enc = [v.encode() for v in values]
    return _strings(b"".join(e * times for e in enc), np.repeat([len(e) for e in enc], times))


def _tile(values: list[str], times: int) -> pa.Array:
    """The whole sequence ``times`` times (v1 v2 … v1 v2 …)."""
    enc = [v.encode() for v in values]
    return _strings(b"".join(enc) * times, np.tile([len(e) for e in enc], times))


def _long_table(cube: _Cube, codes: list[str], first: int, last: int, literal: bool, prov_from: int) -> pa.Table:
    """The long format, ordered by level (total, Jobcenters, municipalities), unit, month,
    indicator (in the order asked for) and sex (all, f, m); indicators without sex only 'all'."""
    inds = [INDICATORS[c] for c in codes]
    n_t, n_i = last - first + 1, len(inds)
    # the rows of one unit (the same for every unit): (month, indicator, sex) in output order
    pattern = [(t, i, s) for t in range(n_t) for i, ind in enumerate(inds) for s in range(3) if ind.by_sex or s == 0]
    p_t, p_i, p_s = (np.array(x, dtype=np.int64) for x in zip(*pattern))
    month_texts = [str(Month.from_index(first + t)) for t in p_t]
    tables = []
    for lvl in ("total", "jobcenter", "municipality"):
        if lvl not in cube.data:
            continue
        num = np.stack([_term(cube, lvl, ind.numerator, literal, first, last) for ind in inds], axis=-1)
        den = np.stack([_term(cube, lvl, ind.denominator, literal, first, last) if ind.denominator is not None
                        else np.full(num.shape[:-1], np.nan) for ind in inds], axis=-1)
        val = np.stack([_value(ind, num[..., i], None if ind.denominator is None else den[..., i])
                        for i, ind in enumerate(inds)], axis=-1)
        n_u = num.shape[1]
        if n_u == 0:
            continue
        # [month, unit, sex, indicator] → [unit, month, indicator, sex], per unit the pattern's positions
        pos = (p_t * n_i + p_i) * 3 + p_s

        def pick(a: np.ndarray, pos: np.ndarray = pos, n_u: int = n_u) -> np.ndarray:
            return a.transpose(1, 0, 3, 2).reshape(n_u, -1)[:, pos].reshape(-1)

        n, d, v = pick(num), pick(den), pick(val)
        tables.append(pa.Table.from_arrays([
            _repeat_each([lvl], n_u * len(pattern)),
            _repeat_each(cube.units[lvl], len(pattern)),
            _tile(month_texts, n_u),
            _tile([codes[i] for i in p_i], n_u),
            _tile([SEXES[s] for s in p_s], n_u),
            pa.array(n),
            pa.array(d, mask=np.isnan(d)),
            pa.array(v, mask=np.isnan(v)),
            pa.array(np.tile(p_t + first >= prov_from, n_u)),
        ], schema=_LONG_SCHEMA))
    if not tables:
        return _LONG_SCHEMA.empty_table()
    return pa.concat_tables(tables)


def lzb_status(ds: Dataset, stichtag: date, stichtag_day: int | None = None) -> pa.Table:
    """Per person in the eLb stock at ``stichtag``: unit (C2), eLb days in the 730-day window,
    LZB flag (C3) and ``lzb_from`` (first monthly Stichtag on or after ``stichtag`` at which the
    person is LZB if they stay eLb without a break from ``stichtag`` on). A thin wrapper of
    :func:`lzb_status_many`."""
    return lzb_status_many(ds, [stichtag], stichtag_day)[stichtag]


#: status tables shared while :func:`status_memo` is open for a dataset: id → (weakref, day → Future of
#: the table). A day being computed by one thread is waited for by the others, never computed twice.
_MEMO: dict[int, tuple[weakref.ref, dict[date, Future], frozenset[date] | None]] = {}
_MEMO_LOCK = threading.Lock()


@contextmanager
def status_memo(ds: Dataset, keep: Iterable[date] | None = None) -> Iterator[None]:
    """Keep every status table of ``ds`` asked through :func:`lzb_status_shared` for the block, so that
    the consumers of one import (the monitoring series in their thread, the lists, the team actuals) ask
    the engine once per Stichtag. Scoped on purpose: the tables of a national dataset are large, so
    nothing outlives the block, and with ``keep`` only those days are held (others are computed plainly):
    a national status table is large, so the import keeps just the days several consumers share."""
    key = id(ds)
    with _MEMO_LOCK:
        own = key not in _MEMO
        if own:
            _MEMO[key] = (weakref.ref(ds), {}, None if keep is None else frozenset(keep))
    try:
        yield
    finally:
        if own:
            with _MEMO_LOCK:
                _MEMO.pop(key, None)


def lzb_status_shared(ds: Dataset, stichtage) -> dict[date, pa.Table]:
    """:func:`lzb_status_many` through the memo of an open :func:`status_memo` block (without one: a
    plain call). The days nobody holds or computes yet are computed here in one engine pass; days another
    thread is computing are waited for."""
    days = sorted(set(stichtage))
    with _MEMO_LOCK:
        entry = _MEMO.get(id(ds))
        memo = entry[1] if entry is not None and entry[0]() is ds else None
        kept = entry[2] if memo is not None else None
        plain = [] if memo is None else [d for d in days if kept is not None and d not in kept]
        if memo is None:
            mine: dict[date, Future] = {}
        else:
            mine = {d: Future() for d in days if d not in memo and d not in plain}
            memo.update(mine)
    if memo is None:
        return lzb_status_many(ds, days) if days else {}
    got: dict[date, pa.Table] = {}
    if mine or plain:
        try:
            got = lzb_status_many(ds, [*mine, *plain])
        except BaseException as exc:
            with _MEMO_LOCK:
                for d, fut in mine.items():
                    memo.pop(d, None)
                    fut.set_exception(exc)
            raise
        for d, fut in mine.items():
            fut.set_result(got[d])
    return {d: got[d] if d in plain else memo[d].result() for d in days}


_STATUS_SCHEMA = pa.schema([("person_id", pa.string()), ("jobcenter_id", pa.string()),
                            ("municipality_id", pa.string()), ("elb_days_730", pa.int64()),
                            ("is_lzb", pa.bool_()), ("lzb_from", pa.date32())])


def lzb_status_many(ds: Dataset, stichtage, stichtag_day: int | None = None) -> dict[date, pa.Table]:
    """:func:`lzb_status` at each of ``stichtage`` in one DuckDB pass (one connection, one scan of the
    spells), keyed by Stichtag; each table exactly as a separate :func:`lzb_status` call returns it.

    The eLb spells are merged per person once (overlapping or adjacent spells, any BG); the periods
    before a Stichtag S are these merged periods clipped at S (clipping and merging commute).
    """
    days = sorted(set(stichtage))
    if not days:
        return {}
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    st_rows: dict[str, list] = {"i": [], "sday": [], "n": [], "W": []}
    cand_rows: dict[str, list] = {"i": [], "k": [], "C": []}
    for i, sday in enumerate(days):
        base = Month.of(sday)
        reg = law.regulation_for(max(base, law.REGULATIONS[0].first_month))
        n, w = reg.lzb_min_days, reg.lzb_window_days
        st_rows["i"].append(i)
        st_rows["sday"].append(sday)
        st_rows["n"].append(n)
        st_rows["W"].append(w - 1)
        # a person in the stock reaches n days at the latest n − 1 days later; every month has ≥ 28 days
        cands = [sday] + [s for k in range(n // 28 + 3) if (s := _st(base + k, day)) > sday]
        for k, c in enumerate(cands):
            cand_rows["i"].append(i)
            cand_rows["k"].append(k)
            cand_rows["C"].append(c)
    con = _connect(ds)
    try:
        con.register("st_arrow", pa.table({"i": pa.array(st_rows["i"], pa.int32()),
                                           "sday": pa.array(st_rows["sday"], pa.date32()),
                                           "n": pa.array(st_rows["n"], pa.int32()),
                                           "W": pa.array(st_rows["W"], pa.int32())}))
        con.register("cand_arrow", pa.table({"i": pa.array(cand_rows["i"], pa.int32()),
                                             "k": pa.array(cand_rows["k"], pa.int32()),
                                             "C": pa.array(cand_rows["C"], pa.date32())}))
        lo = min(days) - timedelta(days=max(st_rows["W"]))
        hi = max(days)
        con.execute(f"""
            CREATE TEMP TABLE sp AS
            SELECT s.person_id, s.bg_id, s.municipality_id, m.jobcenter_id,
                   s."start" AS s, coalesce(s."end", DATE '{OPEN_END}') AS e
            FROM src_elb_spells s JOIN src_municipalities m USING (municipality_id)
            WHERE s.status = 'elb' AND s."start" <= DATE '{hi.isoformat()}'
              AND coalesce(s."end", DATE '{OPEN_END}') >= DATE '{lo.isoformat()}'
        """)
        # the stock at every Stichtag (C2: the latest-starting spell covering S decides the unit)
        con.execute("""
            CREATE TEMP TABLE stock AS
            SELECT t.i, t.sday, t.n, t.W, sp.person_id, sp.municipality_id, sp.jobcenter_id
            FROM st_arrow t JOIN sp ON sp.s <= t.sday AND sp.e >= t.sday
            QUALIFY row_number() OVER (PARTITION BY t.i, sp.person_id ORDER BY sp.s DESC, sp.bg_id DESC) = 1
        """)
        # merged eLb periods per person (of persons in any stock), once for all Stichtage
        con.execute("""
            CREATE TEMP TABLE merged AS
            WITH o AS (
                SELECT person_id, s, e,
                       max(e) OVER (PARTITION BY person_id ORDER BY s, e
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
                FROM sp WHERE person_id IN (SELECT DISTINCT person_id FROM stock)),
            g AS (SELECT *, sum(CASE WHEN prev_e IS NULL OR s > prev_e + 1 THEN 1 ELSE 0 END)
                             OVER (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp FROM o)
            SELECT person_id, min(s) AS s, max(e) AS e FROM g GROUP BY person_id, grp
        """)
        # days(C) = eLb days of the merged periods (clipped at S) in [C − W, S] + min(C − S, W + 1); it is at
        # most d0 + (C − S), and at least n once C − S ≥ n (w ≥ n): only candidates C in
        # [S + n − d0, S + n + 31] can be the first one (monthly Stichtage lie at most 31 days apart),
        # and a person LZB at S has lzb_from = S
        rel = con.sql("""
            WITH clipped AS (
                SELECT t.i, t.sday, t.n, t.W, m.person_id, m.s, least(m.e, t.sday) AS e
                FROM stock t JOIN merged m ON m.person_id = t.person_id AND m.s <= t.sday AND m.e >= t.sday - t.W),
            d AS (
                SELECT i, person_id, any_value(sday) AS sday, any_value(n) AS n, any_value(W) AS W,
                       sum(greatest(0, e - greatest(s, sday - W) + 1))::INTEGER AS d0
                FROM clipped GROUP BY i, person_id),
            proj AS (
                SELECT m.i, m.person_id, c.C,
                       sum(greatest(0, m.e - greatest(m.s, c.C - m.W) + 1)) + least(c.C - m.sday, m.W + 1) AS days
                FROM clipped m JOIN d USING (i, person_id)
                JOIN cand_arrow c ON c.i = m.i AND c.C >= m.sday + (d.n - d.d0) AND c.C <= m.sday + d.n + 31
                WHERE d.d0 < d.n
                GROUP BY m.i, m.person_id, c.C, m.sday, m.W),
            later AS (
                SELECT p.i, p.person_id, min(p.C) AS lzb_from
                FROM proj p JOIN st_arrow t ON t.i = p.i WHERE p.days >= t.n GROUP BY p.i, p.person_id)
            SELECT s.i, s.person_id, s.jobcenter_id, s.municipality_id, d.d0::BIGINT AS elb_days_730,
                   d.d0 >= s.n AS is_lzb,
                   (CASE WHEN d.d0 >= s.n THEN s.sday ELSE l.lzb_from END)::DATE AS lzb_from
            FROM stock s JOIN d ON d.i = s.i AND d.person_id = s.person_id
            LEFT JOIN later l ON l.i = s.i AND l.person_id = s.person_id
            ORDER BY s.i, s.jobcenter_id, s.municipality_id, s.person_id
        """)
        result = rel.to_arrow_table()
    finally:
        con.close()
    idx = result.column("i").to_numpy()
    body = result.drop_columns(["i"]).cast(_STATUS_SCHEMA)
    bounds = np.searchsorted(idx, np.arange(len(days) + 1), side="left")
    return {d: body.slice(int(bounds[j]), int(bounds[j + 1] - bounds[j])) for j, d in enumerate(days)}


def _st(m: Month, day: int) -> date:
    return stichtag(m, day)
