"""``zielwerk serve`` (web application) and ``zielwerk benutzer`` (user accounts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataOpt = Annotated[Path, typer.Option("--daten", "--data", help="Datenordner (Datensatz; Ergebnisse unter .zielwerk/)")]
DbOpt = Annotated[str, typer.Option("--db", help="Datenbank-URL (Standard: SQLite im Datenordner; "
                                                "oder ZIELWERK_DB_URL), z. B. postgresql+psycopg://…")]


def serve_app(data_dir: Path, db: str, host: str, port: int, insecure_cookies: bool, workers: int = 1) -> None:
    from zielwerk.serve import serve

    typer.echo(f"Zielwerk läuft auf http://{host}:{port} (Beenden mit Strg+C)")
    serve(data_dir, db, host, port, insecure_cookies, workers)


def check_port(host: str, port: int) -> None:
    """Refuse a busy port (German message, exit 2) before anything is prepared or changed."""
    from zielwerk.serve import port_problem

    problem = port_problem(host, port)
    if problem:
        typer.echo(problem, err=True)
        raise typer.Exit(2)


def _compute(data_dir: Path, db: str, compute_now) -> None:
    """The import pipeline in the foreground; German messages and exit codes on refusal."""
    from zielwerk.pipeline import DatasetRejected, ImportRunning

    try:
        compute_now(data_dir, echo=typer.echo, db_url=db or None)
    except ImportRunning as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(3) from None
    except DatasetRejected as exc:
        for p in exc.problems[:50]:
            typer.echo(p, err=True)
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        data_dir: DataOpt = Path("data/siegen-wittgenstein"),
        db: DbOpt = "",
        host: Annotated[str, typer.Option("--host", help="Adresse")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port")] = 8000,
        insecure_cookies: Annotated[bool, typer.Option("--ohne-secure-cookies",
                                                       help="Cookies ohne Secure-Flag (nur für http ohne TLS "
                                                            "auf anderen Adressen als 127.0.0.1/localhost)")] = False,
        workers: Annotated[int, typer.Option("--worker", help="Anzahl Prozesse (Fortschritt eines Imports "
                                                              "wird je Prozess geführt)")] = 1,
        berechnen: Annotated[bool, typer.Option("--berechnen", help="Kennzahlen vor dem Start berechnen, "
                                                                    "falls sie fehlen")] = True,
    ) -> None:
        """Webanwendung starten."""
        check_port(host, port)
        from zielwerk.pipeline.provision import compute_now, default_source, results_current
        from zielwerk.store import agreements, default_url, open_store

        data_dir.mkdir(parents=True, exist_ok=True)
        engine, sessions = open_store(db or default_url(data_dir))
        with sessions() as s:
            jcs = tuple(sorted({a.jobcenter_id for a in agreements.all_agreements(s)}))
        engine.dispose()
        if berechnen and default_source(data_dir) is not None and not results_current(data_dir, jcs):
            typer.echo("Kennzahlen werden berechnet:")
            _compute(data_dir, db, compute_now)
        if workers < 1:
            typer.echo("Fehler: --worker muss mindestens 1 sein.", err=True)
            raise typer.Exit(2)
        serve_app(data_dir, db, host, port, insecure_cookies, workers)

    benutzer = typer.Typer(help="Benutzerkonten verwalten.", no_args_is_help=True)
    app.add_typer(benutzer, name="benutzer")

    @benutzer.command("anlegen")
    def create(
        name: Annotated[str, typer.Argument(help="Benutzername")],
        rolle: Annotated[str, typer.Option("--rolle", help="admin, geschaeftsfuehrung, controlling, traeger, "
                                                         "kommune, fallmanagement, aufsicht")],
        data_dir: DataOpt = Path("data/siegen-wittgenstein"),
        db: DbOpt = "",
        kommune: Annotated[str, typer.Option("--kommune", help="Gemeindeschlüssel (Rolle kommune)")] = "",
        fachkraft: Annotated[str, typer.Option("--fachkraft", help="Fachkraft-Kennung (Rolle fallmanagement)")] = "",
        team: Annotated[str, typer.Option("--team", help="Team (ohne --fachkraft: Teamleitung)")] = "",
        aufsicht_jobcenter: Annotated[str, typer.Option("--aufsicht-jobcenter", help="Zugeordnete Jobcenter der "
                                                        "Rolle aufsicht, durch Komma getrennt")] = "",
    ) -> None:
        """Benutzer anlegen (Passwort wird abgefragt)."""
        from zielwerk.store import audit, default_url, open_store, users
        from zielwerk.store.roles import ROLES

        if rolle == "kommune" and not kommune:
            typer.echo("Fehler: für die Rolle kommune ist --kommune Pflicht.", err=True)
            raise typer.Exit(2)
        if rolle == "fallmanagement" and not (fachkraft or team):
            # a case manager has a caseworker id; a team lead a team and no caseworker id (docs/web.md)
            typer.echo("Fehler: für die Rolle fallmanagement ist --fachkraft (Fachkraft) oder --team "
                       "(Teamleitung) Pflicht.", err=True)
            raise typer.Exit(2)
        supervised = [j.strip() for j in aufsicht_jobcenter.split(",") if j.strip()]
        if supervised and rolle != "aufsicht":
            typer.echo("Fehler: --aufsicht-jobcenter gibt es nur für die Rolle aufsicht.", err=True)
            raise typer.Exit(2)
        password = typer.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
        data_dir.mkdir(parents=True, exist_ok=True)
        engine, sessions = open_store(db or default_url(data_dir))
        try:
            with sessions.begin() as s:
                user = users.create_user(s, name, password, rolle, municipality_id=kommune, caseworker_id=fachkraft,
                                         team=team, known_roles=tuple(ROLES))
                extra = {}
                if supervised:  # issue 14: the Jobcenters a supervision user oversees
                    from zielwerk.store.peers import assign

                    _, extra["jobcenter"] = assign(s, user, supervised)
                audit.record(s, username="cli", action="user.create", object_type="user", object_id=name,
                             after={"rolle": rolle, "kommune": kommune, "fachkraft": fachkraft, "team": team,
                                    **extra})
        except users.UserError as exc:
            typer.echo(f"Fehler: {exc}", err=True)
            raise typer.Exit(2) from exc
        finally:
            engine.dispose()
        typer.echo(f"Benutzer „{name}“ ({ROLES[rolle]}) angelegt.")
