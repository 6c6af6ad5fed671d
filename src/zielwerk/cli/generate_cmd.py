"""CLI commands (registered from zielwerk.cli)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Not yet implemented: registers nothing."""
