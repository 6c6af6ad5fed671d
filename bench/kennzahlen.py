"""Benchmark of the Kennzahlen engine (docs/kennzahlen.md § Performance).

    .venv/bin/python -m bench.kennzahlen --scale 0.1          # national synthetic data, 10 %
    .venv/bin/python -m bench.kennzahlen --scale 1.0 --no-baseline
    .venv/bin/python -m bench.kennzahlen --siegen              # Siegen-Wittgenstein only

Generates (or reuses, under ``bench/data/``) the synthetic ``germany`` dataset with
``zielwerk.data.synth.generate``, loads it with the real reader, then times

1. the engine: the full 12-month panel of all 15 indicators for all Jobcenters, municipalities
   and the total, all sexes (``compute_kennzahlen(level="all")``);
2. a straightforward baseline in the same process: each reporting month on its own, with one
   query per needed Stichtag (S_{t-13}..S_t) that clips every spell to that Stichtag's 730-day
   window (stock, LZB) and one query per month t-11..t for integrations — only these blocks (no
   entries/exits, K2E3, payments), so the ratio understates the engine's advantage; the
   baseline's LZB stock per Jobcenter is checked against the engine's K3 numerator;

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
    from zielwerk.data.synth import GENERATOR_VERSION, generate

    out = DATA / f"{scenario}-scale{scale:g}-seed{seed}-v{GENERATOR_VERSION}"
    if not (out / ".complete").exists():
        print(f"Erzeuge synthetische Daten {scenario} (Skala {scale:g}) nach {out} …", flush=True)
        t0 = time.perf_counter()
        generate(scenario, out, seed=seed, scale=scale)
        (out / ".complete").write_text("ok")
        print(f"  erzeugt in {time.perf_counter() - t0:.1f} s", flush=True)
    return out


# --- the baseline ---------------------------------------------------------------------------------

def baseline(ds, first, last) -> dict[tuple[str, int], int]:
    """Per-Stichtag queries: clip every spell to every window. Returns LZB stock per (Jobcenter, t)."""
    from datetime import timedelta

    import duckdb

    from zielwerk.domain import law
    from zielwerk.domain.calendar import Month, stichtag

    con = duckdb.connect(":memory:")
    con.register("spells_src", ds["elb_spells"])
    con.register("mun", ds["municipalities"])
    con.register("emp", ds["employment"])
    con.execute("""CREATE TEMP TABLE spells AS SELECT s.*, m.jobcenter_id FROM spells_src s
                   JOIN mun m USING (municipality_id) WHERE status = 'elb'""")
    lzb_per_jc: dict[tuple[str, int], int] = {}

    def stock_query(t: int, name: str) -> None:
        S = stichtag(Month.from_index(t), ds.stichtag_day)
        W = S - timedelta(days=law.LZB_WINDOW_DAYS - 1)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {name} AS
            WITH cov AS (
                SELECT person_id, municipality_id, jobcenter_id,
                       row_number() OVER (PARTITION BY person_id ORDER BY "start" DESC, bg_id DESC) AS rn
                FROM spells WHERE "start" <= DATE '{S}' AND coalesce("end", DATE '2999-12-31') >= DATE '{S}'),
            clip AS (
                SELECT person_id, greatest("start", DATE '{W}') AS s,
                       least(coalesce("end", DATE '2999-12-31'), DATE '{S}') AS e
                FROM spells WHERE "start" <= DATE '{S}' AND coalesce("end", DATE '2999-12-31') >= DATE '{W}'),
            o AS (SELECT *, max(e) OVER (PARTITION BY person_id ORDER BY s, e
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe FROM clip),
            g AS (SELECT *, sum(CASE WHEN pe IS NULL OR s > pe + 1 THEN 1 ELSE 0 END)
                             OVER (PARTITION BY person_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp FROM o),
            d AS (SELECT person_id, sum(e - s + 1) AS days FROM
                    (SELECT person_id, grp, min(s) AS s, max(e) AS e FROM g GROUP BY person_id, grp)
                  GROUP BY person_id)
            SELECT c.person_id, c.municipality_id, c.jobcenter_id, d.days >= {law.LZB_MIN_DAYS} AS lzb
            FROM cov c JOIN d USING (person_id) WHERE c.rn = 1
        """)

    # Each reporting month on its own, as a straightforward implementation would do it: the
    # stocks S_{t-13}..S_t (stock, LZB; rolling denominators; integration conditions) and the
    # integrations of months t-11..t, every Stichtag recomputed from all spells.
    for t in range(first.index, last.index + 1):
        for k in range(t - 13, t + 1):
            stock_query(k, f"stock_{k - t + 13}")
            con.execute(f"SELECT jobcenter_id, municipality_id, count(*), count(*) FILTER (WHERE lzb) "
                        f"FROM stock_{k - t + 13} GROUP BY ALL").fetchall()
        for jc, n in con.execute("SELECT jobcenter_id, count(*) FROM stock_13 WHERE lzb GROUP BY 1").fetchall():
            lzb_per_jc[(jc, t)] = n
        for m in range(t - 11, t + 1):
            a = stichtag(Month.from_index(m - 2), ds.stichtag_day)
            b = stichtag(Month.from_index(m - 1), ds.stichtag_day)
            c = stichtag(Month.from_index(m), ds.stichtag_day)
            con.execute(f"""
                SELECT p.jobcenter_id, p.municipality_id, count(DISTINCT e.person_id) FROM emp e
                JOIN stock_{m - 1 - t + 13} p USING (person_id)
                LEFT JOIN stock_{m - 2 - t + 13} q USING (person_id)
                WHERE e.kind IN ('svb', 'training', 'self_employed')
                  AND ((e."start" > DATE '{b}' AND e."start" <= DATE '{c}')
                       OR (q.person_id IS NULL AND e."start" > DATE '{a}' AND e."start" <= DATE '{b}'))
                GROUP BY ALL
            """).fetchall()
    con.close()
    return lzb_per_jc


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
    n_spells = ds["elb_spells"].num_rows
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
        lzb_base, base = timed(baseline, ds, first, last)
        print(f"  Basislinie (je Stichtag):  {_fmt(base)}")
        print(f"  Verhältnis Basislinie/Engine: {base.seconds / eng.seconds:.1f}×")
        # cross-check: LZB stock per Jobcenter in the last month
        k3 = {r["unit_id"]: r["numerator"] for r in tbl.to_pylist()
              if r["indicator"] == "K3" and r["unit_type"] == "jobcenter" and r["sex"] == "all"
              and r["month"] == str(last)}
        mism = [jc for jc, n in k3.items() if int(n) != lzb_base.get((jc, last.index), 0)]
        print(f"  Abgleich LZB-Bestand je Jobcenter {last}: "
              f"{'übereinstimmend' if not mism else f'{len(mism)} Abweichungen'}")
        res.update(baseline_s=base.seconds, baseline_peak_gb=base.peak_mb / 1024,
                   ratio=base.seconds / eng.seconds, baseline_agrees=not mism)
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
