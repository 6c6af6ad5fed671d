"""Benchmark of the Kennzahlen engine (docs/kennzahlen.md § Performance).

    .venv/bin/python -m bench.kennzahlen --scale 0.1          # national synthetic data, 10 %
    .venv/bin/python -m bench.kennzahlen --scale 1.0 --no-baseline
    .venv/bin/python -m bench.kennzahlen --siegen              # Siegen-Wittgenstein only

Generates (or reuses, under ``bench/data/``) the synthetic ``germany`` dataset with
``zielwerk.synth.generate``, loads it with the real reader, then times

1. the engine: the full 12-month panel of all 15 indicators for all Jobcenters, municipalities
   and the total, all sexes (``compute_kennzahlen(level="all")``);
2. a straightforward baseline in the same process that computes the same blocks for the same
   panel (Jobcenters and municipalities, all/f/m): each reporting month t on its own, nothing
   shared between reporting months —
   - one query per Stichtag S_{t-13}..S_t that clips every spell to that Stichtag's 730-day
     window: eLb stock (C2), LZB stock (C3), single parents (households), LZB in an active
     measure (K3E2); a plain stock query for the older Stichtage only K2E3 needs;
   - per month t-11..t: LZB entries/exits by comparing the stocks at S_m and S_{m-1} (C5), and the
     employment starts by the BA rule (C6: integrations, marginal, publicly funded, of LZB, of
     single parents; classified with the regulation of the month);
   - per level, all spells merged per person and unit (gaps ≤ 7 days) for the eLb entries/exits
     of t-11..t (C4); one query per base month of K2E3 (C8, lag and rule of the regulation for t);
     the payments of t and t-12 (K1, K1E1);
   every result is fetched. No total level and no long format, so it still does a little less
   than the engine. For the last reporting month its blocks are compared per Jobcenter with the
   engine's numerators/denominators (e.g. K3 numerator = LZB stock, K2 numerator = integrations
   of t-11..t) and over all Jobcenters, municipalities and sexes;

with the peak resident memory of each phase (sampled from /proc every 20 ms), and prints the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Phase:
    seconds: float
    peak_mb: float


class _Sampler:
    """Peak RSS during a phase (DuckDB allocates outside Python, so tracemalloc would not see it)."""

    def __init__(self) -> None:
        self.peak = _rss_mb()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)

    def __enter__(self) -> Self:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())


def timed(fn, *args, **kwargs):
    with _Sampler() as s:
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        secs = time.perf_counter() - t0
    return result, Phase(secs, s.peak)


def dataset_dir(scenario: str, scale: float, seed: int) -> Path:
    """Generate the dataset once per (scenario, scale, seed, generator version) under bench/data."""
    from zielwerk.synth import GENERATOR_VERSION, generate

    out = DATA / f"{scenario}-scale{scale:g}-seed{seed}-v{GENERATOR_VERSION}"
    if not (out / ".complete").exists():
        print(f"Erzeuge synthetische Daten {scenario} (Skala {scale:g}) nach {out} …", flush=True)
        t0 = time.perf_counter()
        generate(scenario, out, seed=seed, scale=scale)
        (out / ".complete").write_text("ok")
        print(f"  erzeugt in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


# --- the baseline ---------------------------------------------------------------------------------

_FAR = "DATE '2999-12-31'"

#: grouping of every baseline count: Jobcenter and municipality, each for all persons and by sex
def _groups(a: str = "") -> str:
    return (f"GROUPING SETS (({a}jobcenter_id), ({a}jobcenter_id, {a}sex), ({a}municipality_id), "
            f"({a}municipality_id, {a}sex))")



#: blocks compared with the engine: label → (indicator, "num"|"den", baseline block, months t+a..t+b, scale)
CHECKS: dict[str, tuple[str, str, str, tuple[int, int], float]] = {
    "eLb-Bestand S_t (K1E2)": ("K1E2", "num", "elb", (0, 0), 1),
    "eLb-Bestand S_t−12 (K1E2)": ("K1E2", "den", "elb", (-12, -12), 1),
    "LZB-Bestand S_t (K3)": ("K3", "num", "lzb", (0, 0), 1),
    "LZB-Bestand S_t−12 (K3)": ("K3", "den", "lzb", (-12, -12), 1),
    "LZB-Zugänge t−11..t (K3E3)": ("K3E3", "num", "lzb_in", (-11, 0), 1),
    "LZB-Abgänge t−11..t (K3E4)": ("K3E4", "num", "lzb_out", (-11, 0), 1),
    "eLb-Zugänge t−11..t (K1E3)": ("K1E3", "num", "elb_in", (-11, 0), 1),
    "eLb-Abgänge t−11..t (K1E4)": ("K1E4", "num", "elb_out", (-11, 0), 1),
    "Integrationen t−11..t (K2)": ("K2", "num", "integ", (-11, 0), 1),
    "Ø eLb-Bestand S_t−12..S_t−1 (K2)": ("K2", "den", "elb", (-12, -1), 1 / 12),
    "Eintritte geringfügig (K2E1)": ("K2E1", "num", "marg", (-11, 0), 1),
    "Eintritte öffentlich gefördert (K2E2)": ("K2E2", "num", "pub", (-11, 0), 1),
    "K2E3 Zähler": ("K2E3", "num", "k2e3_num", (0, 0), 1),
    "K2E3 Nenner": ("K2E3", "den", "k2e3_den", (0, 0), 1),
    "Integrationen Alleinerziehende (K2E4)": ("K2E4", "num", "integ_ae", (-11, 0), 1),
    "Ø Bestand Alleinerziehende (K2E4)": ("K2E4", "den", "ae", (-12, -1), 1 / 12),
    "Integrationen LZB (K3E1)": ("K3E1", "num", "integ_lzb", (-11, 0), 1),
    "LZB in aktiver Maßnahme S_t (K3E2)": ("K3E2", "num", "lzb_active", (0, 0), 1),
    "LLU Monat t (K1)": ("K1", "num", "llu", (0, 0), 1),
    "LLU Monat t−12 (K1)": ("K1", "den", "llu", (-12, -12), 1),
    "LUH Monat t (K1E1)": ("K1E1", "num", "luh", (0, 0), 1),
    "LUH Monat t−12 (K1E1)": ("K1E1", "den", "luh", (-12, -12), 1),
}
#: the blocks the brief names first (printed first)
MAIN_CHECKS = ("eLb-Bestand S_t (K1E2)", "LZB-Bestand S_t (K3)", "LZB-Zugänge t−11..t (K3E3)",
               "eLb-Zugänge t−11..t (K1E3)", "Integrationen t−11..t (K2)")


def _sql_set(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")" if values else "(NULL)"


def baseline(ds, first, last) -> dict:
    """The straightforward baseline: every reporting month t on its own, nothing shared between months.

    For each t: one query per Stichtag S_{t-13}..S_t that clips every spell to that Stichtag's
    730-day window (stock C2, LZB C3, single parents, LZB in an active measure), a lighter stock
    query for the older Stichtage only K2E3 needs, one query per month t-11..t for the employment
    starts (C6: integrations, marginal, publicly funded, of LZB, of single parents) and for the LZB
    entries/exits (C5, two stocks compared), per level one merge of all spells (C4, gaps ≤ 7 days)
    for the eLb entries/exits, one query per base month of K2E3 (C8) and one for the payments
    (K1, K1E1). Every result is fetched. Returns the blocks of the LAST reporting month:
    ``{(level, unit, sex): {block: {month index: value}}}`` (level ``jobcenter``/``municipality``).
    """
    from collections import defaultdict
    from datetime import timedelta

    import duckdb

    from zielwerk.domain import law
    from zielwerk.domain.calendar import Month, stichtag

    con = duckdb.connect(":memory:")
    con.register("spells_src", ds["elb_spells"])
    con.register("mun", ds["municipalities"])
    con.register("pers", ds["persons"])
    con.register("emp", ds["employment"])
    con.register("hh", ds["households"])
    con.register("meas", ds["measures"])
    con.register("pay", ds["payments"])
    con.execute("""CREATE TEMP TABLE spells AS SELECT s.*, m.jobcenter_id, p.sex FROM spells_src s
                   JOIN mun m USING (municipality_id) JOIN pers p USING (person_id) WHERE status = 'elb'""")
    con.execute("CREATE TEMP TABLE pay_jc AS SELECT p.*, m.jobcenter_id FROM pay p JOIN mun m USING (municipality_id)")

    def S(k: int):
        return stichtag(Month.from_index(k), ds.stichtag_day)

    def reg(k: int) -> law.Regulation:
        # history months before 2011 are classified with FKV 2011 (as the engine does)
        return law.regulation_for(Month.from_index(max(k, law.REGULATIONS[0].first_month.index)))

    result: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    keep = False  # only the last reporting month is kept for the comparison (all are fetched)

    def collect(sql: str, blocks: tuple[str, ...], month: int | None = None) -> None:
        """Run a grouped query (jobcenter_id, municipality_id, sex[, month], *counts) and fetch it."""
        rows = con.execute(sql).fetchall()
        if not keep:
            return
        for row in rows:
            jc, mn, sx = row[:3]
            if sx not in (None, "f", "m"):
                continue  # C9: other entries count only in "all"
            key = ("jobcenter", jc, sx or "all") if mn is None else ("municipality", mn, sx or "all")
            m, vals = (month, row[3:]) if month is not None else (row[3], row[4:])
            for b, v in zip(blocks, vals, strict=True):
                result[key][b][m] += v or 0

    def stock_query(k: int, name: str, full: bool) -> None:
        """Stock at S_k (C2); ``full``: with LZB (C3), single parent and active measure flags."""
        s = S(k)
        cov = f"""SELECT person_id, bg_id, role, municipality_id, jobcenter_id, sex,
                         row_number() OVER (PARTITION BY person_id ORDER BY "start" DESC, bg_id DESC) AS rn
                  FROM spells WHERE "start" <= DATE '{s}' AND coalesce("end", {_FAR}) >= DATE '{s}'"""
        if not full:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE {name} AS
                            SELECT person_id, municipality_id, jobcenter_id, sex FROM ({cov}) WHERE rn = 1""")
            return
        w = s - timedelta(days=law.LZB_WINDOW_DAYS - 1)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            WITH cov AS ({cov}),
            clip AS (
                SELECT person_id, greatest("start", DATE '{w}') AS s,
                       least(coalesce("end", {_FAR}), DATE '{s}') AS e
                FROM spells WHERE "start" <= DATE '{s}' AND coalesce("end", {_FAR}) >= DATE '{w}'),
            o AS (SELECT *, max(e) OVER (PARTITION BY person_id ORDER BY s, e
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe FROM clip),
            g AS (SELECT *, sum(CASE WHEN pe IS NULL OR s > pe + 1 THEN 1 ELSE 0 END)
                             OVER (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp FROM o),
            d AS (SELECT person_id, sum(e - s + 1) AS days FROM
                    (SELECT person_id, grp, min(s) AS s, max(e) AS e FROM g GROUP BY person_id, grp)
                  GROUP BY person_id),
            ae_bg AS (SELECT DISTINCT bg_id FROM hh WHERE bg_type = 'single_parent'
                        AND "start" <= DATE '{s}' AND coalesce("end", {_FAR}) >= DATE '{s}'),
            act AS (SELECT DISTINCT person_id FROM meas WHERE instrument IN {_sql_set(reg(k).active_instruments)}
                        AND "start" <= DATE '{s}' AND coalesce("end", {_FAR}) >= DATE '{s}')
            SELECT c.person_id, c.municipality_id, c.jobcenter_id, c.sex,
                   coalesce(d.days, 0) >= {law.LZB_MIN_DAYS} AS lzb,
                   c.role = 'head' AND a.bg_id IS NOT NULL AS ae,
                   x.person_id IS NOT NULL AS active
            FROM cov c LEFT JOIN d USING (person_id) LEFT JOIN ae_bg a ON a.bg_id = c.bg_id
                 LEFT JOIN act x ON x.person_id = c.person_id
            WHERE c.rn = 1
        """)

    def counted_starts(m: int, tables: dict[int, str]) -> str:
        """Employment episodes whose start counts in month m by the BA rule (C6), with the unit at S_{m-1}."""
        a, b, c = S(m - 2), S(m - 1), S(m)
        return f"""SELECT e.person_id, e.kind, e.subsidy FROM emp e
                   JOIN {tables[m - 1]} p USING (person_id) LEFT JOIN {tables[m - 2]} q USING (person_id)
                   WHERE (e."start" > DATE '{b}' AND e."start" <= DATE '{c}')
                      OR (q.person_id IS NULL AND e."start" > DATE '{a}' AND e."start" <= DATE '{b}')"""

    def integ_sql(m: int) -> str:  # law.is_integration for the regulation of counting month m
        return (f"(kind IN {_sql_set(reg(m).integration_kinds)} "
                f"AND subsidy NOT IN {_sql_set(reg(m).publicly_funded_subsidies)})")

    def pub_sql(m: int) -> str:  # law.is_publicly_funded
        return (f"(kind = '{law.PUBLIC_FUNDED_KIND}' OR (kind <> '{law.MARGINAL_KIND}' "
                f"AND subsidy IN {_sql_set(reg(m).publicly_funded_subsidies)}))")

    for t in range(first.index, last.index + 1):
        keep = t == last.index
        rt = reg(t)
        L = rt.k2e3_lag_months
        k2e3_months = range(t - L - 11, t - L + 1)
        tables: dict[int, str] = {}
        # 1. stocks S_{t-13}..S_t, each from all spells clipped to its 730-day window
        for k in range(t - 13, t + 1):
            tables[k] = f"st_{k - t + 13}"
            stock_query(k, tables[k], full=True)
            collect(f"""SELECT jobcenter_id, municipality_id, sex, count(*), count(*) FILTER (WHERE lzb),
                               count(*) FILTER (WHERE ae), count(*) FILTER (WHERE lzb AND active)
                        FROM {tables[k]} GROUP BY {_groups()}""", ("elb", "lzb", "ae", "lzb_active"), k)
        # the older Stichtage only K2E3 needs (unit at S_{m-1}, stock at S_{m-2}): stock only
        for k in range(min(k2e3_months) - 2, t - 13):
            tables[k] = f"old_{t - k}"
            stock_query(k, tables[k], full=False)
        for m in range(t - 11, t + 1):
            # 2. LZB entries (unit at S_m) and exits (unit at S_{m-1}) by comparing two stocks (C5)
            cur, prev = tables[m], tables[m - 1]
            collect(f"""SELECT a.jobcenter_id, a.municipality_id, a.sex, count(*) FROM {cur} a
                        LEFT JOIN {prev} b USING (person_id) WHERE a.lzb AND NOT coalesce(b.lzb, false)
                        GROUP BY {_groups("a.")}""", ("lzb_in",), m)
            collect(f"""SELECT b.jobcenter_id, b.municipality_id, b.sex, count(*) FROM {prev} b
                        LEFT JOIN {cur} a USING (person_id) WHERE b.lzb AND NOT coalesce(a.lzb, false)
                        GROUP BY {_groups("b.")}""", ("lzb_out",), m)
            # 4. employment starts of month m (C6), classified with the regulation of month m
            collect(f"""
                WITH st AS ({counted_starts(m, tables)}),
                pp AS (SELECT person_id, bool_or({integ_sql(m)}) AS integ,
                              bool_or(kind = '{law.MARGINAL_KIND}') AS marg, bool_or({pub_sql(m)}) AS pub
                       FROM st GROUP BY person_id)
                SELECT p.jobcenter_id, p.municipality_id, p.sex, count(*) FILTER (WHERE integ),
                       count(*) FILTER (WHERE integ AND p.lzb), count(*) FILTER (WHERE integ AND p.ae),
                       count(*) FILTER (WHERE marg), count(*) FILTER (WHERE pub)
                FROM pp JOIN {tables[m - 1]} p USING (person_id) GROUP BY {_groups("p.")}
            """, ("integ", "integ_lzb", "integ_ae", "marg", "pub"), m)
        # 3. eLb entries/exits (C4): per level, all spells merged per person and unit (gaps ≤ 7 days)
        month_of = " ".join(f"WHEN d <= DATE '{S(m)}' THEN {m}" for m in range(t - 11, t + 1))
        for unit in ("jobcenter_id", "municipality_id"):
            cols = "u, NULL" if unit == "jobcenter_id" else "NULL, u"
            collect(f"""
                WITH o AS (
                    SELECT person_id, {unit} AS u, sex, "start" AS s, coalesce("end", {_FAR}) AS e,
                           max(coalesce("end", {_FAR})) OVER (PARTITION BY person_id, {unit}
                               ORDER BY "start", coalesce("end", {_FAR})
                               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe
                    FROM spells),
                g AS (SELECT *, sum(CASE WHEN pe IS NULL OR s > pe + {law.MERGE_GAP_DAYS + 1} THEN 1 ELSE 0 END)
                                 OVER (PARTITION BY person_id, u ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
                      FROM o),
                per AS (SELECT person_id, u, any_value(sex) AS sex, min(s) AS s, max(e) AS e
                        FROM g GROUP BY person_id, u, grp),
                ev AS (SELECT u, sex, s AS d, 1 AS n_in, 0 AS n_out FROM per
                       UNION ALL SELECT u, sex, e + 1 AS d, 0, 1 FROM per WHERE e < {_FAR}),
                f AS (SELECT u, sex, CASE {month_of} END AS month, n_in, n_out
                      FROM ev WHERE d > DATE '{S(t - 12)}' AND d <= DATE '{S(t)}')
                SELECT {cols}, sex, month, sum(n_in), sum(n_out) FROM f
                GROUP BY GROUPING SETS ((month, u), (month, u, sex))
            """, ("elb_in", "elb_out"))
        # 5. K2E3 (C8): svB integrations of the months t-L-11..t-L, in svB at S_{m+L} (FKV 2011)
        #    or at each of S_{m+1}..S_{m+L} (FKV 2019); rule and lag of the regulation for t
        for m in k2e3_months:
            checks = [m + L] if rt.k2e3_rule == "at_lag" else list(range(m + 1, m + L + 1))
            days = ", ".join(f"(DATE '{S(k)}')" for k in checks)
            collect(f"""
                WITH st AS ({counted_starts(m, tables)}),
                base AS (SELECT person_id FROM st GROUP BY person_id
                         HAVING bool_or({integ_sql(m)} AND kind IN {_sql_set(rt.k2e3_base_kinds)})),
                svb AS (SELECT e.person_id, count(DISTINCT v.k) AS n FROM emp e
                        JOIN (VALUES {days}) v(k) ON e."start" <= v.k AND coalesce(e."end", {_FAR}) >= v.k
                        WHERE e.kind IN {_sql_set(rt.k2e3_check_kinds)} AND e.person_id IN (SELECT person_id FROM base)
                        GROUP BY e.person_id)
                SELECT p.jobcenter_id, p.municipality_id, p.sex,
                       count(*) FILTER (WHERE coalesce(svb.n, 0) = {len(checks)}), count(*)
                FROM base JOIN {tables[m - 1]} p USING (person_id) LEFT JOIN svb USING (person_id)
                GROUP BY {_groups("p.")}
            """, ("k2e3_num", "k2e3_den"), t)
        # 6. payments (K1, K1E1) of t and t-12 per Jobcenter and municipality (no sex)
        months = {str(Month.from_index(k)): k for k in (t, t - 12)}
        rows = con.execute(f"""
            SELECT jobcenter_id, municipality_id, CAST(month AS VARCHAR) AS mo, sum(llu), sum(luh) FROM pay_jc
            WHERE CAST(month AS VARCHAR) IN {_sql_set(months)}
            GROUP BY GROUPING SETS ((mo, jobcenter_id), (mo, municipality_id))""").fetchall()
        if keep:
            for jc, mn, mo, llu, luh in rows:
                key = ("jobcenter", jc, "all") if mn is None else ("municipality", mn, "all")
                result[key]["llu"][months[mo]] += llu or 0
                result[key]["luh"][months[mo]] += luh or 0
    con.close()
    return result


def compare(tbl, base: dict, last) -> dict:
    """Compare the baseline's blocks of the last month with the engine's numerators/denominators.

    Returns per check the number of mismatching Jobcenters (sex ``all``) and, over Jobcenters and
    municipalities and all three sexes, the number of compared and mismatching cells.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    sel = tbl.filter(pc.and_(pc.equal(tbl["month"], str(last)),
                             pc.is_in(tbl["unit_type"], value_set=pa.array(["jobcenter", "municipality"]))))
    eng: dict = {}
    for r in sel.select(["unit_type", "unit_id", "indicator", "sex", "numerator", "denominator"]).to_pylist():
        eng[(r["unit_type"], r["unit_id"], r["sex"], r["indicator"])] = (r["numerator"], r["denominator"])
    t = last.index
    out: dict = {}
    for label, (code, part, block, (a, b), scale) in CHECKS.items():
        jc_bad, cells, bad = [], 0, 0
        for (level, unit, sex, ind), (num, den) in eng.items():
            if ind != code:
                continue
            e = (num if part == "num" else den) or 0.0
            ks = range(t + a, t + b + 1)
            cell = base.get((level, unit, sex))
            v = sum(cell[block][k] for k in ks) * scale if cell else 0.0
            ok = abs(e - v) <= 1e-6 * max(1.0, abs(e))
            cells += 1
            if not ok:
                bad += 1
                if level == "jobcenter" and sex == "all":
                    jc_bad.append(unit)
        out[label] = {"jobcenters_mismatch": len(jc_bad), "cells": cells, "cells_mismatch": bad,
                      "examples": jc_bad[:5]}
    return out


# --- replicated Siegen-Wittgenstein (fallback while no national generator is available) ---------------

_ID_COLUMNS = {"jobcenter_id", "municipality_id", "person_id", "bg_id", "caseworker_id", "provider_id"}


def replicate(ds, copies: int):
    """``copies`` disjoint copies of a dataset (every identifier prefixed with the copy number)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from zielwerk.data.dataset import Dataset

    tables = {}
    for name in ds.present:
        tbl = ds[name]
        parts = []
        for k in range(copies):
            cols = []
            for col_name in tbl.column_names:
                col = tbl.column(col_name)
                if col_name in _ID_COLUMNS:
                    col = pc.binary_join_element_wise(pa.scalar(f"{k:04d}"), col, "-")
                cols.append(col)
            parts.append(pa.table(cols, names=tbl.column_names))
        tables[name] = pa.concat_tables(parts)
    return Dataset.from_tables(tables, as_of=ds.as_of, stichtag_day=ds.stichtag_day)


# --- main -------------------------------------------------------------------------------------------

def _fmt(p: Phase) -> str:
    return f"{p.seconds:8.2f} s   Spitze {p.peak_mb / 1024:6.2f} GB"


def run_one(path: Path, label: str, with_baseline: bool, copies: int = 0) -> dict:
    from zielwerk.data.reader import load_dataset
    from zielwerk.domain.calendar import Month
    from zielwerk.indicators import compute_kennzahlen

    ds, load = timed(load_dataset, path)
    if copies:
        ds = replicate(ds, copies)
    n_spells = ds.num_rows("elb_spells")  # without reading a file-backed table
    last = Month.of(ds.as_of) - 3
    first = last - 11
    tbl, eng = timed(compute_kennzahlen, ds, first, last, level="all")
    print(f"[{label}] {n_spells:,} eLb-Zeiträume, {ds['jobcenters'].num_rows} Jobcenter, "
          f"{ds['municipalities'].num_rows} Gemeinden; Panel {first}..{last}: {tbl.num_rows:,} Zeilen")
    print(f"  Laden (Reader + Prüfung):  {_fmt(load)}")
    print(f"  Engine (alle Kennzahlen):  {_fmt(eng)}")
    res = {"label": label, "path": str(path), "spells": n_spells, "rows": tbl.num_rows,
           "first": str(first), "last": str(last), "load_s": load.seconds, "engine_s": eng.seconds,
           "engine_peak_gb": eng.peak_mb / 1024, "process_peak_gb": resource.getrusage(
               resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024}
    if with_baseline:
        blocks, base = timed(baseline, ds, first, last)
        print(f"  Basislinie (je Stichtag):  {_fmt(base)}")
        print(f"  Verhältnis Basislinie/Engine: {base.seconds / eng.seconds:.1f}×")
        # cross-check of the last reporting month against the engine's numerators/denominators
        checks = compare(tbl, blocks, last)
        print(f"  Abgleich mit der Engine, {last}, je Jobcenter (alle Personen):")
        for check in list(MAIN_CHECKS) + [c for c in CHECKS if c not in MAIN_CHECKS]:
            n = checks[check]["jobcenters_mismatch"]
            print(f"    {check + ':':42s} {'übereinstimmend' if not n else f'{n} Jobcenter abweichend'}")
        cells = sum(c["cells"] for c in checks.values())
        bad = sum(c["cells_mismatch"] for c in checks.values())
        print(f"  Abgleich aller Blöcke (Jobcenter und Gemeinden, alle/Frauen/Männer): {cells:,} Werte, "
              f"{'übereinstimmend' if not bad else f'{bad:,} abweichend'}")
        agrees = not bad
        res.update(baseline_s=base.seconds, baseline_peak_gb=base.peak_mb / 1024,
                   ratio=base.seconds / eng.seconds, baseline_agrees=agrees,
                   baseline_agrees_main=all(not checks[c]["jobcenters_mismatch"] for c in MAIN_CHECKS),
                   baseline_checks=checks)
    return res


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark der Kennzahlen-Engine")
    ap.add_argument("--scale", type=float, default=0.1, help="Skala des Deutschland-Datensatzes (1.0 ≈ 4,3 Mio. eLb)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-baseline", action="store_true", help="Basislinie nicht messen")
    ap.add_argument("--siegen", action="store_true", help="nur Siegen-Wittgenstein messen")
    ap.add_argument("--replicate", type=int, default=0,
                    help="statt des Deutschland-Datensatzes N Kopien von Siegen-Wittgenstein (≈ 11.000 eLb je Kopie)")
    ap.add_argument("--threads", type=int, default=None, help="DuckDB-Threads (Vorgabe: alle Kerne)")
    args = ap.parse_args(argv)
    if args.threads:
        os.environ["ZIELWERK_DUCKDB_THREADS"] = str(args.threads)
    results = []
    if args.replicate:
        results.append(run_one(dataset_dir("siegen-wittgenstein", 1.0, args.seed),
                               f"Siegen-Wittgenstein × {args.replicate}", not args.no_baseline, args.replicate))
    elif args.siegen:
        results.append(run_one(dataset_dir("siegen-wittgenstein", 1.0, args.seed), "Siegen-Wittgenstein",
                               not args.no_baseline))
    else:
        results.append(run_one(dataset_dir("germany", args.scale, args.seed), f"Deutschland Skala {args.scale:g}",
                               not args.no_baseline))
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"kennzahlen-{stamp}.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
