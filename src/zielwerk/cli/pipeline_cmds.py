"""``zielwerk einlesen QUELLE --data DIR`` and ``zielwerk status --data DIR``: the import pipeline
(docs/pipeline.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from zielwerk.domain import german

#: exit code when another import holds the lock
EXIT_RUNNING = 3


def einlesen(
    quelle: Annotated[Path, typer.Argument(help="Ordner mit den Tabellen des Datenvertrags (wird nur gelesen).")],
    data_dir: Annotated[Path, typer.Option("--daten", "--data", help="Datenordner (wird angelegt, falls er fehlt)")],
    db: Annotated[str, typer.Option("--db", help="Datenbank-URL (Standard: SQLite im Datenordner)")] = "",
    max_anzeige: Annotated[int, typer.Option("--max-anzeige", min=1,
                                             help="Höchstens so viele Probleme ausgeben")] = 1000,
    fortschritt: Annotated[bool, typer.Option("--fortschritt/--kein-fortschritt",
                                              help="Fortschrittsbalken anzeigen")] = True,
) -> None:
    """Datensatz einlesen: prüfen, alles berechnen und als neue Generation auf einmal freischalten."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from zielwerk.pipeline import STEPS, DatasetRejected, ImportRunning, run_import
    from zielwerk.store import default_url

    data_dir.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True, highlight=False)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn(), console=console, disable=not fortschritt, transient=False)
    task = bar.add_task("Einlesen", total=len(STEPS))

    def progress(_key: str, label: str, done: int, total: int) -> None:
        bar.update(task, description=label, completed=done, total=total)

    import time

    t0 = time.perf_counter()
    try:
        with bar:
            result = run_import(quelle, data_dir, db_url=db or default_url(data_dir), progress=progress)
            bar.update(task, description="fertig", completed=len(STEPS))
    except ImportRunning as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(EXIT_RUNNING) from None
    except DatasetRejected as exc:
        for line in exc.problems[:max_anzeige]:
            typer.echo(line)
        hidden = exc.total - min(len(exc.problems), max_anzeige)
        if hidden > 0:
            typer.echo(f"… und {german.integer(hidden)} weitere Probleme (nicht angezeigt)")
        typer.echo(f"{exc.message} Der Datensatz {quelle} wurde nicht eingelesen.", err=True)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - t0
    typer.echo(f"Generation {result.generation} ist live (Datensatz {result.fingerprint[:12]}, "
               f"berechnet in {german.num(seconds, 1)} s).")


def status(
    data_dir: Annotated[Path, typer.Option("--daten", "--data", help="Datenordner")],
    as_json: Annotated[bool, typer.Option("--json", help="Ausgabe als JSON")] = False,
) -> None:
    """Live-Generation anzeigen und prüfen, dass jeder Teil zu ihr gehört (Exit-Code 1, wenn nicht)."""
    from zielwerk.pipeline import check, is_running
    from zielwerk.pipeline.generations import generation_ids

    report = check(data_dir)
    manifest = report.pop("manifest", None) or {}
    out = {
        **report,
        "fingerprint": (manifest.get("dataset") or {}).get("fingerprint"),
        "created_at": manifest.get("created_at"),
        "seconds": manifest.get("seconds"),
        "timings": manifest.get("timings"),
        "as_of": manifest.get("as_of"),
        "source": manifest.get("source"),
        "parts": len(manifest.get("parts") or {}),
        "generations": generation_ids(data_dir),
        "import_running": is_running(data_dir) if data_dir.is_dir() else False,
    }
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif out["generation"] is None:
        typer.echo(f"Im Datenordner {data_dir} ist noch keine Generation live.")
    else:
        typer.echo(f"Live-Generation: {out['generation']}")
        typer.echo(f"  Datensatz (Fingerabdruck): {out['fingerprint']}")
        typer.echo(f"  Quelle: {out['source']}; Datenstand {out['as_of']}")
        typer.echo(f"  Berechnet: {_when(out['created_at'])} in {german.num(out['seconds'] or 0, 1)} s")
        typer.echo(f"  Teile: {out['parts']} Dateien; Generationen auf der Platte: {len(out['generations'])}")
        typer.echo("  Konsistent: ja" if out["consistent"] else "  Konsistent: NEIN")
    for p in out["problems"]:
        if not as_json:
            typer.echo(f"  Problem: {p}")
    if not as_json and out["import_running"]:
        typer.echo("Es läuft gerade ein Import.")
    if not out["consistent"]:
        raise typer.Exit(1)


def _when(iso: str | None) -> str:
    if not iso:
        return "–"
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone().strftime("%d.%m.%Y %H:%M:%S")


def register(app: typer.Typer) -> None:
    """Register ``zielwerk einlesen`` and ``zielwerk status``."""
    app.command("einlesen")(einlesen)
    app.command("status")(status)
