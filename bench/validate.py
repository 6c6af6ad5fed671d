"""Benchmark of loading and validating a dataset against the engine (issue 10, item 4; docs/data.md).

    .venv/bin/python -m bench.validate --scale 0.1               # national synthetic data, 10 %
    .venv/bin/python -m bench.validate --data /tmp/de01          # an existing dataset folder
    .venv/bin/python -m bench.validate --scale 1.0 --no-baseline # skip the slow exact-path baseline

The dataset is ``--data``, or the generated ``germany`` dataset of ``--scale`` under ``bench/data/``
(generated once with ``zielwerk.synth.generate``, as in ``bench.kennzahlen``). In one run, each in a
fresh Python process (so that every peak resident memory is that phase's own), it measures

1. **baseline V₀**: ``read_dataset(fast=False)`` – every file typed batch by batch in Arrow and every
   cross-row rule run in full in DuckDB (the reader before the fast checks);
2. **V**: ``read_dataset()`` – the fast path: one DuckDB scan per Parquet file in place proves it
   clean, duplicate keys are ruled out by a streaming check of key order (``zielwerk.data.fastcheck``);
   the exact path runs only where a check cannot rule out a problem;
3. **C**: ``compute_kennzahlen(level="all")`` for the 12 months of the last full calendar year before
   the dataset's ``as_of`` (after loading, not timed);
4. the two commands as a user runs them: ``zielwerk validate DIR`` and ``zielwerk kennzahlen`` for the
   same 12 months (wall time and peak RSS of each process, start-up included);

and prints V/C and V/(V+C) in wall time (goal of issue 10: V ≤ C, i.e. V/(V+C) ≤ 0,5; peak ≤ 4 GB at
scale 1.0), V/C in CPU time (less sensitive to other jobs on the machine), the same for the commands,
and the speed-up V₀/V. The load average of the machine is printed with each figure (2 cores shared
with other jobs: wall times are upper bounds). Results are also written as JSON to ``bench/results/validate-*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
ZIELWERK = Path(sys.executable).parent / "zielwerk"


def _hwm_gb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _months(as_of):
    """First and last month of the last full calendar year up to ``as_of``."""
    from zielwerk.domain.calendar import Month

    year = as_of.year if (as_of.month, as_of.day) == (12, 31) else as_of.year - 1
    return Month(year, 1), Month(year, 12)


# --- phases, each run in a child process --------------------------------------------------------------

def _phase(kind: str, path: str) -> dict:
    if kind in ("exact", "fast"):
        from zielwerk.data.reader import read_dataset

        t, c = time.perf_counter(), _cpu()
        report = read_dataset(path, fast=kind == "fast")
        secs, cpu = time.perf_counter() - t, _cpu() - c
        return {"seconds": secs, "cpu_s": cpu, "peak_gb": _hwm_gb(), "ok": report.ok, "problems": report.total_problems,
                "messages": [str(p) for p in report.problems[:20]],
                "rows": sum(f.rows for f in report.files)}
    if kind == "engine":
        from zielwerk.data.reader import load_dataset
        from zielwerk.indicators.engine import compute_kennzahlen

        ds = load_dataset(path)
        first, last = _months(ds.as_of)
        t, c = time.perf_counter(), _cpu()
        tbl = compute_kennzahlen(ds, first, last, level="all")
        secs, cpu = time.perf_counter() - t, _cpu() - c
        return {"seconds": secs, "cpu_s": cpu, "peak_gb": _hwm_gb(), "rows": tbl.num_rows, "first": str(first),
                "last": str(last)}
    raise SystemExit(f"unknown phase {kind}")


def _child(args: list[str]) -> tuple[float, float, int, str]:
    """Run a command; (wall seconds, peak RSS in GB, exit code, stdout)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, cwd=REPO, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        secs = time.perf_counter() - t
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return secs, usage.ru_maxrss / 1024 / 1024, proc.returncode, text


def _run_phase(kind: str, path: Path) -> dict:
    load = os.getloadavg()[0]
    secs, peak, code, text = _child([sys.executable, "-m", "bench.validate", "--phase", kind, str(path)])
    if code != 0:
        raise SystemExit(f"phase {kind} failed (exit {code}):\n{text}")
    res = json.loads(text.strip().splitlines()[-1])
    res.update(process_seconds=secs, process_peak_gb=peak, load_before=load, load_after=os.getloadavg()[0])
    return res


def _run_cli(args: list[str]) -> dict:
    load = os.getloadavg()[0]
    secs, peak, code, _ = _child([str(ZIELWERK), *args])
    return {"seconds": secs, "peak_gb": peak, "exit": code, "load_before": load, "load_after": os.getloadavg()[0]}


def _dataset(args: argparse.Namespace) -> Path:
    if args.data:
        return args.data
    from bench.kennzahlen import dataset_dir

    return dataset_dir("germany", args.scale, args.seed)


def _load(r: dict) -> str:
    return f"(Last {r['load_before']:.1f}→{r['load_after']:.1f})"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Benchmark: Laden und Prüfen gegen die Engine")
    ap.add_argument("--scale", type=float, default=0.1, help="Skala des Deutschland-Datensatzes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", type=Path, default=None, help="vorhandener Datensatz-Ordner statt --scale")
    ap.add_argument("--no-baseline", action="store_true", help="Basislinie (exakter Pfad) nicht messen")
    ap.add_argument("--no-cli", action="store_true", help="die Befehle validate/kennzahlen nicht messen")
    ap.add_argument("--phase", nargs=2, metavar=("KIND", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.phase:
        print(json.dumps(_phase(*args.phase), ensure_ascii=False))
        return
    path = _dataset(args)
    print(f"Datensatz: {path}  (Maschine: {os.cpu_count()} Kerne, geteilt; Last = 1-min-Mittel)")
    res: dict = {"path": str(path), "cores": os.cpu_count()}
    if not args.no_baseline:
        base = res["exact"] = _run_phase("exact", path)
        print(f"  Basislinie V₀ (exakter Pfad):   {base['seconds']:7.2f} s  CPU {base['cpu_s']:6.2f} s  "
              f"Spitze {base['peak_gb']:5.2f} GB {_load(base)}")
    fast = res["fast"] = _run_phase("fast", path)
    print(f"  V (schneller Pfad):              {fast['seconds']:7.2f} s  CPU {fast['cpu_s']:6.2f} s  "
          f"Spitze {fast['peak_gb']:5.2f} GB {_load(fast)}  – {fast['rows']:,} Zeilen, {fast['problems']} Probleme")
    eng = res["engine"] = _run_phase("engine", path)
    print(f"  C (Engine {eng['first']}..{eng['last']}):  {eng['seconds']:7.2f} s  CPU {eng['cpu_s']:6.2f} s  "
          f"Spitze {eng['peak_gb']:5.2f} GB {_load(eng)}")
    v, c = fast["seconds"], eng["seconds"]
    res.update(v_over_c=v / c, v_share=v / (v + c), cpu_v_over_c=fast["cpu_s"] / eng["cpu_s"])
    print(f"  V/C = {v / c:.2f}   V/(V+C) = {v / (v + c):.2f}   (Ziel: V/(V+C) ≤ 0,50);  "
          f"CPU-Zeit V/C = {fast['cpu_s'] / eng['cpu_s']:.2f}")
    if not args.no_baseline:
        b = res["exact"]
        same = (b["ok"], b["problems"], b["messages"]) == (fast["ok"], fast["problems"], fast["messages"])
        res.update(speedup=b["seconds"] / v, same_result=same)
        print(f"  V₀/V = {b['seconds'] / v:.1f}×   V₀/(V₀+C) = {b['seconds'] / (b['seconds'] + c):.2f}   "
              f"gleiches Ergebnis: {'ja' if same else 'NEIN'}")
    if not args.no_cli:
        val = res["cli_validate"] = _run_cli(["validate", str(path), "--kein-fortschritt"])
        with tempfile.TemporaryDirectory() as tmp:
            first, last = eng["first"], eng["last"]
            kz = res["cli_kennzahlen"] = _run_cli(["kennzahlen", "--data", str(path), "--from", first, "--to", last,
                                                   "--out", str(Path(tmp) / "k.parquet")])
        print(f"  zielwerk validate:               {val['seconds']:7.2f} s  Spitze {val['peak_gb']:5.2f} GB "
              f"{_load(val)}  (Exit {val['exit']})")
        print(f"  zielwerk kennzahlen:             {kz['seconds']:7.2f} s  Spitze {kz['peak_gb']:5.2f} GB "
              f"{_load(kz)}  (Exit {kz['exit']})")
        share = val["seconds"] / kz["seconds"]
        res["cli_share"] = share
        print(f"  validate/kennzahlen = {share:.2f}   (Ziel: ≤ 0,50)")
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out / f"validate-{stamp}.json").write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
