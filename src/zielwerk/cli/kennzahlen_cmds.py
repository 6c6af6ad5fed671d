"""``zielwerk kennzahlen`` and ``zielwerk lzb`` (docs/kennzahlen.md). Messages are German."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from zielwerk.domain import german


def _parse_month(text: str, option: str):
    from zielwerk.domain.calendar import Month

    try:
        return Month.parse(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} ist kein Monat (erwartet JJJJ-MM, z. B. 2016-09).",
                                 param_hint=option) from None


def _parse_date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    raise typer.BadParameter(f"{text!r} ist kein Datum (erwartet JJJJ-MM-TT oder TT.MM.JJJJ).",
                             param_hint="--stichtag")


def _load(data: Path):
    from zielwerk.data.reader import load_dataset
    from zielwerk.data.validate import DatasetInvalid

    if not data.is_dir():
        typer.echo(f"Fehler: Der Datenordner {data} existiert nicht.", err=True)
        raise typer.Exit(code=2)
    try:
        return load_dataset(data, progress=True)
    except DatasetInvalid as exc:
        problems = getattr(exc, "problems", [])
        for p in problems[:50]:
            typer.echo(str(p), err=True)
        if len(problems) > 50:
            typer.echo(f"… und {german.integer(len(problems) - 50)} weitere Probleme", err=True)
        typer.echo(f"Der Datensatz {data} ist ungültig und wurde nicht verarbeitet.", err=True)
        raise typer.Exit(code=1) from None


def _check_out(out: Path) -> None:
    from zielwerk.indicators.output import check_suffix

    try:
        check_suffix(out)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--out") from None


def kennzahlen(
    data: Annotated[Path, typer.Option("--daten", "--data", help="Datensatz-Ordner (Datenvertrag, CSV oder Parquet).")],
    from_: Annotated[str, typer.Option("--von", "--from", help="Erster Berichtsmonat JJJJ-MM.")],
    to: Annotated[str, typer.Option("--bis", "--to", help="Letzter Berichtsmonat JJJJ-MM.")],
    out: Annotated[Path, typer.Option("--ausgabe", "--out", help="Ausgabedatei: .csv, .parquet oder .xlsx.")],
    level: Annotated[str, typer.Option("--ebene", "--level", help="Ebene: jobcenter, municipality oder all.")] = "all",
    stichtag_day: Annotated[int | None, typer.Option("--stichtag-tag", "--stichtag-day", min=1, max=31,
                                                     help="Stichtag im Monat (Vorgabe: aus dem Datensatz).")] = None,
    literal: Annotated[bool, typer.Option("--wortlaut/--ba-praxis",
                                          help="Nenner der gleitenden Quoten nach dem Wortlaut der Verordnung "
                                               "(S_t-11..S_t) statt nach BA-Praxis (S_t-12..S_t-1).")] = False,
) -> None:
    """Alle Kennzahlen nach § 48a SGB II je Monat, Einheit und Geschlecht berechnen (Langformat)."""
    from zielwerk.indicators import compute_kennzahlen
    from zielwerk.indicators.output import write_table

    first, last = _parse_month(from_, "--from"), _parse_month(to, "--to")
    if level not in ("jobcenter", "municipality", "all"):
        raise typer.BadParameter(f"Unbekannte Ebene {level!r}: erlaubt sind jobcenter, municipality, all.",
                                 param_hint="--level")
    _check_out(out)
    ds = _load(data)
    t0 = time.perf_counter()
    try:
        tbl = compute_kennzahlen(ds, first, last, level=level, stichtag_day=stichtag_day, literal_window=literal)
    except ValueError as exc:
        typer.echo(f"Fehler: {exc}", err=True)
        raise typer.Exit(code=2) from None
    secs = time.perf_counter() - t0
    write_table(tbl, out)
    typer.echo(f"Kennzahlen {first} bis {last} berechnet in {german.num(secs, 2)} s: "
               f"{german.integer(tbl.num_rows)} Zeilen → {out}")


def lzb(
    data: Annotated[Path, typer.Option("--daten", "--data", help="Datensatz-Ordner (Datenvertrag, CSV oder Parquet).")],
    stichtag: Annotated[str, typer.Option("--stichtag", help="Stichtag JJJJ-MM-TT.")],
    out: Annotated[Path, typer.Option("--ausgabe", "--out", help="Ausgabedatei: .csv, .parquet oder .xlsx.")],
) -> None:
    """LZB-Status je Person im eLb-Bestand am Stichtag, mit voraussichtlichem LZB-Beginn (lzb_from)."""
    from zielwerk.indicators import lzb_status
    from zielwerk.indicators.output import write_table

    when = _parse_date(stichtag)
    _check_out(out)
    ds = _load(data)
    tbl = lzb_status(ds, when)
    write_table(tbl, out, kind="lzb")
    n_lzb = sum(1 for v in tbl.column("is_lzb").to_pylist() if v)
    typer.echo(f"Stichtag {german.day(when)}: {german.integer(tbl.num_rows)} eLb, davon "
               f"{german.integer(n_lzb)} Langzeitleistungsbeziehende → {out}")


def register(app: typer.Typer) -> None:
    """Register ``zielwerk kennzahlen`` and ``zielwerk lzb``."""
    app.command("kennzahlen")(kennzahlen)
    app.command("lzb")(lzb)
