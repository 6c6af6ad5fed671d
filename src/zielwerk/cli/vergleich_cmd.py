"""``zielwerk vergleich``: a Jobcenter's official figure beside its Vergleichstyp (issue 14 item 3).

Reads the official figures from the data folder's store (``zielwerk amtlich einlesen``); if the store
holds none, the folder's ``amtliche-kennzahlen.csv`` (``zielwerk generate``) is read directly. The
statistics are :mod:`zielwerk.peers` (quartiles type 7, docs/vergleich.md). The command line is used by
the Jobcenter's own staff: no small-number suppression here (as for the controlling role).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zielwerk.domain import german


def _rows(data_dir: Path, db: str) -> list[dict[str, Any]]:
    from zielwerk.store import default_url, open_store
    from zielwerk.store import peers as peer_store

    rows: list[dict[str, Any]] = []
    import os

    if db or os.environ.get("ZIELWERK_DB_URL") or (data_dir / "zielwerk.db").exists() \
            or not (data_dir / "amtliche-kennzahlen.csv").exists():
        engine, sessions = open_store(db or default_url(data_dir))
        try:
            with sessions() as s:
                rows = peer_store.official_rows(s)
        finally:
            engine.dispose()
    if not rows and (data_dir / "amtliche-kennzahlen.csv").exists():
        from zielwerk.official.reader import OfficialFileInvalid, read_official

        try:
            result = read_official(data_dir / "amtliche-kennzahlen.csv")
        except OfficialFileInvalid as exc:
            for p in exc.problems[:50]:
                typer.echo(f"  {p}", err=True)
            typer.echo("Fehler: amtliche-kennzahlen.csv ist fehlerhaft.", err=True)
            raise typer.Exit(1) from None
        rows = [{k: getattr(r, k) for k in ("jobcenter_id", "jobcenter_name", "vergleichstyp", "month", "indicator",
                                             "sex", "numerator", "denominator", "value")} for r in result.rows]
    return rows


def _default_jobcenter(data_dir: Path, rows: list[dict[str, Any]]) -> str:
    """The dataset's Jobcenter if the folder holds exactly one with official figures."""
    import csv

    ids: set[str] = set()
    path = data_dir / "jobcenters.csv"
    if path.exists():
        with path.open(encoding="utf-8-sig") as f:
            sample = f.readline()
            f.seek(0)
            delim = ";" if sample.count(";") > sample.count(",") else ","
            ids = {r.get("jobcenter_id", "") for r in csv.DictReader(f, delimiter=delim)}
    published = {r["jobcenter_id"] for r in rows}
    mine = sorted(ids & published)
    return mine[0] if len(mine) == 1 else ""


def register(app: typer.Typer) -> None:
    @app.command("vergleich")
    def vergleich(
        data_dir: Annotated[Path, typer.Option("--daten", "--data", help="Datenordner (amtliche Kennzahlen im "
                                                                          "Speicher oder amtliche-kennzahlen.csv)")],
        kennzahl: Annotated[str, typer.Option("--kennzahl", "--indicator", help="Amtliche Kennzahl, z. B. K2")] = "K2",
        monat: Annotated[str, typer.Option("--monat", "--month", help="Monat JJJJ-MM (Standard: der neueste)")] = "",
        jobcenter: Annotated[str, typer.Option("--jobcenter", help="Jobcenter-Kennung (Standard: das Jobcenter "
                                                                   "des Datensatzes)")] = "",
        geschlecht: Annotated[str, typer.Option("--geschlecht", "--sex", help="all, f oder m")] = "all",
        nachbarn: Annotated[int, typer.Option("--nachbarn", "--neighbours", min=0, max=50,
                                              help="Zahl der nächsten Nachbarn (0: keine)")] = 5,
        db: Annotated[str, typer.Option("--db", help="Datenbank-URL (Standard: SQLite im Datenordner)")] = "",
    ) -> None:
        """Wert einer Kennzahl neben Median, Quartilen, Minimum und Maximum des Vergleichstyps, Rang, Vorjahr,
        Abstand zum besten Quartil und nächste Nachbarn."""
        from zielwerk.domain.calendar import Month
        from zielwerk.indicators.definitions import INDICATORS, OFFICIAL_CODES
        from zielwerk.peers import FEATURES, compare, distance_text, nearest, profiles, value_text

        if kennzahl not in OFFICIAL_CODES:
            raise typer.BadParameter(f"„{kennzahl}“ ist keine amtliche Kennzahl ({', '.join(OFFICIAL_CODES)}).",
                                     param_hint="--kennzahl")
        if geschlecht not in ("all", "f", "m"):
            raise typer.BadParameter(f"„{geschlecht}“: erlaubt sind all, f und m.", param_hint="--geschlecht")
        if monat:
            try:
                Month.parse(monat)
            except ValueError:
                raise typer.BadParameter(f"„{monat}“ ist kein Monat (erwartet JJJJ-MM, z. B. 2016-09).",
                                         param_hint="--monat") from None
        if not data_dir.is_dir():
            typer.echo(f"Fehler: Der Datenordner {data_dir} existiert nicht.", err=True)
            raise typer.Exit(2)
        rows = _rows(data_dir, db)
        if not rows:
            typer.echo(f"Fehler: In {data_dir} liegen keine amtlichen Kennzahlen (zielwerk amtlich einlesen).",
                       err=True)
            raise typer.Exit(1)
        jc = jobcenter or _default_jobcenter(data_dir, rows)
        if not jc:
            typer.echo("Fehler: Bitte das Jobcenter mit --jobcenter angeben.", err=True)
            raise typer.Exit(2)
        chosen = [r for r in rows if r["indicator"] == kennzahl and r["sex"] == geschlecht]
        own_months = sorted({r["month"] for r in chosen if r["jobcenter_id"] == jc})
        if not own_months:
            typer.echo(f"Fehler: Für das Jobcenter {jc} liegen keine amtlichen Werte der Kennzahl {kennzahl} vor.",
                       err=True)
            raise typer.Exit(1)
        month = monat or own_months[-1]
        if month not in own_months:
            typer.echo(f"Fehler: Für {german.month_name(Month.parse(month).month, Month.parse(month).year)} liegt "
                       f"für das Jobcenter {jc} kein amtlicher Wert vor (vorhanden: {own_months[0]} bis "
                       f"{own_months[-1]}).", err=True)
            raise typer.Exit(1)
        c = compare(chosen, jc, kennzahl, month, geschlecht)
        cur, prev = c.current, c.previous
        sex = {"all": "insgesamt", "f": "Frauen", "m": "Männer"}[geschlecht]

        def mname(m: str) -> str:
            mm = Month.parse(m)
            return german.month_name(mm.month, mm.year)

        def cell(p: Any, what: str) -> str:
            d = p.distribution
            if what == "value":
                return value_text(kennzahl, p.value)
            if what == "rank":
                return f"{p.rank} von {p.n}" if p.rank else "–"
            return value_text(kennzahl, getattr(d, what)) if d is not None else "–"

        typer.echo(f"Vergleich im Vergleichstyp {cur.vergleichstyp or '–'}: {cur.jobcenter_name} ({jc})")
        typer.echo(f"{kennzahl} {INDICATORS[kennzahl].name}, {sex}")
        typer.echo("Quartile nach Typ 7 (lineare Interpolation, wie QUARTIL.INKL); Rang 1 = bester Wert "
                   f"({'höher' if cur.better == 'higher' else 'niedriger' if cur.better == 'lower' else 'keine Richtung'}"
                   f"{' ist besser' if cur.better else ''}).\n")
        typer.echo(f"{'':<18}{mname(month):>18}{mname(prev.month):>18}")
        for label, what in (("Jobcenter", "value"), ("Minimum", "minimum"), ("unteres Quartil", "q1"),
                            ("Median", "median"), ("oberes Quartil", "q3"), ("Maximum", "maximum"),
                            ("Rang", "rank")):
            typer.echo(f"{label:<18}{cell(cur, what):>18}{cell(prev, what):>18}")
        typer.echo(f"{'Jobcenter im Typ':<18}{german.integer(cur.n):>18}{german.integer(prev.n):>18}")
        typer.echo(f"\nAbstand zum besten Quartil: {distance_text(cur)}")
        if nachbarn:
            near = nearest(profiles(rows, month), jc, nachbarn)
            typer.echo(f"\nNächste Nachbarn ({', '.join(label for _, label in FEATURES)}; z-Werte, euklidisch):")
            if not near:
                typer.echo("  (für diesen Monat fehlen Strukturmerkmale)")
            for i, n in enumerate(near, 1):
                p = n.profile
                typer.echo(f"  {i}. {p.jobcenter_name} ({p.jobcenter_id}, Typ {p.vergleichstyp or '–'}"
                           f"{', gleicher Typ' if n.same_type else ''}): Abstand {german.num(n.distance, 2)}; "
                           f"{german.integer(p.elb)} eLb, LZB {german.pct(p.lzb_share)}, "
                           f"Alleinerziehende {german.pct(p.single_parent_share)}")


def peer_rows(data_dir: Path) -> list[dict[str, Any]] | None:
    """Official figures with Jobcenter names and Vergleichstypen for the report's Vergleich section: the
    data folder's store, else its ``amtliche-kennzahlen.csv``; None if there are none (or unreadable)."""
    try:
        return _rows(Path(data_dir), "") or None
    except (typer.Exit, OSError):
        return None
