"""``zielwerk ziele pruefen FILE`` and ``zielwerk ziele bericht``: the target agreement (docs/zielvereinbarung.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ziele = typer.Typer(help="Zielvereinbarung nach § 48b SGB II: prüfen und Monatsbericht erstellen.",
                    no_args_is_help=True)


@ziele.command("pruefen")
def pruefen(
    datei: Annotated[Path, typer.Argument(help="Zielvereinbarung als TOML-Datei (z. B. ziele.toml).")],
) -> None:
    """Zielvereinbarung prüfen; jedes Problem mit Zeilennummer. Exit-Code 1 bei Problemen."""
    from zielwerk.targets.fileformat import AgreementFileInvalid, load_agreement
    from zielwerk.targets.model import STATUSES

    try:
        a = load_agreement(datei)
    except AgreementFileInvalid as exc:
        for p in exc.problems:
            typer.echo(str(p))
        n = len(exc.problems)
        typer.echo(f"{n} {'Problem' if n == 1 else 'Probleme'} gefunden – die Zielvereinbarung {datei} ist ungültig.",
                   err=True)
        raise typer.Exit(1) from None
    n_targets = len(a.targets())
    typer.echo(f"Zielvereinbarung {datei}: gültig")
    typer.echo(f"  {a.title or f'Zielvereinbarung {a.year}'} – {a.jobcenter_name} ({a.jobcenter_id}), "
               f"Version {a.version}, {STATUSES[a.status]}")
    typer.echo(f"  {len(a.goals)} Ziele, {n_targets} Zielwerte, {len(a.links)} Verknüpfungen, "
               f"{len(a.signatories)} Unterschriften")


@ziele.command("bericht")
def bericht(
    agreement: Annotated[Path, typer.Option("--agreement", help="Zielvereinbarung (TOML).")],
    data: Annotated[Path, typer.Option("--data", help="Ordner des Datensatzes (Datenvertrag).")],
    monat: Annotated[str, typer.Option("--monat", help="Berichtsmonat JJJJ-MM, z. B. 2016-09.")],
    out: Annotated[Path, typer.Option("--out", help="Ausgabedatei: .pdf, .html oder .xlsx.")],
) -> None:
    """Monatsbericht: Übersicht, ein Diagramm je Zielwert, Verknüpfungen, Vereinbarung mit Unterschriften."""
    from zielwerk.data.reader import load_dataset
    from zielwerk.data.validate import DatasetInvalid
    from zielwerk.domain.calendar import Month
    from zielwerk.reports import FORMATS
    from zielwerk.reports.build import monthly_report
    from zielwerk.targets.fileformat import AgreementFileInvalid, load_agreement

    if out.suffix.lower() not in FORMATS:
        typer.echo(f"Unbekanntes Ausgabeformat '{out.suffix}' – erlaubt sind .pdf, .html und .xlsx.", err=True)
        raise typer.Exit(2)
    try:
        month = Month.parse(monat)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    try:
        a = load_agreement(agreement)
    except AgreementFileInvalid as exc:
        for p in exc.problems:
            typer.echo(str(p), err=True)
        typer.echo(f"Die Zielvereinbarung {agreement} ist ungültig; kein Bericht erstellt.", err=True)
        raise typer.Exit(1) from None
    if month.year != a.year:
        typer.echo(f"Der Berichtsmonat {month} liegt nicht im Vereinbarungsjahr {a.year}.", err=True)
        raise typer.Exit(2)
    try:
        ds = load_dataset(data)
    except DatasetInvalid as exc:
        for p in exc.problems[:50]:
            typer.echo(str(p), err=True)
        typer.echo(f"Der Datensatz {data} ist ungültig; kein Bericht erstellt.", err=True)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        typer.echo(f"Datensatz nicht gefunden: {exc}", err=True)
        raise typer.Exit(1) from None
    last_month = Month.of(ds.as_of)
    if month > last_month:
        typer.echo(f"Der Berichtsmonat {month} liegt nach dem Datenstand {ds.as_of:%d.%m.%Y}.", err=True)
        raise typer.Exit(2)
    result = monthly_report(ds, a, month, out)
    typer.echo(f"Bericht {month} geschrieben: {out} ({len(result.targets)} Zielwerte, "
               f"{len(result.alerts)} Hinweise)")
    for al in result.alerts:
        typer.echo(f"  Hinweis: {al.text()}")


def register(app: typer.Typer) -> None:
    """Register ``zielwerk ziele pruefen|bericht``."""
    app.add_typer(ziele, name="ziele")
