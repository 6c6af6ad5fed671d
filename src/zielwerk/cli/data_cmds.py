"""``zielwerk validate DIR``: read and check a dataset folder (docs/data.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zielwerk.domain import german

#: how many problems are printed at most (all are counted)
DEFAULT_MAX_SHOWN = 1000



def validate(
    directory: Annotated[
        Path, typer.Argument(help="Ordner mit den Tabellen des Datenvertrags (CSV oder Parquet).")
    ],
    max_shown: Annotated[
        int,
        typer.Option(
            "--max-anzeige", min=1, help="Höchstens so viele Probleme ausgeben (gezählt werden alle)."
        ),
    ] = DEFAULT_MAX_SHOWN,
    progress: Annotated[
        bool, typer.Option("--fortschritt/--kein-fortschritt", help="Fortschrittsbalken anzeigen.")
    ] = True,
) -> None:
    """Datensatz prüfen: alle Regeln des Datenvertrags; Exit-Code 1 bei Problemen."""
    from rich.console import Console

    from zielwerk.data.reader import read_dataset

    report = read_dataset(directory, progress=progress, per_check=max_shown)
    if not report.ok:
        for p in report.problems[:max_shown]:
            typer.echo(str(p))
        hidden = report.total_problems - min(len(report.problems), max_shown)
        if hidden > 0:
            typer.echo(f"… und {german.integer(hidden)} weitere Probleme (nicht angezeigt)")
        word = "Problem" if report.total_problems == 1 else "Probleme"
        typer.echo(
            f"{german.integer(report.total_problems)} {word} gefunden – der Datensatz {directory} "
            "wird abgelehnt, nichts wurde geladen.",
            err=True,
        )
        raise typer.Exit(code=1)

    ds = report.dataset
    assert ds is not None
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"Datensatz {directory}: gültig", markup=False)
    total = 0
    width = max((len(f.file) for f in report.files), default=0)
    for f in report.files:
        console.print(
            f"  {f.file + ':':<{width + 1}} {f.describe()} – {german.integer(f.rows)} {'Zeile' if f.rows == 1 else 'Zeilen'}",
            markup=False,
        )
        total += f.rows
    source = "aus dataset.toml" if report.settings.as_of else "spätestes Datum in den Daten"
    console.print(f"{len(report.files)} Tabellen, {german.integer(total)} Zeilen.")
    console.print(
        f"Datenstand (as_of): {german.day(ds.as_of)} ({source}); Stichtag: {ds.stichtag_day}. des Monats."
    )
    for note in report.notes:
        console.print(f"Hinweis: {note}", markup=False, soft_wrap=True)
    for w in report.warnings:
        console.print(f"Warnung: {w}", markup=False, soft_wrap=True)
    if report.total_warnings > len(report.warnings):
        console.print(f"… und {german.integer(report.total_warnings - len(report.warnings))} weitere Warnungen")


def register(app: typer.Typer) -> None:
    """Register ``zielwerk validate``."""
    app.command("validate")(validate)
