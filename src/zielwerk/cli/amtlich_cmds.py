"""``zielwerk amtlich einlesen|status|abgleich``: official Kennzahlen figures of the statistics office (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zielwerk.domain import german

DataOpt = Annotated[Path, typer.Option("--daten", "--data", help="Datenordner (Standard-Datenbank zielwerk.db darin)")]
DbOpt = Annotated[str, typer.Option("--db", help="Datenbank-URL (Standard: SQLite im Datenordner)")]


def _open(data_dir: Path, db: str):
    from zielwerk.store import default_url, open_store

    if not db and not Path(data_dir).is_dir():
        typer.echo(f"Fehler: Datenordner {data_dir} nicht gefunden.", err=True)
        raise typer.Exit(2)
    return open_store(db or default_url(data_dir))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Amtliche Kennzahlen der Statistik der BA einlesen und anzeigen.", no_args_is_help=True)
    app.add_typer(group, name="amtlich")

    @group.command("einlesen")
    def einlesen(
        datei: Annotated[Path, typer.Argument(help="Veröffentlichte Kennzahlentabelle (.csv oder .xlsx)")],
        data_dir: DataOpt = Path("data/siegen-wittgenstein"),
        db: DbOpt = "",
    ) -> None:
        """Amtliche Kennzahlen einlesen; ein erneut eingelesener Monat ersetzt den alten Stand vollständig."""
        from zielwerk.official.reader import OfficialFileInvalid
        from zielwerk.store.official import import_file

        engine, sessions = _open(data_dir, db)
        try:
            result, summary = import_file(sessions, datei, username="cli")
        except OfficialFileInvalid as exc:
            typer.echo(f"Fehler: {datei.name} wurde nicht eingelesen ({len(exc.problems)} Problem(e)); "
                       "nichts wurde geändert:", err=True)
            for p in exc.problems[:200]:
                typer.echo(f"  {p}", err=True)
            if len(exc.problems) > 200:
                typer.echo(f"  … und {len(exc.problems) - 200} weitere", err=True)
            raise typer.Exit(1) from None
        finally:
            engine.dispose()
        jcs = len({r.jobcenter_id for r in result.rows})
        typer.echo(f"{datei.name}: {result.dialect}; Spalten „{result.layout.label}“.")
        if result.ignored_columns:
            typer.echo(f"Nicht verwendete Spalten: {', '.join(result.ignored_columns)}")
        typer.echo(f"{german.integer(summary.rows)} Zeilen für {german.integer(jcs)} Jobcenter in "
                   f"{len(summary.months)} Monat(en) ({summary.months and min(summary.months)} bis "
                   f"{summary.months and max(summary.months)}) eingelesen.")
        if summary.replaced:
            typer.echo(f"Ersetzt (vorheriger Stand gelöscht): {', '.join(summary.replaced)}")

    @group.command("status")
    def status(data_dir: DataOpt = Path("data/siegen-wittgenstein"), db: DbOpt = "") -> None:
        """Eingelesene Monate der amtlichen Kennzahlen: Zeilen, Jobcenter, Quelle."""
        from zielwerk.store.official import months_loaded

        engine, sessions = _open(data_dir, db)
        try:
            with sessions() as s:
                months = months_loaded(s)
        finally:
            engine.dispose()
        if not months:
            typer.echo("Keine amtlichen Kennzahlen eingelesen.")
            return
        typer.echo(f"{'Monat':<8} {'Zeilen':>8} {'Jobcenter':>10}  Quelle")
        for m in months:
            typer.echo(f"{m.month:<8} {german.integer(m.rows):>8} {german.integer(m.jobcenters):>10}  {m.source}")

    @group.command("abgleich")
    def abgleich(
        data_dir: DataOpt = Path("data/siegen-wittgenstein"),
        monat: Annotated[str, typer.Option("--monat", "--month", help="Monat JJJJ-MM (Standard: der neueste "
                                                                        "mit eigenen und amtlichen Werten)")] = "",
        jobcenter: Annotated[str, typer.Option("--jobcenter", help="Jobcenter-Schlüssel (Standard: das erste "
                                                                    "mit eigenen und amtlichen Werten)")] = "",
        db: DbOpt = "",
    ) -> None:
        """Eigene Kennzahlen (letzte Berechnung im Datenordner) neben den amtlichen, mit Erklärung der Differenz."""
        from zielwerk.official.reconcile import CATEGORIES, reconcile, summary
        from zielwerk.pipeline.provision import live_results
        from zielwerk.store.official import official_table

        own = live_results(data_dir).kennzahlen() if Path(data_dir).is_dir() else None
        if own is None:
            typer.echo(f"Fehler: im Datenordner {data_dir} sind keine eigenen Kennzahlen berechnet "
                       "(zielwerk einlesen).", err=True)
            raise typer.Exit(2)
        engine, sessions = _open(data_dir, db)
        try:
            with sessions() as s:
                official = official_table(s, [jobcenter] if jobcenter else None)
        finally:
            engine.dispose()
        rows = reconcile(own, official, [jobcenter] if jobcenter else None)
        if not rows:
            typer.echo("Kein Monat hat zugleich eigene und amtliche Werte.")
            raise typer.Exit(1)
        jc = jobcenter or rows[0].jobcenter_id
        rows = [r for r in rows if r.jobcenter_id == jc]
        month = monat or max(r.month for r in rows)
        shown = [r for r in rows if r.month == month]
        if not shown:
            typer.echo(f"Für {month} gibt es keine eigenen und amtlichen Werte des Jobcenters {jc}.", err=True)
            raise typer.Exit(1)
        typer.echo(f"Abgleich Jobcenter {jc}, {month} (Differenz = eigener − amtlicher Wert):")
        typer.echo(f"{'Kennzahl':<8} {'Geschl.':<9} {'eigen':>9} {'amtlich':>9} {'Differenz':>11}  Erklärung")
        sexes = {"all": "Insgesamt", "f": "Frauen", "m": "Männer"}
        for r in shown:
            typer.echo(f"{r.indicator:<8} {sexes[r.sex]:<9} {german.pct(r.own_value, 1):>9} "
                       f"{german.pct(r.official_value, 1):>9} {german.points(r.difference, 2):>11}  {r.label}")
        counts = summary(shown)
        typer.echo("Zusammen: " + ", ".join(f"{CATEGORIES[k]} {n}" for k, n in counts.items()))
