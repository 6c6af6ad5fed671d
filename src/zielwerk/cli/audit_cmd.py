"""``zielwerk audit pruefen``: verify the audit log's hash chain (issue 12, point 4)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataOpt = Annotated[Path, typer.Option("--daten", "--data", help="Datenordner (Standard-Datenbank zielwerk.db darin)")]
DbOpt = Annotated[str, typer.Option("--db", help="Datenbank-URL (Standard: SQLite im Datenordner; "
                                                "oder ZIELWERK_DB_URL)")]


def _de(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Protokoll (Audit-Log) prüfen.", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("pruefen")
    def check(
        data_dir: DataOpt = Path("data/siegen-wittgenstein"),
        db: DbOpt = "",
        erwartet: Annotated[str, typer.Option("--erwartet", help="Früher notierter Kettenkopf „NR:HASH“; "
                                                                 "geprüft wird, dass er noch in der Kette "
                                                                 "steht")] = "",
    ) -> None:
        """Hash-Kette des Protokolls prüfen; nennt den ersten veränderten Eintrag (Exit-Code 1)."""
        from sqlalchemy import select

        from zielwerk.store import AuditEntry, default_url, open_store
        from zielwerk.store.audit import verify_chain

        url = db or default_url(data_dir)
        if url.startswith("sqlite") and not (Path(data_dir) / "zielwerk.db").exists() and not db:
            typer.echo(f"Fehler: keine Datenbank im Datenordner {data_dir}.", err=True)
            raise typer.Exit(2)
        engine, sessions = open_store(url)
        try:
            with sessions() as s:
                result = verify_chain(s)
                anchor_ok = True
                if erwartet:
                    number, _, digest = erwartet.partition(":")
                    if not number.isdigit() or len(digest) != 64:
                        typer.echo("Fehler: --erwartet hat die Form NR:HASH (64 Hex-Zeichen).", err=True)
                        raise typer.Exit(2)
                    stored = s.scalar(select(AuditEntry.row_hash).where(AuditEntry.id == int(number)))
                    anchor_ok = stored == digest.lower()
        finally:
            engine.dispose()
        if not result.ok:
            typer.echo(f"Protokoll VERÄNDERT: erster fehlerhafter Eintrag #{result.broken_id}. {result.reason} "
                       f"({_de(result.rows)} Einträge davor sind unverändert.)", err=True)
            raise typer.Exit(1)
        if not anchor_ok:
            typer.echo(f"Protokoll VERÄNDERT: der notierte Kettenkopf {erwartet} steht nicht (mehr) in der "
                       "Kette – die Kette wurde neu berechnet.", err=True)
            raise typer.Exit(1)
        typer.echo(f"Protokoll unverändert: {_de(result.rows)} Einträge, Kette lückenlos.")
        typer.echo(f"Kettenkopf (zum Notieren): {result.last_id}:{result.last_hash}")
