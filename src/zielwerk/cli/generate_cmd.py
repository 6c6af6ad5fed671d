"""``zielwerk generate``: write a synthetic dataset (zielwerk.synth)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

import typer

from zielwerk.domain import german


def register(app: typer.Typer) -> None:
    @app.command()
    def generate(
        scenario: Annotated[str, typer.Option("--szenario", "--scenario", help="Szenario: siegen-wittgenstein oder germany")],
        out: Annotated[Path, typer.Option("--ausgabe", "--out", help="Zielordner für den Datensatz")],
        seed: Annotated[int, typer.Option("--startwert", "--seed", help="Startwert (gleicher Wert ⇒ gleiche Dateien)")] = 1,
        scale: Annotated[str, typer.Option("--massstab", "--scale", help="Größenfaktor (nur germany; 1,0 ≈ 4,3 Mio. eLb)")] = "1.0",
        report: Annotated[bool, typer.Option("--bericht", "--report", help="Kalibrierungsbericht ausgeben (siegen-wittgenstein)")] = False,
    ) -> None:
        """Synthetischen Datensatz erzeugen (Siegen-Wittgenstein als CSV, Deutschland als Parquet)."""
        from zielwerk.synth import SCENARIOS
        from zielwerk.synth import generate as _generate

        if scenario not in SCENARIOS:
            typer.echo(f"Fehler: unbekanntes Szenario '{scenario}'. Verfügbar: {', '.join(SCENARIOS)}.", err=True)
            raise typer.Exit(2)
        try:
            factor = float(scale.replace(",", "."))
        except ValueError:
            factor = float("nan")
        if not factor > 0:
            typer.echo(f"Fehler: --scale muss eine Zahl größer als 0 sein (z. B. 0,1), nicht '{scale}'.", err=True)
            raise typer.Exit(2)
        if scenario == "siegen-wittgenstein" and factor != 1.0:
            typer.echo("Fehler: --scale gilt nur für das Szenario germany.", err=True)
            raise typer.Exit(2)
        if report and scenario != "siegen-wittgenstein":
            typer.echo("Fehler: --report gibt es nur für das Szenario siegen-wittgenstein.", err=True)
            raise typer.Exit(2)
        if out.exists() and not out.is_dir():
            typer.echo(f"Fehler: {out} ist eine Datei, kein Ordner.", err=True)
            raise typer.Exit(2)
        # write into a temporary sibling folder and move it into place: nothing is ever half-written
        tmp = out.with_name(f".{out.name}.tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        t0 = time.perf_counter()
        try:
            _generate(scenario, tmp, seed=seed, scale=factor)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if out.exists():
            for f in out.iterdir():
                if f.is_file():
                    f.unlink()
            for f in tmp.iterdir():
                f.replace(out / f.name)
            tmp.rmdir()
        else:
            tmp.replace(out)
        secs = time.perf_counter() - t0
        typer.echo(f"Datensatz '{scenario}' (Seed {seed}) geschrieben nach {out} in {german.num(secs, 1)} s.")
        if report:
            _print_report(out)



def _print_report(directory: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from zielwerk.synth.calibration import measure, report_rows

    rows = report_rows(measure(directory))
    table = Table(title="Kalibrierung Siegen-Wittgenstein (gemessen an den geschriebenen Dateien, Stichtage 2016)")
    table.add_column("Kalibrierungsziel")
    table.add_column("Zielbereich", justify="right")
    table.add_column("erreicht", justify="right")
    table.add_column("", justify="center")
    for label, rng, val, ok in rows:
        table.add_row(label, rng, val, "✓" if ok else "✗")
    Console().print(table)
    missed = sum(1 for r in rows if not r[3])
    if missed:
        typer.echo(f"{missed} von {len(rows)} Zielen verfehlt.")
        raise typer.Exit(1)
    typer.echo(f"Alle {len(rows)} Ziele erreicht.")
