"""``zielwerk demo``: generate the Siegen-Wittgenstein dataset if missing and show the result."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        data_dir: Path = typer.Option(Path("data/siegen-wittgenstein"), "--data", help="Datenordner"),
    ) -> None:
        """Demo auf der eingebetteten Standardkonfiguration starten."""
        typer.echo("Demo noch nicht verfügbar.")
        raise typer.Exit(1)
