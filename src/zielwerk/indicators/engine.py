"""DuckDB executor: compiles the definitions of :mod:`.definitions` to SQL over the Arrow tables.

Interval-based: spells are never expanded to days. The only person-level table is the *Stichtag
panel* (one row per person and Stichtag at which the person is in the eLb stock); day counts for
the LZB rule come from clipping each person's merged eLb intervals to the 730-day window, and
entries/exits from interval merging with window functions (docs/kennzahlen.md).

Month indices: ``t = year·12 + month − 1`` (:attr:`zielwerk.domain.calendar.Month.index`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month, stichtag
from zielwerk.domain.law import LZB_MIN_DAYS, LZB_WINDOW_DAYS, MERGE_GAP_DAYS, REGULATIONS, Regulation

from .definitions import EVENT_BLOCKS, INDICATORS, OFFICIAL_CODES, Indicator, Term, resolve_window

#: open spells ("end" empty) run until this sentinel day
OPEN_END = date(2999, 12, 31)
#: months of history the panel needs before the first reporting month (K2E3 under FKV 2011:
#: integrations of t−23, counted with the stock at S_{m−2} → t−25; one more for safety)
LOOKBACK_MONTHS = 26
LEVELS = {"all": ("jobcenter", "municipality", "total"), "jobcenter": ("jobcenter", "total"),
          "municipality": ("municipality", "total")}
TOTAL_ID = "total"

BASE_BLOCKS = ("elb", "lzb", "ae", "lzb_active", "elb_in", "elb_out", "lzb_in", "lzb_out",
               "k2e3_num", "k2e3_den", "llu", "luh")

_LONG_SCHEMA = pa.schema(
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


# --- small compilation helpers ---------------------------------------------------------------

def _sql_set(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values)) + ")"


def _reg_case(t_col: str, attr_sql) -> str:
    """CASE over the regulation versions by month index ``t_col`` (months before 2011 use FKV 2011)."""
    parts = []
    for reg in REGULATIONS:
        if reg.last_month is None:
            parts.append(f"ELSE {attr_sql(reg)}")
        else:
            parts.append(f"WHEN {t_col} <= {reg.last_month.index} THEN {attr_sql(reg)}")
    return "CASE " + " ".join(parts) + " END"


def _is_integration_sql(reg: Regulation) -> str:
    # zielwerk.domain.law.is_integration
    return f"(kind IN {_sql_set(law.INTEGRATION_KINDS)} AND subsidy NOT IN {_sql_set(reg.publicly_funded_subsidies)})"


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
    return (f"(year({col}) * 12 + month({col}) - 1 + "
            f"CASE WHEN day({col}) > least({day}, day(last_day({col}))) THEN 1 ELSE 0 END)")


@dataclass
class _Ctx:
    con: duckdb.DuckDBPyConnection
    lo: int
    hi: int
    day: int


def _connect(ds: Dataset) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB with the dataset's tables registered (zero-copy Arrow scans).

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
        con.register(f"src_{name}", ds[name])
    return con


def _stichtage(con: duckdb.DuckDBPyConnection, lo: int, hi: int, day: int) -> None:
    rows = [(t, stichtag(Month.from_index(t), day)) for t in range(lo, hi + 1)]
    con.register("st_arrow", pa.table({"t": [r[0] for r in rows], "S": [r[1] for r in rows]}))
    con.execute("CREATE TEMP TABLE st AS SELECT t::INTEGER AS t, S::DATE AS S FROM st_arrow")


# --- building blocks ------------------------------------------------------------------------

def _build_spells(ctx: _Ctx) -> None:
    con = ctx.con
    s_lo = stichtag(Month.from_index(ctx.lo), ctx.day)
    # K1/K1E1 need the payments of t and t−12 for the reporting months (first = lo + LOOKBACK_MONTHS)
    # (a contiguous range; "YYYY-MM" texts compare like the months)
    m_from, m_to = Month.from_index(ctx.lo + LOOKBACK_MONTHS - 12), Month.from_index(ctx.hi)
    # Integer surrogate keys (the string identifiers are mapped back at the end): persons, units,
    # BGs (numbered in the order of their identifiers, so "greater bg_id" (C2) is preserved).
    con.execute("""
        CREATE TEMP TABLE jdim AS
        SELECT jobcenter_id AS jid, row_number() OVER (ORDER BY jobcenter_id)::INTEGER AS ji FROM src_jobcenters
    """)
    con.execute("""
        CREATE TEMP TABLE mdim AS
        SELECT m.municipality_id AS mid, row_number() OVER (ORDER BY m.municipality_id)::INTEGER AS mi, j.ji
        FROM src_municipalities m JOIN jdim j ON j.jid = m.jobcenter_id
    """)
    # only persons with an eLb spell reaching into the period can be in a stock or counted in a
    # flow, so only they are numbered (their employment and measures are the only ones read)
    spell_cut = s_lo - timedelta(days=LZB_WINDOW_DAYS + 40)
    con.execute(f"""
        CREATE TEMP TABLE pers AS
        SELECT person_id AS pid, row_number() OVER ()::INTEGER AS person_id,
               CASE sex WHEN 'f' THEN 1 WHEN 'm' THEN 2 ELSE 0 END::TINYINT AS sex, birth_date
        FROM src_persons
        WHERE person_id IN (SELECT person_id FROM src_elb_spells
                            WHERE status = 'elb' AND coalesce("end", DATE '{OPEN_END}') >= DATE '{spell_cut}')
    """)
    con.execute("""
        CREATE TEMP TABLE emp AS
        SELECT p.person_id, e.kind, e.subsidy, e."start", e."end" FROM src_employment e JOIN pers p ON p.pid = e.person_id
    """)
    con.execute("""
        CREATE TEMP TABLE meas AS
        SELECT p.person_id, m.instrument, m."start", m."end" FROM src_measures m JOIN pers p ON p.pid = m.person_id
    """)
    con.execute(f"""
        CREATE TEMP TABLE pay AS
        SELECT CAST(substr(y.month, 1, 4) AS INTEGER) * 12 + CAST(substr(y.month, 6, 2) AS INTEGER) - 1 AS t,
               md.mi AS municipality_id, md.ji AS jobcenter_id, y.llu, y.luh
        FROM (SELECT month, municipality_id, sum(llu) AS llu, sum(luh) AS luh FROM src_payments
              WHERE month BETWEEN '{m_from}' AND '{m_to}' GROUP BY month, municipality_id) y
        JOIN mdim md ON md.mid = y.municipality_id
    """)
    con.execute(f"""
        CREATE TEMP TABLE sp0 AS
        SELECT p.person_id, p.sex, s.bg_id AS bid, md.mi AS municipality_id, md.ji AS jobcenter_id,
               s.role = 'head' AS role, s."start" AS s, coalesce(s."end", DATE '{OPEN_END}') AS e
        FROM src_elb_spells s JOIN pers p ON p.pid = s.person_id JOIN mdim md ON md.mid = s.municipality_id
        WHERE s.status = 'elb' AND coalesce(s."end", DATE '{OPEN_END}') >= DATE '{spell_cut}'
    """)
    con.execute(f"""
        CREATE TEMP TABLE bgdim AS
        SELECT bid, row_number() OVER (ORDER BY bid)::INTEGER AS bg_id FROM (SELECT DISTINCT bid FROM sp0);
        CREATE TEMP TABLE sp AS SELECT sp0.* EXCLUDE (bid), b.bg_id FROM sp0 JOIN bgdim b USING (bid);
        CREATE TEMP TABLE hh AS
        SELECT b.bg_id, h."start", coalesce(h."end", DATE '{OPEN_END}') AS "end"
        FROM src_households h JOIN bgdim b ON b.bid = h.bg_id WHERE h.bg_type = 'single_parent';
    """)
    # Merged eLb intervals per person over all units (C3: overlaps count once). Each spell keeps
    # its merged interval (grp); ``ov`` marks persons with truly overlapping spells (C2 needs a
    # choice only for them).
    con.execute("""
        CREATE TEMP TABLE spg AS
        WITH o AS (
            SELECT *, max(e) OVER (PARTITION BY person_id ORDER BY s, e
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
            FROM sp)
        SELECT * EXCLUDE (prev_e),
               sum(CASE WHEN prev_e IS NULL OR s > prev_e + 1 THEN 1 ELSE 0 END)
                   OVER (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING)::INTEGER AS grp,
               bool_or(coalesce(s <= prev_e, false)) OVER (PARTITION BY person_id) AS ov
        FROM o
    """)
    # per merged interval: its start and the earlier merged intervals reaching into the 730 days
    # before it (usually none or one), as a list
    con.execute(f"""
        CREATE TEMP TABLE merged AS
        WITH m AS (SELECT person_id, grp, min(s) AS s, max(e) AS e FROM spg GROUP BY person_id, grp)
        SELECT m.person_id, m.grp, m.s AS ms,
               list({{'s': q.s, 'e': q.e}}) FILTER (WHERE q.person_id IS NOT NULL) AS prevs
        FROM m LEFT JOIN m q ON q.person_id = m.person_id AND q.grp < m.grp AND q.e >= m.s - {LZB_WINDOW_DAYS}
        GROUP BY m.person_id, m.grp, m.s
    """)


def _build_panel(ctx: _Ctx) -> None:
    """One row per person and Stichtag in the eLb stock (C2) with LZB (C3); AE and active-measure sets."""
    con = ctx.con
    active = _reg_case("p.t", lambda r: f"ms.instrument IN {_sql_set(r.active_instruments)}")
    # Stichtage covered by a spell: months t_from..t_to, generated per spell (no range join)
    t_from = _month_idx_sql("s", ctx.day)
    t_to = _month_idx_sql("e + 1", ctx.day) + " - 1"
    W = LZB_WINDOW_DAYS - 1
    # eLb days in [S−729, S] (C3): S lies in the merged interval starting at ms; days from ms to S
    # plus the parts of earlier merged intervals inside the window.
    days = (f"CASE WHEN st.S - {W} >= y.ms THEN {LZB_WINDOW_DAYS} ELSE (st.S - y.ms + 1) + coalesce(list_sum("
            f"list_transform(y.prevs, lambda q: greatest(0, least(q.e, st.S) - greatest(q.s, st.S - {W}) + 1))), 0) END")
    # Stichtage before first−13 are needed only for K2E3 under FKV 2011 (integrations of t−23..t−12,
    # with the stock at S_{m−2}); there the panel is restricted to persons with an svB start.
    cut = ctx.lo + LOOKBACK_MONTHS - 13
    s_cut = stichtag(Month.from_index(cut), ctx.day)
    con.execute(f"""
        CREATE TEMP TABLE early AS
        SELECT DISTINCT person_id FROM emp
        WHERE kind IN {_sql_set(law.SVB_KINDS)} AND "start" <= DATE '{s_cut}'
          AND "start" > DATE '{stichtag(Month.from_index(ctx.lo), ctx.day)}'
    """)
    # spells of persons without overlapping spells (nearly all) and of the others are expanded
    # separately (a shared CTE would be materialised, i.e. the whole expansion copied once more)
    def x(cond: str) -> str:
        return f"""
            SELECT g.person_id, g.sex, g.municipality_id, g.jobcenter_id, g.bg_id, g.role, g.s,
                   m.ms, m.prevs,
                   unnest(range(greatest({t_from}, CASE WHEN ep.person_id IS NOT NULL THEN {ctx.lo} ELSE {cut} END),
                                least({t_to}, {ctx.hi}) + 1))::INTEGER AS t
            FROM spg g JOIN merged m USING (person_id, grp) LEFT JOIN early ep ON ep.person_id = g.person_id
            WHERE g.s <= DATE '{stichtag(Month.from_index(ctx.hi), ctx.day)}'
              AND (g.e >= DATE '{s_cut}' OR ep.person_id IS NOT NULL) AND {cond}"""
    con.execute(f"""
        CREATE TEMP TABLE panel AS
        WITH y AS (
            SELECT t, person_id, sex, municipality_id, jobcenter_id, bg_id, role, ms, prevs FROM ({x("NOT g.ov")})
            UNION ALL
            SELECT t, person_id, sex, a.m, a.j, a.b, a.r, a.ms, a.prevs FROM (
                SELECT t, person_id, sex,
                       arg_max({{'m': municipality_id, 'j': jobcenter_id, 'b': bg_id, 'r': role, 'ms': ms,
                                 'prevs': prevs}}, {{'s': s, 'b': bg_id}}) AS a
                FROM ({x("g.ov")}) GROUP BY t, person_id, sex))
        SELECT y.t, st.S, y.person_id, y.sex, y.municipality_id, y.jobcenter_id, y.bg_id, y.role,
               ({days}) >= {LZB_MIN_DAYS} AS lzb
        FROM y JOIN st ON st.t = y.t
    """)
    con.execute("DROP TABLE spg; DROP TABLE merged")
    # single parents (AE) and persons in an active measure at the Stichtag, with their unit: a
    # small table each, counted directly (the panel itself carries no flags)
    s_lo, s_hi = stichtag(Month.from_index(ctx.lo), ctx.day), stichtag(Month.from_index(ctx.hi), ctx.day)
    con.execute(f"""
        CREATE TEMP TABLE ae_set AS
        SELECT DISTINCT p.t, p.person_id, p.jobcenter_id, p.municipality_id, p.sex FROM panel p
        JOIN (SELECT * FROM hh WHERE "start" <= DATE '{s_hi}' AND "end" >= DATE '{s_lo}') h
          ON h.bg_id = p.bg_id AND h."start" <= p.S AND h."end" >= p.S
        WHERE p.role
    """)
    con.execute(f"""
        CREATE TEMP TABLE act_set AS
        SELECT DISTINCT p.t, p.person_id, p.jobcenter_id, p.municipality_id, p.sex, p.lzb FROM panel p
        JOIN (SELECT * FROM meas WHERE instrument IN {_sql_set(frozenset().union(*(r.active_instruments for r in REGULATIONS)))} AND "start" <= DATE '{s_hi}'
              AND coalesce("end", DATE '{OPEN_END}') >= DATE '{s_lo}') ms
          ON ms.person_id = p.person_id AND ms."start" <= p.S AND coalesce(ms."end", DATE '{OPEN_END}') >= p.S
        WHERE {active}
    """)


def _fine_blocks(ctx: _Ctx) -> None:
    """All blocks at the finest grain (t, jobcenter, municipality, sex) or per level (entries/exits)."""
    con, lo, hi, day = ctx.con, ctx.lo, ctx.hi, ctx.day
    parts: list[str] = []
    # stocks (C2, C3), K3E2 numerator and LZB entries/exits by stock comparison (C5): one pass
    # over the panel. Whether a person was LZB (in the stock) at the neighbouring Stichtag comes
    # from a per-person bit string of the Stichtage at which they are LZB (bit t − lo) — a hash
    # aggregate instead of sorting the panel per person (lag/lead).
    con.execute(f"""
        CREATE TEMP TABLE stockagg AS
        WITH mk AS (
            SELECT person_id, bitstring_agg(t, {lo}, {hi}) AS mask FROM panel WHERE lzb GROUP BY person_id)
        SELECT t, jobcenter_id, municipality_id, sex,
               count(*)::DOUBLE AS elb, count(*) FILTER (WHERE lzb)::DOUBLE AS lzb,
               count(*) FILTER (WHERE lzb AND t > {lo} AND get_bit(mk.mask, greatest(t - 1 - {lo}, 0)) = 0)::DOUBLE AS lzb_in,
               count(*) FILTER (WHERE lzb AND t < {hi} AND get_bit(mk.mask, least(t + 1 - {lo}, {hi - lo})) = 0)::DOUBLE AS lzb_out_next
        FROM panel LEFT JOIN mk USING (person_id) GROUP BY ALL
    """)
    # employment starts counted by the BA rule (C6)
    te = _month_idx_sql('"start"', day)
    con.execute(f"""
        CREATE TEMP TABLE ev0 AS
        SELECT person_id, kind, subsidy, "start" AS d, {te} AS te
        FROM emp WHERE {te} BETWEEN {lo + 1} AND {hi}
    """)
    con.execute("""
        CREATE TEMP TABLE pev AS
        SELECT t, person_id, jobcenter_id, municipality_id, sex, lzb FROM panel
        WHERE person_id IN (SELECT person_id FROM ev0)
    """)
    con.execute("DROP TABLE panel")  # the largest table: freed as soon as it is no longer read
    cls_cols = ", ".join(
        f"{_reg_case('m', fn)} AS is_{name}" for name, fn in _CLASS_SQL.items()
    )
    con.execute(f"""
        CREATE TEMP TABLE ev AS
        WITH c AS (
            SELECT ev0.*, ev0.te AS m, p.t AS pt, p.jobcenter_id, p.municipality_id, p.sex, p.lzb
            FROM ev0 JOIN pev p ON p.person_id = ev0.person_id AND p.t = ev0.te - 1
            UNION ALL
            SELECT ev0.*, ev0.te + 1 AS m, p.t AS pt, p.jobcenter_id, p.municipality_id, p.sex, p.lzb
            FROM ev0 JOIN pev p ON p.person_id = ev0.person_id AND p.t = ev0.te
            WHERE ev0.te + 1 <= {hi} AND ev0.te - 1 >= {lo}
              AND NOT EXISTS (SELECT 1 FROM pev q WHERE q.person_id = ev0.person_id AND q.t = ev0.te - 1))
        SELECT c.* EXCLUDE (pt), a.person_id IS NOT NULL AS ae, {cls_cols},
               year(d) - year(per.birth_date)
                 - CASE WHEN (month(d), day(d)) < (month(per.birth_date), day(per.birth_date)) THEN 1 ELSE 0 END AS age
        FROM c LEFT JOIN pers per USING (person_id) LEFT JOIN ae_set a ON a.person_id = c.person_id AND a.t = c.pt
    """)
    for eb in EVENT_BLOCKS.values():
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
        parts.append(f"""
            SELECT m, jobcenter_id, municipality_id, sex, '{eb.code}', count(DISTINCT person_id)
            FROM ev WHERE {' AND '.join(conds)} GROUP BY ALL""")
    parts.append(_k2e3_sql(ctx))
    # K1, K1E1: payments of the BG (no sex)
    parts.append(f"""
        SELECT t, jobcenter_id, municipality_id, NULL::TINYINT, 'llu', sum(llu)
        FROM pay WHERE t BETWEEN {lo} AND {hi} GROUP BY ALL
        UNION ALL
        SELECT t, jobcenter_id, municipality_id, NULL::TINYINT, 'luh', sum(luh)
        FROM pay WHERE t BETWEEN {lo} AND {hi} GROUP BY ALL""")
    # the other blocks are pivoted at the fine grain and stacked under the (already wide) stocks:
    # ``fine`` is wide (one column per block), so the roll-up sums columns instead of filtering
    # a long table per block
    rest = [eb for eb in EVENT_BLOCKS] + ["k2e3_den", "k2e3_num", "llu", "luh"]
    rsum = ", ".join(f"sum(val) FILTER (WHERE block = '{b}')::DOUBLE AS {b}" for b in rest)
    con.execute(f"""
        CREATE TEMP TABLE fine AS
        SELECT t, jobcenter_id, municipality_id, sex, {rsum}
        FROM ({" UNION ALL ".join(f"({p})" for p in parts)}) u(t, jobcenter_id, municipality_id, sex, block, val)
        GROUP BY ALL
        UNION ALL BY NAME
        SELECT * EXCLUDE (lzb_out_next) FROM stockagg
        UNION ALL BY NAME
        SELECT t, jobcenter_id, municipality_id, sex, count(*)::DOUBLE AS ae FROM ae_set GROUP BY ALL
        UNION ALL BY NAME
        SELECT t, jobcenter_id, municipality_id, sex, count(*)::DOUBLE AS lzb_active FROM act_set WHERE lzb GROUP BY ALL
        UNION ALL BY NAME
        SELECT t + 1 AS t, jobcenter_id, municipality_id, sex, lzb_out_next AS lzb_out FROM stockagg
    """)
    con.execute("DROP TABLE stockagg; DROP TABLE ev0")

    # eLb entries/exits per person and reporting unit with gap merge (C4)
    gap = MERGE_GAP_DAYS + 1
    ti = _month_idx_sql("ps", day)
    to = _month_idx_sql("pe + 1", day)
    con.execute(f"""
        CREATE TEMP TABLE flows AS
        WITH pm AS (
            -- nm/nj: 1 if the person stays in one municipality/Jobcenter, else 2 (no distinct count needed)
            SELECT person_id, CASE WHEN min(municipality_id) = max(municipality_id) THEN 1 ELSE 2 END AS nm,
                   CASE WHEN min(jobcenter_id) = max(jobcenter_id) THEN 1 ELSE 2 END AS nj,
                   any_value(municipality_id) AS mun, any_value(jobcenter_id) AS jc
            FROM sp GROUP BY person_id),
        -- persons who stay in one unit have the same merged periods at every level: merged once
        -- (as "total") and relabelled below; only movers are merged per Jobcenter/municipality
        u AS (
            SELECT 'total' AS lvl, 0 AS unit_id, person_id, sex, s, e FROM sp
            UNION ALL SELECT 'jobcenter', jobcenter_id, person_id, sex, s, e FROM sp JOIN pm USING (person_id)
                      WHERE pm.nj > 1
            UNION ALL SELECT 'municipality', municipality_id, person_id, sex, s, e FROM sp JOIN pm USING (person_id)
                      WHERE pm.nm > 1),
        o AS (
            SELECT *, max(e) OVER (PARTITION BY lvl, unit_id, person_id ORDER BY s, e
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
            FROM u),
        g AS (
            SELECT *, sum(CASE WHEN prev_e IS NULL OR s > prev_e + {gap} THEN 1 ELSE 0 END)
                      OVER (PARTITION BY lvl, unit_id, person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
            FROM o),
        per AS (SELECT lvl, unit_id, person_id, sex, min(s) AS ps, max(e) AS pe FROM g
                GROUP BY lvl, unit_id, person_id, sex, grp),
        evs0 AS (
            SELECT lvl, unit_id, person_id, sex, 'elb_in' AS block, {ti} AS t FROM per
            UNION ALL
            SELECT lvl, unit_id, person_id, sex, 'elb_out', {to} FROM per WHERE pe < DATE '{OPEN_END}'),
        evs AS (
            SELECT lvl, unit_id, sex, block, t FROM evs0
            UNION ALL
            SELECT 'jobcenter', pm.jc, sex, block, t FROM evs0 JOIN pm USING (person_id)
            WHERE evs0.lvl = 'total' AND pm.nj = 1
            UNION ALL
            SELECT 'municipality', pm.mun, sex, block, t FROM evs0 JOIN pm USING (person_id)
            WHERE evs0.lvl = 'total' AND pm.nm = 1)
        SELECT lvl, unit_id, t, sex, block, count(*)::DOUBLE AS val
        FROM evs
        WHERE t BETWEEN {lo} AND {hi} GROUP BY ALL
    """)


def _k2e3_sql(ctx: _Ctx) -> str:
    """K2E3 numerator/denominator per reporting month t (C8), version by t."""
    con, lo, hi = ctx.con, ctx.lo, ctx.hi
    svb = _sql_set(law.SVB_KINDS)
    con.execute(f"""
        CREATE TEMP TABLE k2base AS
        SELECT DISTINCT person_id, m, jobcenter_id, municipality_id, sex FROM ev
        WHERE is_integration AND kind IN {svb}
    """)
    con.execute(f"""
        CREATE TEMP TABLE svbcov AS
        SELECT DISTINCT e.person_id, st.t FROM emp e
        JOIN (SELECT DISTINCT person_id FROM k2base) b USING (person_id)
        JOIN st ON e."start" <= st.S AND coalesce(e."end", DATE '{OPEN_END}') >= st.S
        WHERE e.kind IN {svb}
    """)
    flags = []
    for reg in REGULATIONS:
        L = reg.k2e3_lag_months
        if reg.k2e3_rule == "at_lag":
            flags.append(f"EXISTS (SELECT 1 FROM svbcov c WHERE c.person_id = b.person_id AND c.t = b.m + {L}) "
                         f"AS ok_{reg.key}")
        elif reg.k2e3_rule == "each_month":
            flags.append(f"(SELECT count(*) FROM svbcov c WHERE c.person_id = b.person_id "
                         f"AND c.t BETWEEN b.m + 1 AND b.m + {L}) = {L} AS ok_{reg.key}")
        else:
            raise ValueError(f"Unbekannte K2E3-Regel {reg.k2e3_rule!r}")
    con.execute(f"CREATE TEMP TABLE k2flags AS SELECT b.*, {', '.join(flags)} FROM k2base b")
    rows = []
    for t in range(lo, hi + 1):
        m = Month.from_index(t)
        if m < REGULATIONS[0].first_month:
            continue
        reg = law.regulation_for(m)
        rows.append((t, reg.k2e3_lag_months, reg.key))
    con.register("k2months_arrow", pa.table({"t": [r[0] for r in rows], "L": [r[1] for r in rows],
                                              "reg": [r[2] for r in rows]}))
    # counted per (m, unit, sex) first, so the 12-month window join multiplies few rows
    okc = ", ".join(f"count(*) FILTER (WHERE ok_{r.key}) AS n_{r.key}" for r in REGULATIONS)
    con.execute(f"""
        CREATE TEMP TABLE k2agg AS
        SELECT m, jobcenter_id, municipality_id, sex, count(*) AS n_all, {okc} FROM k2flags GROUP BY ALL
    """)
    ok = "CASE " + " ".join(f"WHEN k.reg = '{r.key}' THEN f.n_{r.key}" for r in REGULATIONS) + " END"
    return f"""
        SELECT k.t, f.jobcenter_id, f.municipality_id, f.sex, 'k2e3_den', sum(f.n_all)
        FROM k2agg f JOIN k2months_arrow k ON f.m BETWEEN k.t - k.L - 11 AND k.t - k.L GROUP BY ALL
        UNION ALL
        SELECT k.t, f.jobcenter_id, f.municipality_id, f.sex, 'k2e3_num', sum({ok})
        FROM k2agg f JOIN k2months_arrow k ON f.m BETWEEN k.t - k.L - 11 AND k.t - k.L GROUP BY ALL"""


def _wide(ctx: _Ctx, levels: tuple[str, ...], blocks: list[str], t_from: int | None = None) -> None:
    """Roll the fine blocks up to units and sexes and pivot to a dense (unit, sex, t) grid of the
    months ``t_from``..hi (default: the whole panel; callers that look back less pass a later start)."""
    con, lo, hi = ctx.con, ctx.lo if t_from is None else max(ctx.lo, t_from), ctx.hi
    sets = []
    for lvl in levels:
        key = {"jobcenter": "jobcenter_id, ", "municipality": "municipality_id, ", "total": ""}[lvl]
        sets += [f"(t, {key}sex)", f"(t{', ' + key.rstrip(', ') if key else ''})"]
    keyed = [lv for lv in levels if lv != "total"]
    lvl_case = " ".join(f"WHEN grouping({lv}_id) = 0 THEN '{lv}'" for lv in keyed) or "WHEN false THEN ''"
    unit_case = " ".join(f"WHEN grouping({lv}_id) = 0 THEN {lv}_id" for lv in keyed) or "WHEN false THEN 0"
    fine_cols = {r[0] for r in con.execute("DESCRIBE fine").fetchall()}
    flow_blocks = [b for b in blocks if b not in fine_cols]
    fsum = ", ".join(f"sum({b}) AS {b}" for b in blocks if b in fine_cols)
    # the fine rows (stocks, shifted LZB exits, events) share keys: collapse them to one row per
    # (t, municipality, sex) first, so the roll-up reads each key once
    con.execute(f"""
        CREATE TEMP TABLE fine1 AS
        SELECT t, jobcenter_id, municipality_id, sex, {fsum} FROM fine WHERE t BETWEEN {lo} AND {hi} GROUP BY ALL
    """)
    con.execute("DROP TABLE fine")
    con.execute(f"""
        CREATE TEMP TABLE blocks AS
        SELECT t,
               CASE {lvl_case} ELSE 'total' END AS lvl,
               CASE {unit_case} ELSE 0 END AS unit_id,
               CASE WHEN grouping(sex) = 1 THEN 'all' WHEN sex = 1 THEN 'f' WHEN sex = 2 THEN 'm' END AS sex,
               {fsum}
        FROM fine1
        GROUP BY GROUPING SETS ({', '.join(sets)})
    """)
    # entries/exits are already per level and unit (C4): only the sexes are rolled up
    flsum = ", ".join(f"sum(val) FILTER (WHERE block = '{b}') AS {b}" for b in flow_blocks)
    con.execute(f"""
        CREATE TEMP TABLE flowsw AS
        SELECT t, lvl, unit_id,
               CASE WHEN grouping(sex) = 1 THEN 'all' WHEN sex = 1 THEN 'f' WHEN sex = 2 THEN 'm' END AS sex, {flsum}
        FROM flows GROUP BY GROUPING SETS ((t, lvl, unit_id, sex), (t, lvl, unit_id))
    """)
    lv = _sql_set(levels)
    cols = ", ".join(f"coalesce({'q' if b in flow_blocks else 'p'}.{b}, 0)::DOUBLE AS {b}" for b in blocks)
    con.execute(f"""
        CREATE TEMP TABLE wide AS
        WITH units AS (
            SELECT 'jobcenter' AS lvl, ji AS ui, jid AS unit_id FROM jdim
            UNION ALL SELECT 'municipality', mi, mid FROM mdim
            UNION ALL SELECT 'total', 0, '{TOTAL_ID}'),
        grid AS (
            SELECT u.lvl, u.ui, u.unit_id, sx.sex, g.t FROM units u
            CROSS JOIN (VALUES ('all'), ('f'), ('m')) sx(sex)
            CROSS JOIN range({lo}, {hi + 1}) g(t)
            WHERE u.lvl IN {lv})
        SELECT g.lvl, g.ui, g.unit_id, g.sex, g.t::INTEGER AS t, {cols}
        FROM grid g
        LEFT JOIN blocks p ON p.lvl = g.lvl AND p.unit_id = g.ui AND p.sex = g.sex AND p.t = g.t
        LEFT JOIN flowsw q ON q.lvl = g.lvl AND q.unit_id = g.ui AND q.sex = g.sex AND q.t = g.t
    """)


def _term_sql(term: Term, literal: bool) -> str:
    a, b = resolve_window(term, literal)
    if a == b == 0:
        expr = term.block
    else:
        def bound(k: int) -> str:
            return "CURRENT ROW" if k == 0 else (f"{-k} PRECEDING" if k < 0 else f"{k} FOLLOWING")
        expr = f"sum({term.block}) OVER (w ROWS BETWEEN {bound(a)} AND {bound(b)})"
    if term.agg == "avg":
        expr = f"({expr}) / {b - a + 1}.0"
    elif term.agg != "sum":
        raise ValueError(f"Unbekannte Aggregation {term.agg!r}")
    return expr


def _value_sql(ind: Indicator, num: str = "num", den: str = "den") -> str:
    if ind.value == "percent":
        return f"CASE WHEN {den} IS NULL OR {den} = 0 THEN NULL ELSE {num} / {den} * 100 END"
    if ind.value == "change":
        return f"CASE WHEN {den} IS NULL OR {den} = 0 THEN NULL ELSE ({num} / {den} - 1) * 100 END"
    if ind.value == "count":
        return num
    raise ValueError(f"Unbekannte Darstellung {ind.value!r}")


def _month_text_sql(t: str) -> str:
    return f"printf('%04d-%02d', ({t}) // 12, ({t}) % 12 + 1)"


# --- public API ------------------------------------------------------------------------------

def _prepare(ds: Dataset, lo: int, hi: int, day: int, levels: tuple[str, ...], blocks: list[str],
             t_from: int | None = None) -> _Ctx:
    con = _connect(ds)
    ctx = _Ctx(con, lo, hi, day)
    _stichtage(con, lo, hi, day)
    _build_spells(ctx)
    _build_panel(ctx)
    _fine_blocks(ctx)
    _wide(ctx, levels, blocks, t_from)
    return ctx


def _check_args(first: Month, last: Month, level: str, day: int | None) -> None:
    if level not in LEVELS:
        raise ValueError(f"Unbekannte Ebene {level!r} (erlaubt: jobcenter, municipality, all)")
    if last < first:
        raise ValueError(f"Der Zeitraum ist leer: {first} liegt nach {last}.")
    if first < REGULATIONS[0].first_month:
        raise ValueError(f"Kennzahlen nach § 48a SGB II gibt es erst ab {REGULATIONS[0].first_month} "
                         f"(angefragt: {first}).")
    if day is not None and not 1 <= day <= 31:
        raise ValueError(f"Ungültiger Stichtag-Tag: {day} (erlaubt 1 bis 31)")


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
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    lo, hi = first.index - LOOKBACK_MONTHS, last.index
    blocks = list(BASE_BLOCKS) + list(EVENT_BLOCKS)
    # the grid starts at the earliest month any requested term reads (rolling windows are ROWS
    # frames over the dense grid, so the rows before it are never needed)
    reach = min(resolve_window(term, literal_window)[0] for c in codes
                for term in (INDICATORS[c].numerator, INDICATORS[c].denominator) if term is not None)
    ctx = _prepare(ds, lo, hi, day, LEVELS[level], blocks, t_from=first.index + min(reach, 0))
    prov_from = Month.of(ds.as_of).index - law.WAITING_MONTHS + 1
    # one window pass computes every numerator and denominator term, then one scan per indicator
    terms: dict[str, str] = {}
    spec = []
    for i, code in enumerate(codes):
        ind = INDICATORS[code]
        num = _term_sql(ind.numerator, literal_window)
        den = _term_sql(ind.denominator, literal_window) if ind.denominator is not None else "NULL::DOUBLE"
        terms[f"n{i}"] = num
        terms[f"d{i}"] = den
        spec.append((i, code, ind))
    cols = ", ".join(f"({expr})::DOUBLE AS {name}" for name, expr in terms.items())
    ctx.con.execute(f"""
        CREATE TEMP TABLE terms AS
        SELECT * FROM (
            SELECT lvl, ui, unit_id, sex, t, {cols} FROM wide
            WINDOW w AS (PARTITION BY lvl, ui, sex ORDER BY t))
        WHERE t BETWEEN {first.index} AND {last.index}
    """)
    selects = []
    for i, code, ind in spec:
        sex_filter = "" if ind.by_sex else "AND sex = 'all'"
        value = _value_sql(ind, f"n{i}", f"d{i}")
        selects.append(f"""
            SELECT lvl, ui, unit_id, t, {i} AS ord, '{code}' AS indicator, sex, n{i} AS numerator,
                   d{i} AS denominator, ({value})::DOUBLE AS value
            FROM terms WHERE true {sex_filter}""")
    sql = (f"SELECT lvl AS unit_type, unit_id, {_month_text_sql('t')} AS month, indicator, sex, numerator, "
           f"denominator, value, t >= {prov_from} AS provisional FROM ("
           + " UNION ALL ".join(selects) +
           ") ORDER BY CASE lvl WHEN 'total' THEN 0 WHEN 'jobcenter' THEN 1 ELSE 2 END, ui, t, ord, "
           "CASE sex WHEN 'all' THEN 0 WHEN 'f' THEN 1 ELSE 2 END")
    result = ctx.con.sql(sql).to_arrow_table()
    ctx.con.close()
    return result.cast(_LONG_SCHEMA)


def jahresfortschritt(
    ds: Dataset,
    year: int,
    through: Month | None = None,
    level: str = "all",
    stichtag_day: int | None = None,
    literal_window: bool = False,
) -> pa.Table:
    """Year-to-date values (Jahresfortschrittswerte) for every month Jan..``through`` of ``year``.

    Same long format as :func:`compute_kennzahlen`; indicators:

    - ``K2``, ``K2E4``, ``K3E1``: integrations (of all eLb, single parents, LZB) counted in months
      January..m, over the average stock at the m Stichtage S_{Dec prev. year}..S_{m−1} (BA practice,
      the stock "of the m preceding months"; ``literal_window``: S_Jan..S_m). Percent.
    - ``LZB_JD``: average LZB stock at S_Jan..S_m (numerator: sum of the m stocks, denominator m);
      value = the average (a count, not percent).
    - ``K3_JD``: change of that average against the same months of the previous year:
      numerator = average Jan..m of ``year``, denominator = average Jan..m of ``year − 1``, value
      (num/den − 1)·100.
    """
    through = through or Month(year, 12)
    if through.year != year:
        raise ValueError(f"Der Monat {through} liegt nicht im Jahr {year}.")
    first = Month(year, 1)
    _check_args(first, through, level, stichtag_day)
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    lo, hi = first.index - LOOKBACK_MONTHS, through.index
    ctx = _prepare(ds, lo, hi, day, LEVELS[level], list(BASE_BLOCKS) + list(EVENT_BLOCKS))
    prov_from = Month.of(ds.as_of).index - law.WAITING_MONTHS + 1
    shift = 0 if literal_window else 1
    part = "PARTITION BY lvl, unit_id, sex, t // 12 ORDER BY t ROWS UNBOUNDED PRECEDING"
    sql = f"""
        WITH x AS (
            SELECT *, lag(elb, {shift}) OVER w AS elb_s, lag(ae, {shift}) OVER w AS ae_s,
                      lag(lzb, {shift}) OVER w AS lzb_s
            FROM wide WINDOW w AS (PARTITION BY lvl, unit_id, sex ORDER BY t)),
        y AS (
            SELECT lvl, unit_id, sex, t,
                   sum(integ) OVER ({part}) AS integ_c, avg(elb_s) OVER ({part}) AS elb_a,
                   sum(integ_ae) OVER ({part}) AS integ_ae_c, avg(ae_s) OVER ({part}) AS ae_a,
                   sum(integ_lzb) OVER ({part}) AS integ_lzb_c, avg(lzb_s) OVER ({part}) AS lzb_sa,
                   sum(lzb) OVER ({part}) AS lzb_sum, count(*) OVER ({part}) AS n,
                   avg(lzb) OVER ({part}) AS lzb_avg
            FROM x),
        z AS (SELECT *, lag(lzb_avg, 12) OVER (PARTITION BY lvl, unit_id, sex ORDER BY t) AS lzb_avg_prev FROM y),
        longf AS (
            SELECT lvl, unit_id, sex, t, 'K2' AS indicator, integ_c AS num, elb_a AS den, 'p' AS kind FROM z
            UNION ALL SELECT lvl, unit_id, sex, t, 'K2E4', integ_ae_c, ae_a, 'p' FROM z
            UNION ALL SELECT lvl, unit_id, sex, t, 'K3E1', integ_lzb_c, lzb_sa, 'p' FROM z
            UNION ALL SELECT lvl, unit_id, sex, t, 'LZB_JD', lzb_sum, n, 'a' FROM z
            UNION ALL SELECT lvl, unit_id, sex, t, 'K3_JD', lzb_avg, lzb_avg_prev, 'c' FROM z)
        SELECT lvl AS unit_type, unit_id, {_month_text_sql('t')} AS month, indicator, sex,
               num::DOUBLE AS numerator, den::DOUBLE AS denominator,
               (CASE WHEN den IS NULL OR den = 0 THEN NULL
                     WHEN kind = 'p' THEN num / den * 100
                     WHEN kind = 'a' THEN num / den
                     ELSE (num / den - 1) * 100 END)::DOUBLE AS value,
               t >= {prov_from} AS provisional
        FROM longf WHERE t BETWEEN {first.index} AND {through.index}
        ORDER BY unit_type, unit_id, month, indicator, sex
    """
    result = ctx.con.sql(sql).to_arrow_table()
    ctx.con.close()
    return result.cast(_LONG_SCHEMA)


def lzb_status(ds: Dataset, stichtag: date, stichtag_day: int | None = None) -> pa.Table:
    """Per person in the eLb stock at ``stichtag``: unit (C2), eLb days in the 730-day window,
    LZB flag (C3) and ``lzb_from`` (first monthly Stichtag on or after ``stichtag`` at which the
    person is LZB if they stay eLb without a break from ``stichtag`` on)."""
    day = stichtag_day if stichtag_day is not None else ds.stichtag_day
    base = Month.of(stichtag)
    cands = [stichtag] + [s for k in range(27) if (s := _st(base + k, day)) > stichtag]
    con = _connect(ds)
    con.register("cand_arrow", pa.table({"k": list(range(len(cands))), "C": cands}))
    S = f"DATE '{stichtag.isoformat()}'"
    W = LZB_WINDOW_DAYS - 1
    con.execute(f"""
        CREATE TEMP TABLE sp AS
        SELECT s.person_id, s.bg_id, s.municipality_id, m.jobcenter_id,
               s."start" AS s, coalesce(s."end", DATE '{OPEN_END}') AS e
        FROM src_elb_spells s JOIN src_municipalities m USING (municipality_id)
        WHERE s.status = 'elb' AND s."start" <= {S} AND coalesce(s."end", DATE '{OPEN_END}') >= {S} - {W}
    """)
    sql = f"""
        WITH stock AS (
            SELECT person_id, municipality_id, jobcenter_id FROM sp WHERE s <= {S} AND e >= {S}
            QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY s DESC, bg_id DESC) = 1),
        o AS (
            SELECT person_id, s, least(e, {S}) AS e,
                   max(least(e, {S})) OVER (PARTITION BY person_id ORDER BY s, e
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
            FROM sp WHERE person_id IN (SELECT person_id FROM stock)),
        g AS (SELECT *, sum(CASE WHEN prev_e IS NULL OR s > prev_e + 1 THEN 1 ELSE 0 END)
                         OVER (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp FROM o),
        merged AS (SELECT person_id, min(s) AS s, max(e) AS e FROM g GROUP BY person_id, grp),
        proj AS (
            SELECT c.k, c.C, m.person_id,
                   sum(greatest(0, least(m.e, {S}) - greatest(m.s, c.C - {W}) + 1)) + least(c.C - {S}, {W + 1}) AS days
            FROM merged m CROSS JOIN cand_arrow c
            GROUP BY c.k, c.C, m.person_id),
        agg AS (
            SELECT person_id, max(days) FILTER (WHERE k = 0) AS d0,
                   min(C) FILTER (WHERE days >= {LZB_MIN_DAYS}) AS lzb_from
            FROM proj GROUP BY person_id)
        SELECT s.person_id, s.jobcenter_id, s.municipality_id, a.d0::BIGINT AS elb_days_730,
               a.d0 >= {LZB_MIN_DAYS} AS is_lzb, a.lzb_from::DATE AS lzb_from
        FROM stock s JOIN agg a USING (person_id)
        ORDER BY s.jobcenter_id, s.municipality_id, s.person_id
    """
    result = con.sql(sql).to_arrow_table()
    con.close()
    return result.cast(pa.schema([("person_id", pa.string()), ("jobcenter_id", pa.string()),
                                  ("municipality_id", pa.string()), ("elb_days_730", pa.int64()),
                                  ("is_lzb", pa.bool_()), ("lzb_from", pa.date32())]))


def _st(m: Month, day: int) -> date:
    return stichtag(m, day)
