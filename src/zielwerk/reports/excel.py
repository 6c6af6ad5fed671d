"""The monitoring report as an Excel workbook (openpyxl): German headers, number and date formats.

Numbers are stored as numbers with format codes (``#,##0``, ``#,##0.0``), which Excel shows with
the reader's German separators (1.234,5); dates as dates with ``DD.MM.YYYY``.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.drawing.image import Image as XLImage
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zielwerk import xlsx
from zielwerk.domain.cells import neutralise_workbook
from zielwerk.targets.catalogue import PERCENT

FILL = {"ok": "D9F2D9", "warn": "FFF0C2", "bad": "F8D0D0", "info": "E8E8E8"}
HEAD = PatternFill("solid", fgColor="EEF3F8")


def _fmt(unit: str) -> str:
    return '#,##0.0" %"' if unit == PERCENT else "#,##0"


def _dev_fmt(unit: str) -> str:
    """A deviation with sign: percentage points for rates (docs/units.md), whole numbers for counts."""
    return '+#,##0.0" Pp.";-#,##0.0" Pp.";0.0" Pp."' if unit == PERCENT else "+#,##0;-#,##0;0"


def _header(ws, row: int, names: list[str]) -> None:
    for i, n in enumerate(names, start=1):
        c = ws.cell(row=row, column=i, value=n)
        c.font, c.fill = Font(bold=True), HEAD
        c.alignment = Alignment(wrap_text=True, vertical="top")


def _widths(ws, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def workbook_bytes(ctx: dict) -> bytes:
    wb = Workbook()
    a = ctx["agreement"]
    ws = wb.active
    ws.title = "Übersicht"
    ws["A1"] = f"Monatsbericht {a['title']} – {a['jobcenter']}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Berichtsmonat {ctx['report_month']} · Datenstand {ctx['as_of']} · Version {a['version']} ({a['status']})"
    cols = ["Ziel", "Kennzahl", "Bezeichnung", "Geschlecht", "Zielwert", "Ist", "Zielpfad", "Abweichung", "Status",
            "Vormonat", "Prognose Dezember", "Intervall unten", "Intervall oben", "Zielformulierung"]
    _header(ws, 4, cols)
    r = 5
    for t in ctx["targets"]:
        tm = t.monitor
        cur = tm.current
        res = tm.resolved
        vals = [t.goal, t.code, t.indicator, t.sex, res.end if res and res.end is not None else None, cur.actual,
                cur.path, cur.deviation, t.status, t.previous_status, cur.forecast,
                cur.interval[0] if cur.interval else None, cur.interval[1] if cur.interval else None, t.target_text]
        for i, v in enumerate(vals, start=1):
            c = ws.cell(row=r, column=i, value=v)
            if i in (5, 6, 7, 11, 12, 13):
                c.number_format = _fmt(t.unit)
            elif i == 8:
                c.number_format = _dev_fmt(t.unit)
        ws.cell(row=r, column=9).fill = PatternFill("solid", fgColor=FILL[t.status_class])
        r += 1
    xlsx.finish_table(ws, 4, len(cols), r - 1)
    r += 1
    ws.cell(row=r, column=1, value="Hinweise").font = Font(bold=True)
    for text in ctx["alerts"] or ["Kein Zielwert hat sich gegenüber dem Vormonat verschlechtert."]:
        r += 1
        ws.cell(row=r, column=1, value=text)
    r += 2
    ws.cell(row=r, column=1, value=ctx["thresholds"])
    for text in ([ctx["datengrundlage"]] if ctx.get("datengrundlage") else []) + list(ctx.get("entfaellt") or []):
        r += 1  # issue 14 item 5: the series used, sections left out without person-level data
        ws.cell(row=r, column=1, value=text)
    _widths(ws, [34, 10, 40, 11, 12, 12, 12, 12, 14, 14, 14, 12, 12, 60])

    ws = wb.create_sheet("Monatswerte")
    _header(ws, 1, ["Zielwert-ID", "Ziel", "Kennzahl", "Geschlecht", "Monat", "Ist", "Zielpfad", "Toleranz unten",
                    "Toleranz oben", "Abweichung", "Status", "Prognose Dezember", "Vorjahr"])
    r = 2
    for t in ctx["targets"]:
        tm = t.monitor
        for i, row in enumerate(tm.rows):
            vals = [t.id, t.goal, t.code, t.sex, row.month.first_day(), row.actual, row.path, row.band_low,
                    row.band_high, row.deviation, row.status if row.actual is not None else None, row.forecast,
                    tm.previous_year[i]]
            for j, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=j, value=v)
                if j == 5:
                    c.number_format = xlsx.MONTH
                elif j == 10:
                    c.number_format = _dev_fmt(t.unit)
                elif j >= 6 and j != 11:
                    c.number_format = _fmt(t.unit)
            r += 1
    _widths(ws, [18, 34, 10, 11, 10, 12, 12, 12, 12, 12, 14, 14, 12])
    xlsx.finish_table(ws, 1, 13, r - 1)

    ws = wb.create_sheet("Diagramme")
    r = 1
    for n, t in enumerate(ctx["targets"], start=1):
        ws.cell(row=r, column=1, value=f"{n}. {t.goal} – {t.indicator} ({t.sex}): {t.status}").font = Font(bold=True)
        if t.chart_png_bytes:
            img = XLImage(io.BytesIO(t.chart_png_bytes))
            img.width, img.height = img.width / 2, img.height / 2
            ws.add_image(img, f"A{r + 1}")
        r += 16

    ws = wb.create_sheet("Prognose-Backtest")
    _header(ws, 1, ["Zielwert-ID", "Kennzahl", "Prognosemonat", "Testjahre", "Anzahl", "MAPE (%)", "MAE",
                    "RMSE (relativ bei Anzahlen und Jahresfortschrittswerten, sonst Prozentpunkte)"])
    r = 2
    for t in ctx["targets"]:
        bt = t.monitor.backtest
        for m in range(12):
            vals = [t.id, t.code, m + 1, ", ".join(str(y) for y in bt.years), bt.n[m], bt.mape[m], bt.mae[m], bt.rmse[m]]
            for j, v in enumerate(vals, start=1):
                c = ws.cell(row=r, column=j, value=v)
                if j == 5:
                    c.number_format = xlsx.COUNT
                elif j in (6, 7):
                    c.number_format = "#,##0.00"
                elif j == 8:
                    c.number_format = "0.0000"
            r += 1
    _widths(ws, [18, 10, 14, 18, 8, 10, 10, 16])
    xlsx.finish_table(ws, 1, 8, r - 1)

    ws = wb.create_sheet("Verknüpfungen")
    _header(ws, 1, ["Ziel", "Träger", "Art", "unterstützt Ziel", "Träger", "Begründung"])
    for i, lk in enumerate(a["links"], start=2):
        for j, v in enumerate([lk["von"], lk["von_traeger"], lk["art"], lk["nach"], lk["nach_traeger"],
                               lk["begruendung"]], start=1):
            ws.cell(row=i, column=j, value=v)
    _widths(ws, [34, 22, 12, 34, 22, 70])
    xlsx.finish_table(ws, 1, 6, 1 + len(a["links"]))

    ws = wb.create_sheet("Vereinbarung")
    ws["A1"] = f"{a['title']} – {a['jobcenter']} (Version {a['version']}, {a['status']})"
    ws["A1"].font = Font(bold=True, size=13)
    r = 3
    _header(ws, r, ["Ziel", "Gesetzliches Ziel", "Verantwortlich", "Zielwert", "Beschreibung"])
    # one autofilter per sheet: on the goals table; the signatory and history tables follow below it
    xlsx.finish_table(ws, r, 5, r + len(a["goals"]))
    for g in a["goals"]:
        texts = [f"{t.indicator} ({t.sex}): {t.target_text}" for t in ctx["targets"] if t.goal_id == g["id"]]
        r += 1
        for j, v in enumerate([g["title"], g["legal"], g["owners"], "\n".join(texts), g["description"]], start=1):
            ws.cell(row=r, column=j, value=v).alignment = Alignment(wrap_text=True, vertical="top")
    r += 2
    _header(ws, r, ["Unterzeichner", "Funktion", "Partei", "Datum"])
    for s, sig in enumerate(mon_sigs(ctx), start=1):
        for j, v in enumerate(sig, start=1):
            c = ws.cell(row=r + s, column=j, value=v)
            if j == 4:
                c.number_format = xlsx.DATE
    r += len(a["signatories"]) + 2
    _header(ws, r, ["Version", "Datum", "Wer", "Änderung", "Grund"])
    for v, h in zip(a["history"], ctx["_agreement"].history):
        r += 1
        for j, val in enumerate([v["version"], h.on, v["autor"], v["aenderung"], v["grund"]], start=1):
            c = ws.cell(row=r, column=j, value=val)
            if j == 2:
                c.number_format = xlsx.DATE  # a real date (the view model holds formatted strings)
    _widths(ws, [34, 36, 40, 60, 70])

    buf = io.BytesIO()
    neutralise_workbook(wb)  # no text cell is read as a formula (goal titles, names)
    wb.save(buf)
    return buf.getvalue()


def mon_sigs(ctx: dict) -> list[list]:
    """Signatory rows with real dates (the view model holds formatted strings)."""
    agreement = ctx["_agreement"]
    return [[s.name, s.function, agreement.party_name(s.party), s.signed_on] for s in agreement.signatories]
