"""``zielwerk liste NAME``: export a work list of the Fallsteuerung (docs/fallsteuerung.md)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from zielwerk.casework.catalog import LISTS


def _help() -> str:
    parts = [
        "Arbeitsliste der Fallsteuerung zum Stichtag erstellen und exportieren (CSV deutsch oder kanonisch, .xlsx).",
        "Listen (NAME):",
    ]
    parts += [f"{wl.name}: {wl.description}" for wl in LISTS.values()]
    return "\n\n".join(parts)


def _parse_date(text: str) -> date:
    """ISO ``2016-09-15`` or German ``15.09.2016``."""
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise typer.BadParameter(f"Ungültiges Datum {text!r} (erwartet JJJJ-MM-TT, z. B. 2016-09-15).", param_hint="--stichtag")


def liste(
    name: Annotated[str, typer.Argument(help="Name der Liste (siehe oben).", show_default=False, metavar="NAME")],
    data: Annotated[Path, typer.Option("--daten", "--data", help="Ordner des Datensatzes (Datenvertrag).")],
    stichtag: Annotated[str, typer.Option("--stichtag", help="Stichtag der Liste, JJJJ-MM-TT.")],
    out: Annotated[Path | None, typer.Option("--ausgabe", "--out", help="Ausgabedatei (.csv oder .xlsx); ohne: Vorschau.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="CSV-Format: de (Excel, ;) oder kanonisch (UTF-8, ISO).")] = "de",
    horizont: Annotated[int, typer.Option("--horizont", min=1, max=26, help="LZB-Prävention: Horizont in Monaten (1, 3, 6 …).")] = 6,
    monate: Annotated[int, typer.Option("--monate", min=1, max=26, help="LZB-Prognose: Zahl der Monate.")] = 12,
    alter: Annotated[int, typer.Option("--alter", min=16, max=30, help="Junge Eltern: Altersgrenze (unter … Jahren).")] = 25,
    fallakten: Annotated[Path | None, typer.Option("--fallakten", help="Ordner mit contacts.csv / action_plans.csv.")] = None,
    synthetisch: Annotated[bool, typer.Option("--synthetische-fallakten", help="Synthetische Fallakten erzeugen (Demo).")] = False,
    ergebnis_nach: Annotated[int | None, typer.Option("--ergebnis-nach", min=1, max=36, help="Ergebnis der Personen nach K Monaten anfügen (Nachverfolgung).")] = None,
    zielstand: Annotated[bool, typer.Option("--zielstand/--ohne-zielstand", help="Aktuellen Stand des Ziels (Kennzahlen) anzeigen.")] = True,
    einschliessen: Annotated[str, typer.Option("--einschliessen", help="Nach Vorgabe ausgeschlossene Personen doch aufnehmen: Hinweis-Codes mit Komma (school_age, pension_age, child_under_3, employed_svb, apprentice) oder alle.")] = "",
) -> None:
    from rich.console import Console
    from rich.table import Table

    from zielwerk.casework import (
        CaseRecords,
        CaseRecordsInvalid,
        ListOptions,
        build_list,
        outcome_summary,
        track_outcomes,
    )
    from zielwerk.casework.common import goal_of, query, with_goal
    from zielwerk.casework.export import COLUMN_LABELS, german_value, write_list
    from zielwerk.data.reader import load_dataset
    from zielwerk.data.validate import DatasetInvalid

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if name not in LISTS:
        err.print(f"Unbekannte Liste {name!r}. Verfügbar: {', '.join(LISTS)}")
        raise typer.Exit(2)
    if fmt == "kanonisch":
        fmt = "canonical"
    if fmt not in ("de", "canonical"):
        err.print(f"Unbekanntes Format {fmt!r} (erlaubt: de, kanonisch).")
        raise typer.Exit(2)
    s = _parse_date(stichtag)
    try:
        ds = load_dataset(data)
    except DatasetInvalid as e:
        for p in e.problems[:50]:
            err.print(str(p))
        n = getattr(e, "total", None) or len(e.problems)
        word = "Problem" if n == 1 else "Probleme"
        err.print(f"Der Datensatz {data} ist fehlerhaft ({german_value('n', n)} {word}) – keine Liste erstellt.")
        raise typer.Exit(1)
    except FileNotFoundError as e:
        err.print(f"Datensatz nicht gefunden: {e}")
        raise typer.Exit(1)
    from zielwerk.domain.calendar import Month
    from zielwerk.domain.calendar import stichtag as stichtag_of

    last_s = stichtag_of(Month.of(s), ds.stichtag_day)
    if last_s > s:
        last_s = stichtag_of(Month.of(s) - 1, ds.stichtag_day)
    if last_s != s:
        err.print(f"Hinweis: Listen gelten zu Stichtagen (C1); verwendet wird der Stichtag {last_s:%d.%m.%Y} "
                  f"vor dem {s:%d.%m.%Y}.")
        s = last_s
    if s > ds.as_of:
        err.print(f"Der Stichtag {s:%d.%m.%Y} liegt nach dem Datenstand {ds.as_of:%d.%m.%Y}.")
        raise typer.Exit(2)
    try:
        records = CaseRecords.read(fallakten) if fallakten else None
    except CaseRecordsInvalid as e:
        err.print(str(e))
        raise typer.Exit(1)
    if synthetisch:
        from zielwerk.casework.synth_records import synthetic_case_records

        records = synthetic_case_records(ds, s)
    wl = LISTS[name]
    if wl.needs_records and records is None:
        err.print("Hinweis: keine Fallakten angegeben (--fallakten) – es wird ohne Kooperationspläne/Kontakte gerechnet.")
    from zielwerk.casework.common import FLAG_CODES, excluded_of, flag_labels

    include = frozenset(x.strip() for x in einschliessen.split(",") if x.strip())
    unknown = sorted(include - set(FLAG_CODES) - {"alle"})
    if unknown:
        err.print(f"Unbekannter Hinweis-Code für --einschliessen: {', '.join(unknown)} "
                  f"(erlaubt: {', '.join(FLAG_CODES)}, alle).")
        raise typer.Exit(2)
    tbl = build_list(name, ds, s, records, ListOptions(horizon_months=horizont, projection_months=monate,
                                                      young_parent_age=alter, include=include))
    excluded = excluded_of(tbl)
    summary = None
    if ergebnis_nach is not None:
        if not wl.per_person:
            err.print(f"Die Liste {name} ist keine Personenliste; --ergebnis-nach ist nicht möglich.")
            raise typer.Exit(2)
        try:
            oc = track_outcomes(ds, tbl.column("person_id").to_pylist(), s, ergebnis_nach)
        except ValueError as e:
            err.print(str(e))
            raise typer.Exit(2)
        goal = goal_of(tbl)
        tbl = query({"l": tbl, "o": oc}, "SELECT l.*, o.* EXCLUDE (person_id) FROM l LEFT JOIN o USING (person_id)")
        tbl = with_goal(tbl, goal or "", name)
        summary = outcome_summary(oc)

    con = Console(highlight=False, soft_wrap=True)
    con.print(f"[bold]{wl.title_on(s)}[/bold] – Stichtag {s:%d.%m.%Y}")
    con.print(f"Ziel: {goal_of(tbl)}")
    if zielstand:
        from zielwerk.casework.goals import goal_status, status_text

        for row in goal_status(ds, s, wl.goal):
            con.print(f"  Zielstand {status_text(row)}")
    con.print(f"{german_value('n', tbl.num_rows)} Zeilen")
    if excluded.get("total"):
        labels = flag_labels(s)
        reasons = "; ".join(f"{labels[c]}: {german_value('n', n)}" for c, n in excluded.items() if c != "total" and n)
        word = "Person" if excluded["total"] == 1 else "Personen"
        con.print(f"Nach Vorgabe ausgeschlossen: {german_value('n', excluded['total'])} {word} ({reasons}); "
                  "--einschliessen nimmt sie auf.")
    if summary is not None:
        for r in summary.to_pylist():
            share = german_value("x", r["share_percent"]) if r["share_percent"] is not None else "–"
            con.print(f"  {r['label']}: {german_value('n', r['persons'])} ({share} %)")
    if out is not None:
        path = write_list(tbl, out, wl.title, s, fmt)
        con.print(f"geschrieben: {path}")
    else:
        t = Table(show_lines=False)
        cols = [c for c in tbl.column_names if c not in ("jobcenter_id", "elb_days_730", "caseworker_id")][:8]
        for c in cols:
            t.add_column(COLUMN_LABELS.get(c, c))
        for row in tbl.slice(0, 15).to_pylist():
            t.add_row(*(german_value(c, row[c]) for c in cols))
        con.print(t)
        if tbl.num_rows > 15:
            con.print(f"… {german_value('n', tbl.num_rows - 15)} weitere Zeilen (mit --out exportieren)")


def register(app: typer.Typer) -> None:
    """Registers ``zielwerk liste``."""
    app.command("liste", help=_help(), no_args_is_help=True)(liste)
