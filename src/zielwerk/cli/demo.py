"""``zielwerk demo``: generate the Siegen-Wittgenstein dataset if missing, load the example agreement,
create one demo user per role (names and passwords printed) and serve on http://127.0.0.1:8000."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        data_dir: Annotated[Path, typer.Option("--daten", "--data", help="Datenordner")] = Path("data/siegen-wittgenstein"),
        port: Annotated[int, typer.Option("--port", help="Port (Standard 8000; bei belegtem Port einen "
                                                         "anderen wählen)")] = 8000,
        nur_vorbereiten: Annotated[bool, typer.Option("--nur-vorbereiten",
                                                      help="alles vorbereiten, aber nicht starten")] = False,
    ) -> None:
        """Demo starten: Siegen-Wittgenstein-Daten, Beispiel-Zielvereinbarung, ein Benutzer je Rolle."""
        from zielwerk.domain import german
        from zielwerk.pipeline import provision
        from zielwerk.store import agreements, default_url, open_store

        from .web_cmds import _compute, check_port, serve_app

        if not nur_vorbereiten:
            check_port("127.0.0.1", port)  # before generating data or resetting the demo passwords

        if not any(data_dir.glob("persons.*")):
            from zielwerk.synth import generate

            typer.echo(f"Erzeuge den Datensatz Siegen-Wittgenstein in {data_dir} …")
            tmp = data_dir.with_name(f".{data_dir.name}.tmp")
            generate("siegen-wittgenstein", tmp, seed=1)
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            if data_dir.exists():
                for p in tmp.iterdir():
                    p.replace(data_dir / p.name)
                tmp.rmdir()
            else:
                tmp.rename(data_dir)
        engine, sessions = open_store(default_url(data_dir))
        try:
            if not provision.EXAMPLE_AGREEMENT.exists():
                typer.echo(f"Fehler: Beispiel-Zielvereinbarung fehlt ({provision.EXAMPLE_AGREEMENT}).", err=True)
                raise typer.Exit(1)
            if provision.load_agreement_file(sessions, provision.EXAMPLE_AGREEMENT, provision.EXAMPLE_KEY):
                typer.echo("Beispiel-Zielvereinbarung Siegen-Wittgenstein 2016 geladen.")
            from zielwerk.official import FILE_NAME

            if not (data_dir / FILE_NAME).is_file():
                # a demo folder generated before the official table existed: write it once (about 2 s)
                from zielwerk.data.reader import load_dataset
                from zielwerk.synth.official import write_siegen

                write_siegen(data_dir, load_dataset(data_dir), seed=1)
            if n := provision.load_official_figures(sessions, data_dir):
                typer.echo(f"Amtliche Kennzahlen (Siegen-Wittgenstein und Vergleichstyp) geladen: {german.integer(n)} Zeilen.")
            with sessions() as s:
                jcs = tuple(sorted({a.jobcenter_id for a in agreements.all_agreements(s)}))
            if not provision.results_current(data_dir, jcs):
                typer.echo("Kennzahlen und Ist-Werte werden berechnet (einmalig):")
                _compute(data_dir, "", provision.compute_now)
            accounts = provision.ensure_demo_users(sessions, data_dir)
        finally:
            engine.dispose()
        typer.echo("\nDemo-Benutzer (Passwörter gelten bis zum nächsten Demo-Start):")
        for name, role, pw in accounts:
            typer.echo(f"  {name:<15} {role:<19} {pw}")
        if nur_vorbereiten:
            return
        serve_app(data_dir, "", "127.0.0.1", port, insecure_cookies=False)
