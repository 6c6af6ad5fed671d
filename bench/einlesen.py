"""Benchmark of the import pipeline against one Kennzahlen run (issue 10 item 4, docs/pipeline.md § Performance).

    .venv/bin/python -m bench.einlesen --data-source DIR      # DIR: a dataset, e.g. Siegen-Wittgenstein

``zielwerk generate --scenario siegen-wittgenstein --out DIR`` makes the dataset. In one run, each command as
its own process (start-up, reading the CSV files and writing included, as a user runs them):

1. baseline: ``zielwerk kennzahlen`` on the source for the 12 reporting months of the last full calendar
   year before the dataset's as-of date (``--from YYYY-01 --to YYYY-12``, all levels, written as Parquet);
2. ``zielwerk einlesen`` into a fresh data folder that holds a copy of the tables and the example agreement
   (``examples/siegen-wittgenstein-2016``, loaded as ``zielwerk demo`` does), until the generation is live;
3. ``zielwerk demo --nur-vorbereiten`` on that data folder: the dataset exists and its generation is
   current, so the demo only checks that and resets the demo users.

Printed: the three wall times, ``einlesen / kennzahlen`` (target ≤ 3) and the demo against 10 s, with the
load average before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ZIELWERK = str(Path(sys.executable).with_name("zielwerk"))


def _run(args: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([ZIELWERK, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"zielwerk {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return seconds, proc.stdout + proc.stderr


def _last_full_year(source: Path) -> int:
    from zielwerk.data.reader import read_dataset

    report = read_dataset(source)
    if not report.ok or report.dataset is None:
        sys.exit(f"{source}: not a valid dataset")
    as_of = report.dataset.as_of
    return as_of.year if as_of.month == 12 and as_of.day == 31 else as_of.year - 1


def _prepare_data_folder(source: Path, folder: Path) -> None:
    """A copy of the dataset's tables and the example agreement in the folder's store (as the demo does)."""
    from zielwerk.pipeline import provision
    from zielwerk.store import default_url, open_store

    folder.mkdir(parents=True)
    for p in source.iterdir():
        if p.is_file():
            shutil.copy2(p, folder / p.name)
    engine, sessions = open_store(default_url(folder))
    try:
        provision.load_agreement_file(sessions, provision.EXAMPLE_AGREEMENT, provision.EXAMPLE_KEY)
    finally:
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-source", type=Path, required=True, help="dataset folder (read only)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    a = ap.parse_args()
    source = a.data_source.resolve()
    year = _last_full_year(source)
    work = Path(tempfile.mkdtemp(prefix="zielwerk-bench-einlesen-"))
    load0 = os.getloadavg()[0]
    try:
        kz, _ = _run(["kennzahlen", "--data", str(source), "--from", f"{year}-01", "--to", f"{year}-12",
                      "--out", str(work / "kennzahlen.parquet")])
        data = work / "data"
        _prepare_data_folder(source, data)
        ein, out = _run(["einlesen", str(data), "--data", str(data), "--kein-fortschritt"])
        demo, demo_out = _run(["demo", "--data", str(data), "--nur-vorbereiten"])
        if "werden berechnet" in demo_out:
            sys.exit("the demo recomputed the results: the data folder's generation was not current")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    load1 = os.getloadavg()[0]
    print(f"dataset: {source} (baseline months {year}-01..{year}-12); load average {load0:.1f} → {load1:.1f}")
    print(f"zielwerk kennzahlen (baseline)          {kz:7.1f} s")
    print(f"zielwerk einlesen (to live generation)  {ein:7.1f} s   {ein / kz:4.2f}× kennzahlen (target ≤ 3)")
    print(f"zielwerk demo --nur-vorbereiten         {demo:7.1f} s   {demo / 10:4.2f}× of 10 s (target ≤ 1)")
    print(out.strip().splitlines()[-1] if out.strip() else "")


if __name__ == "__main__":
    main()
