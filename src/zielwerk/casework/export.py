"""Export of work lists: German CSV (office dialect), canonical CSV, Excel.

German exports use German headers, ``;`` as separator, decimal comma, dates ``TT.MM.JJJJ``, ``ja``/
``nein`` and German labels for codes (obstacles, instruments, slots, sex). The canonical CSV keeps the
English column names and codes (UTF-8, comma, ISO dates) for further processing. Files are written
to a temporary name and renamed, so a failed export leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from zielwerk import xlsx
from zielwerk.atomic import write_bytes_atomically
from zielwerk.domain import codes, german
from zielwerk.domain.cells import neutralise, neutralise_table, neutralise_workbook

from .childcare import REASON_LABELS
from .common import EMPLOYMENT_STATUS_LABELS, NOT_RECORDED, flag_labels, goal_of

INSTRUMENT_LABELS = {
    "activation": "Aktivierung und berufliche Eingliederung (§ 45 SGB III)",
    "vocational_further_training": "Berufliche Weiterbildung (§ 81 SGB III)",
    "placement_budget": "Vermittlungsbudget (§ 44 SGB III)",
    "agh": "Arbeitsgelegenheit (§ 16d SGB II)",
    "fav": "Förderung von Arbeitsverhältnissen (§ 16e SGB II a. F.)",
    "16e_new": "Eingliederung von Langzeitarbeitslosen (§ 16e SGB II n. F.)",
    "16f": "Freie Förderung (§ 16f SGB II)",
    "16h": "Förderung schwer zu erreichender junger Menschen (§ 16h SGB II)",
    "16i": "Teilhabe am Arbeitsmarkt (§ 16i SGB II)",
    "egz": "Eingliederungszuschuss",
    "esg": "Einstiegsgeld (§ 16b SGB II)",
    "other_active": "sonstige aktive Maßnahme",
    **codes.KREIS_SERVICE_LABELS,
}
DEGREE_LABELS = {"none": "ohne", "hauptschule": "Hauptschule", "realschule": "Realschule", "abitur": "Abitur",
                 "vocational": "Berufsausbildung", "academic": "Hochschule"}
PROVIDER_KIND_LABELS = {"kita": "Kita", "tagespflege": "Tagespflege", "other": "sonstige"}

#: German headers of all list columns.
COLUMN_LABELS: dict[str, str] = {
    "person_id": "Person",
    "last_name": "Nachname",
    "first_name": "Vorname",
    "jobcenter_id": "Jobcenter",
    "municipality_id": "Gemeinde (AGS)",
    "municipality_name": "Gemeinde",
    "elb_days_730": "eLb-Tage in 730 Tagen",
    "is_lzb": "LZB",
    "lzb_from": "LZB ab Stichtag",
    "months_to_lzb": "Monate bis LZB",
    "horizon": "Horizont (Monate)",
    "sex": "Geschlecht",
    "age": "Alter",
    "obstacles": "Handlungsbedarfe",
    "obstacle_count": "Zahl der Handlungsbedarfe",
    "measures": "laufende Maßnahmen",
    "caseworker_id": "Fachkraft (Kennung)",
    "caseworker_name": "Fachkraft",
    "team": "Team",
    "last_contact": "letzter Kontakt",
    "age_group": "Altersgruppe",
    "employment_status": "Beschäftigung am Stichtag",
    "registered_unemployed": "arbeitslos gemeldet",
    "exemption": "Befreiung (§ 10 SGB II)",
    "profile_stage": "Profillage (4PM)",
    "action_plan_since": "Eingliederungsvereinbarung/Kooperationsplan seit",
    "flags": "Hinweise",
    "employment_days_730": "Beschäftigungstage in 730 Tagen",
    "bg_id": "Bedarfsgemeinschaft",
    "partner_id": "zweiter Elternteil",
    "parents": "Zahl der eLb-Eltern",
    "children_under_3": "Kinder unter 3 in der BG",
    "month": "Monat",
    "projected_crossings": "voraussichtliche LZB-Zugänge",
    "cumulative": "kumuliert",
    "realised_from_cohort": "tatsächlich LZB geworden",
    "survival": "Verbleibsquote (Vorjahr)",
    "others": "weitere Zugänge (Vorjahr)",
    "forecast": "Prognose LZB-Zugänge",
    "youngest_child_birth": "Geburtsdatum jüngstes Kind",
    "child_age_months": "Alter des Kindes (Monate)",
    "children": "Zahl der Kinder",
    "child_turns_3": "Kind wird 3 am",
    "school_degree": "Schulabschluss",
    "vocational_degree": "Berufsabschluss",
    "degree_unknown": "Berufsabschluss unbekannt",
    "priority": "Priorität",
    "child_birth_date": "Geburtsdatum Kind",
    "need_slots": "benötigte Zeitfenster",
    "need_since": "Bedarf seit",
    "rank": "Rang",
    "provider_id": "Anbieter (Kennung)",
    "provider_name": "Anbieter",
    "provider_municipality_id": "Gemeinde des Anbieters (AGS)",
    "provider_kind": "Art des Angebots",
    "distance_km": "Entfernung (km)",
    "reserved": "Platz reserviert",
    "free_places_left": "danach freie Plätze",
    "reason": "Grund (Code)",
    "reason_label": "Grund",
    "slot": "Zeitfenster",
    "needs": "Bedarfe",
    "needs_display": "Bedarfe (veröffentlicht)",
    "min_child_age_months": "jüngstes Kind (Monate)",
    "max_child_age_months": "ältestes Kind (Monate)",
    "month_no": "Monat Nr.",
    "month_this_year": "Monat (lfd. Jahr)",
    "this_year": "lfd. Jahr",
    "this_year_cumulative": "lfd. Jahr kumuliert",
    "month_last_year": "Monat (Vorjahr)",
    "last_year": "Vorjahr",
    "last_year_cumulative": "Vorjahr kumuliert",
    "difference_cumulative": "Differenz kumuliert",
    "agreed_on": "Kooperationsplan vom",
    "reviewed_on": "überprüft am",
    "last_review": "letzte Überprüfung",
    "review_due": "Überprüfung fällig am",
    "overdue": "überfällig",
    "days_overdue": "Tage überfällig",
    "customers": "Kundinnen und Kunden",
    "customers_u25": "davon unter 25",
    "customers_25plus": "davon ab 25",
    "required_fte": "Bedarf (Vollzeitstellen)",
    "load_percent": "Auslastung (%)",
    "over_ratio": "über Schlüssel",
    "integrated": "integriert",
    "left_receipt": "Leistungsbezug beendet",
    "became_lzb": "trotzdem LZB geworden",
    "still_in_receipt": "weiter im Leistungsbezug",
    "outcome_stichtag": "Ergebnis-Stichtag",
}

_CODE_LABELS: dict[str, dict[str, str]] = {
    "obstacles": codes.OBSTACLE_LABELS,
    "measures": INSTRUMENT_LABELS,
    "need_slots": codes.SLOT_LABELS,
    "slot": codes.SLOT_LABELS,
    "sex": codes.SEX_LABELS,
    "school_degree": DEGREE_LABELS,
    "vocational_degree": DEGREE_LABELS,
    "provider_kind": PROVIDER_KIND_LABELS,
    "reason": {k: k for k in REASON_LABELS},
    "flags": flag_labels(date.today()),
    "employment_status": EMPLOYMENT_STATUS_LABELS,
    "exemption": codes.EXEMPTION_LABELS,
    "profile_stage": codes.PROFILE_LABELS,
}
#: status columns from the extension tables (issue 15): empty = the dataset does not record it
_RECORDED_COLUMNS = frozenset({"registered_unemployed", "exemption", "profile_stage"})


MONTH_COLUMNS = frozenset({"month", "month_this_year", "month_last_year"})
#: integer columns that are identifiers or ordinals, not counts (no thousands grouping in Excel)
_PLAIN_INTS = frozenset({"priority", "rank", "month_no", "age"})


def german_month(text: str) -> str:
    """``2016-07`` → ``Juli 2016``."""
    y, m = text.split("-")
    return german.month_name(int(m), int(y))


def german_number(x: float, decimals: int | None = None) -> str:
    """1234.5 → ``1.234,5`` (German grouping and decimal comma); whole ints without decimals."""
    if isinstance(x, bool):
        return "ja" if x else "nein"
    if isinstance(x, int):
        return german.integer(x, minus="-")
    return german.num(x, 1 if decimals is None else decimals, minus="-")


def german_value(column: str, v) -> str:
    """A cell as German users see it."""
    if v is None:
        return NOT_RECORDED if column in _RECORDED_COLUMNS else ""
    if column == "exemption" and v == "":
        return "keine"
    if isinstance(v, bool):
        return "ja" if v else "nein"
    if isinstance(v, date):
        return german.day(v)
    if isinstance(v, (int, float)):
        if column.endswith("_id") or column in ("priority", "rank", "month_no", "age"):
            return str(v)
        if column == "survival":
            return german_number(float(v), 3)
        return german_number(v)
    if column in MONTH_COLUMNS and len(str(v)) == 7:
        return german_month(str(v))
    if column in _CODE_LABELS:
        labels = _CODE_LABELS[column]
        parts = str(v).split()
        return ", ".join(labels.get(p, p) for p in parts)
    return str(v)


def german_csv_bytes(tbl: pa.Table) -> bytes:
    """German office CSV: UTF-8 with BOM, ``;``, German headers and values."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([COLUMN_LABELS.get(c, c) for c in tbl.column_names])
    cols = tbl.column_names
    for row in tbl.to_pylist():
        # text from the data is neutralised (formula injection); formatted numbers and dates are not text
        w.writerow([neutralise(german_value(c, row[c])) if isinstance(row[c], str) else german_value(c, row[c])
                    for c in cols])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def canonical_csv_bytes(tbl: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(neutralise_table(tbl.replace_schema_metadata(None)), sink,
                    write_options=pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed"))
    return sink.getvalue().to_pybytes()


def xlsx_bytes(tbl: pa.Table, title: str, stichtag: date) -> bytes:
    """Excel workbook: a header block (list, goal, Stichtag), German headers, typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Liste"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    goal = goal_of(tbl)
    ws.append([f"Ziel: {goal}" if goal else ""])
    ws.append([f"Stichtag: {stichtag:%d.%m.%Y}", f"Zeilen: {tbl.num_rows}"])
    ws.append([])
    ws.append([COLUMN_LABELS.get(c, c) for c in tbl.column_names])
    for cell in ws[5]:
        cell.font = Font(bold=True)
    cols = tbl.column_names
    for row in tbl.to_pylist():
        out = []
        for c in cols:
            v = row[c]
            if isinstance(v, bool):
                v = "ja" if v else "nein"
            elif c in _RECORDED_COLUMNS and (v is None or v == ""):
                v = german_value(c, v)  # "nicht erfasst" / "keine" (issue 15)
            elif isinstance(v, str) and c in MONTH_COLUMNS and len(v) == 7:
                v = xlsx.month_date(v)  # a real date, sorts and filters as a month
            elif isinstance(v, str) and c in _CODE_LABELS:
                v = german_value(c, v)
            out.append(v)
        ws.append(out)
    for j, col_cells in enumerate(ws.iter_cols(min_row=6)):
        c = cols[j] if j < len(cols) else ""
        for cell in col_cells:
            v = cell.value
            if isinstance(v, date):
                cell.number_format = xlsx.MONTH if c in MONTH_COLUMNS else xlsx.DATE
            elif isinstance(v, int) and not isinstance(v, bool):
                if not (c.endswith("_id") or c in _PLAIN_INTS):
                    cell.number_format = xlsx.COUNT
            elif isinstance(v, float):
                cell.number_format = "0.000" if c == "survival" else "#,##0.0"
    xlsx.finish_table(ws, 5, len(cols), 5 + tbl.num_rows)
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_list(tbl: pa.Table, out: str | Path, title: str, stichtag: date, dialect: str = "de") -> Path:
    """Write ``tbl`` to ``out``: ``.xlsx`` → Excel, else CSV in ``dialect`` (``de`` or ``canonical``)."""
    path = Path(out)
    if path.suffix.lower() == ".xlsx":
        data = xlsx_bytes(tbl, title, stichtag)
    elif dialect == "canonical":
        data = canonical_csv_bytes(tbl)
    elif dialect == "de":
        data = german_csv_bytes(tbl)
    else:
        raise ValueError(f"Unbekanntes CSV-Format {dialect!r} (erlaubt: de, canonical)")
    write_bytes_atomically(path, data)
    return path
