"""``zielwerk ziele pruefen FILE`` and ``zielwerk ziele bericht``: the target agreement (docs/zielvereinbarung.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ziele = typer.Typer(help="Zielvereinbarung nach § 48b SGB II: prüfen, vergleichen, Monatsbericht, Planungshilfe.",
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


@ziele.command("vergleichen")
def vergleichen(
    alt: Annotated[Path, typer.Argument(help="Ältere Fassung der Zielvereinbarung (TOML).")],
    neu: Annotated[Path, typer.Argument(help="Neuere Fassung der Zielvereinbarung (TOML).")],
) -> None:
    """Zwei Fassungen vergleichen: jede inhaltliche Änderung in Worten (wie im Web unter „Fassungen vergleichen“)."""
    from zielwerk.targets.diff import readable_diff
    from zielwerk.targets.fileformat import AgreementFileInvalid, load_agreement

    models = []
    for path in (alt, neu):
        try:
            models.append(load_agreement(path))
        except AgreementFileInvalid as exc:
            for p in exc.problems:
                typer.echo(str(p), err=True)
            typer.echo(f"Die Zielvereinbarung {path} ist ungültig.", err=True)
            raise typer.Exit(1) from None
    changes = readable_diff(models[0], models[1])
    typer.echo(f"Version {models[0].version} → Version {models[1].version}: "
               f"{len(changes) or 'keine'} {'Änderung' if len(changes) == 1 else 'Änderungen'}")
    for c in changes:
        typer.echo(f"  {c}")


@ziele.command("bericht")
def bericht(
    agreement: Annotated[Path, typer.Option("--zielvereinbarung", "--agreement", help="Zielvereinbarung (TOML).")],
    data: Annotated[Path, typer.Option("--daten", "--data", help=(
        "Ordner des Datensatzes (Datenvertrag); bei reihe = \"amtlich\" genügt ein Datenordner mit den "
        "eingelesenen amtlichen Kennzahlen (zielwerk amtlich einlesen)."))],
    monat: Annotated[str, typer.Option("--monat", help="Berichtsmonat JJJJ-MM, z. B. 2016-09.")],
    out: Annotated[Path, typer.Option("--ausgabe", "--out", help="Ausgabedatei: .pdf, .html oder .xlsx.")],
) -> None:
    """Monatsbericht: Übersicht, ein Diagramm je Zielwert, Verknüpfungen, Vereinbarung mit Unterschriften."""
    from zielwerk.reports import FORMATS
    from zielwerk.reports.build import monthly_report

    if out.suffix.lower() not in FORMATS:
        typer.echo(f"Unbekanntes Ausgabeformat '{out.suffix}' – erlaubt sind .pdf, .html und .xlsx.", err=True)
        raise typer.Exit(2)
    if not _has_dataset(data):  # issue 14 item 5: a Jobcenter without person-level data
        a, month = _agreement_and_month(agreement, monat)
        official = _official_only(a, data, month)
        try:
            from .vergleich_cmd import peer_rows

            result = monthly_report(None, a, month, out, official=official, peers=peer_rows(data))
        except ValueError as exc:
            typer.echo(f"Fehler: {exc}", err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Bericht {month} geschrieben: {out} ({len(result.targets)} Zielwerte, "
                   f"{len(result.alerts)} Hinweise; Datengrundlage: amtliche Statistik, ohne Datensatz)")
        for al in result.alerts:
            typer.echo(f"  Hinweis: {al.text()}")
        return
    a, ds, month = _inputs(agreement, data, monat)
    try:  # official figures of the data folder's store: the official series and reconciliation (issue 14)
        from .vergleich_cmd import peer_rows

        result = monthly_report(ds, a, month, out, official=_official_table(data), peers=peer_rows(data))
    except ValueError as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Bericht {month} geschrieben: {out} ({len(result.targets)} Zielwerte, "
               f"{len(result.alerts)} Hinweise)")
    for al in result.alerts:
        typer.echo(f"  Hinweis: {al.text()}")


@ziele.command("planen")
def planen(
    agreement: Annotated[Path, typer.Option("--zielvereinbarung", "--agreement", help="Zielvereinbarung (TOML).")],
    data: Annotated[Path, typer.Option("--daten", "--data", help="Ordner des Datensatzes (Datenvertrag).")],
    monat: Annotated[str, typer.Option("--monat", help="Letzter bekannter Monat JJJJ-MM, z. B. 2016-09.")],
) -> None:
    """Planungshilfe: Jahresendprognosen, Zielvorschläge und die nötigen LZB-Abgänge (Bestands-Fluss-Rechnung)."""
    from zielwerk.domain import german
    from zielwerk.domain.codes import SEX_LABELS
    from zielwerk.reports.build import monitoring_for
    from zielwerk.reports.context import deviation, value, value_unit
    from zielwerk.targets.planning import next_year_average_options, propose, stocks_from_running_average

    a, ds, month = _inputs(agreement, data, monat)
    mon = monitoring_for(ds, a, month)
    typer.echo(f"Planungshilfe {a.jobcenter_name}, Stand {german.month_name(month.month, month.year)}")
    entries_rate = next((t.current.actual for t in mon.targets if t.spec.code == "K3E3" and t.target.sex == "all"
                         and t.current.actual is not None), None)
    for tm in mon.targets:
        unit = value_unit(tm.spec)  # one convention per unit (domain.german): %, Pp., €, Personen
        cur = tm.current
        sex = "" if tm.target.sex == "all" else f" ({SEX_LABELS[tm.target.sex]})"
        typer.echo(f"\n{tm.spec.name}{sex} [{tm.target.id}]")
        typer.echo(f"  {german.month_name(month.month, month.year)}: Ist {value(cur.actual, unit)}, Zielpfad "
                   f"{value(cur.path, unit)}, Abweichung {deviation(cur.deviation, unit)}")
        interval = f" ({value(cur.interval[0], unit)} bis {value(cur.interval[1], unit)})" if cur.interval else ""
        typer.echo(f"  Prognose Jahresende {a.year}: {value(cur.forecast, unit)}{interval}; "
                   f"Status {cur.status}")
        for p in propose(tm):
            typer.echo(f"  Vorschlag {p.label}: {value(p.value, unit)} – {p.explanation}")
        if tm.spec.code == "LZB_JD" and cur.forecast is not None and entries_rate is not None:
            stocks = stocks_from_running_average([r.actual for r in tm.rows[: month.month]])
            entries = entries_rate / 100 * stocks[-1]
            typer.echo(f"  Erwartete LZB-Zugänge je Monat: {german.num(entries, 0)} (K3E3 {german.pct(entries_rate, 2)}"
                       f" × Bestand {german.num(stocks[-1], 0)})")
            for o in next_year_average_options(cur.forecast, stocks[-1], entries):
                typer.echo(f"  {a.year + 1}: Jahresdurchschnitt {german.pct(o.change_pct, 1, sign=True)} → "
                           f"{german.num(o.target_average, 0)}: nötig {german.num(o.plan.exits_per_month, 0)} "
                           "LZB-Abgänge je Monat")


def _official_table(data: Path):
    """The official figures stored in the data folder's database (``zielwerk amtlich einlesen``), or None."""
    if not (Path(data) / "zielwerk.db").exists():
        return None
    from zielwerk.store import default_url, open_store
    from zielwerk.store.official import official_table

    engine, sessions = open_store(default_url(Path(data)))
    try:
        with sessions() as s:
            tbl = official_table(s)
    finally:
        engine.dispose()
    return tbl if tbl.num_rows else None


def _has_dataset(data: Path) -> bool:
    """Whether the folder holds any table of the data contract (CSV or Parquet)."""
    from zielwerk.data.schema import TABLES

    return any((Path(data) / f"{t.name}{ext}").is_file() for t in TABLES for ext in (".csv", ".parquet"))


def _official_only(a, data: Path, month):
    """The official figures of the data folder's store for a report without a dataset (issue 14 item 5):
    only for an agreement on the official series whose Jobcenter has figures up to ``month``; German
    messages and exit codes otherwise."""
    from zielwerk.targets.model import OFFICIAL_SERIES

    if not Path(data).is_dir():
        typer.echo(f"Datenordner nicht gefunden: {data}", err=True)
        raise typer.Exit(1)
    if a.series != OFFICIAL_SERIES:
        typer.echo(f"Im Ordner {data} liegt kein Datensatz (Datenvertrag). Ohne Datensatz kann nur eine "
                   "Zielvereinbarung auf der amtlichen Statistik berichtet werden (reihe = \"amtlich\"); "
                   "diese verwendet die eigene Berechnung.", err=True)
        raise typer.Exit(1)
    official = _official_table(data)
    months = sorted(set(official.filter(_jc_mask(official, a.jobcenter_id))["month"].to_pylist())) \
        if official is not None else []
    if not months:
        typer.echo(f"Im Datenordner {data} sind keine amtlichen Kennzahlen für das Jobcenter {a.jobcenter_id} "
                   f"eingelesen (zielwerk amtlich einlesen DATEI --daten {data}).", err=True)
        raise typer.Exit(1)
    if str(month) > months[-1]:
        from zielwerk.domain import german

        newest = months[-1]
        typer.echo(f"Für {german.month_name(month.month, month.year)} liegen noch keine amtlichen Kennzahlen vor "
                   f"(neuester Monat: {german.month_name(int(newest[5:]), int(newest[:4]))}).", err=True)
        raise typer.Exit(2)
    return official


def _jc_mask(table, jobcenter_id: str):
    import pyarrow.compute as pc

    return pc.equal(table["unit_id"], jobcenter_id)


def _agreement_and_month(agreement: Path, monat: str):
    """Load and check agreement and month (the month in the agreement year); German messages and exit codes."""
    from zielwerk.domain.calendar import Month
    from zielwerk.targets.fileformat import AgreementFileInvalid, load_agreement

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
        typer.echo(f"Die Zielvereinbarung {agreement} ist ungültig; nichts berechnet.", err=True)
        raise typer.Exit(1) from None
    if month.year != a.year:
        typer.echo(f"Der Monat {month} liegt nicht im Vereinbarungsjahr {a.year}.", err=True)
        raise typer.Exit(2)
    return a, month


def _inputs(agreement: Path, data: Path, monat: str):
    """Load and check agreement, month and dataset; German messages and exit codes on errors."""
    from zielwerk.data.reader import load_dataset
    from zielwerk.data.validate import DatasetInvalid
    from zielwerk.domain.calendar import Month

    a, month = _agreement_and_month(agreement, monat)
    try:
        ds = load_dataset(data)
    except DatasetInvalid as exc:
        for p in exc.problems[:50]:
            typer.echo(str(p), err=True)
        typer.echo(f"Der Datensatz {data} ist ungültig; nichts berechnet.", err=True)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        typer.echo(f"Datensatz nicht gefunden: {exc}", err=True)
        raise typer.Exit(1) from None
    known = set(ds["jobcenters"].column("jobcenter_id").to_pylist())
    if a.jobcenter_id not in known:
        typer.echo(f"Das Jobcenter '{a.jobcenter_id}' der Zielvereinbarung kommt im Datensatz {data} nicht vor "
                   f"(vorhanden: {', '.join(sorted(known)[:10])}).", err=True)
        raise typer.Exit(1)
    if month > Month.of(ds.as_of):
        typer.echo(f"Der Monat {month} liegt nach dem Datenstand {ds.as_of:%d.%m.%Y}.", err=True)
        raise typer.Exit(2)
    return a, ds, month


def register(app: typer.Typer) -> None:
    """Register ``zielwerk ziele pruefen|bericht``."""
    app.add_typer(ziele, name="ziele")
