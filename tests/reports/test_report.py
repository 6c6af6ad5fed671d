"""Report rendering on a hand-made monitoring (fast): German formats, a chart per target, all three formats."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zielwerk.domain import german
from zielwerk.domain.calendar import Month
from zielwerk.reports import render_html, report_context, write_report
from zielwerk.targets.actuals import SeriesSet
from zielwerk.targets.fileformat import parse_agreement
from zielwerk.targets.monitoring import monitor

SMALL = (Path(__file__).resolve().parents[1] / "targets" / "data" / "klein.toml").read_text(encoding="utf-8")


SHAPE = [1.02, 1.02, 1.01, 1.01, 1.0, 1.0, 1.0, 1.0, 0.99, 0.99, 1.0, 1.0]


@pytest.fixture(scope="module")
def context():
    s = SeriesSet()
    for y, dec in ((2013, 2800.0), (2014, 2700.0), (2015, 2654.0)):
        s.values.setdefault(("LZB_JD", "all"), {})[y] = [dec * f for f in SHAPE]
        s.values.setdefault(("K2", "all"), {})[y] = [24.0 * m / 12 for m in range(1, 13)]
        s.values.setdefault(("K2", "f"), {})[y] = [21.0 * m / 12 for m in range(1, 13)]
    s.values[("LZB_JD", "all")][2016] = [2700.0, 2760.0, 2750.0] + [None] * 9
    s.values[("K2", "all")][2016] = [2.1, 3.9, 6.0] + [None] * 9
    s.values[("K2", "f")][2016] = [1.7, 3.5, 5.2] + [None] * 9
    mon = monitor(parse_agreement(SMALL), s, Month(2016, 3))
    return report_context(mon, as_of=date(2016, 12, 31))


def test_german_formats():
    assert german.num(1234.56) == "1.234,6"
    assert german.num(-2.0, 1, sign=True) == "−2,0"
    assert german.pct(25.456, 1) == "25,5 %"
    assert german.day(date(2016, 9, 15)) == "15.09.2016"


def test_html_has_every_target_with_chart_and_german_numbers(context):
    html = render_html(context)
    assert html.count("<svg") == 3  # one chart per target
    assert "Berichtsmonat März 2016" in html and "Datenstand 31.12.2016" in html
    # the LZB target: 2,654 − 2 % → 2,601, shown in German format
    assert "Jahresdurchschnitt −2,0 % gegenüber Vorjahr (Vorjahr 2.654 Personen, Daten) → 2.601 Personen" in html
    assert "Korridor 20,0 % bis 22,0 %" in html
    assert "nicht im Plan" in html
    assert "Integrationen senken den LZB-Bestand." in html  # the link between the goals
    assert re.search(r"\d\.\d{3}", html)  # thousands separator is a point
    assert "Vereinbarung nach § 48b SGB II zwischen" in html and "Kreis Test (Kreis (kommunaler Träger))" in html


def test_pdf_excel_and_html_files(context, tmp_path):
    for suffix in ("html", "pdf", "xlsx"):
        out = write_report(context, tmp_path / f"bericht.{suffix}")
        assert out.stat().st_size > 1000
    assert (tmp_path / "bericht.pdf").read_bytes().startswith(b"%PDF")
    wb = load_workbook(tmp_path / "bericht.xlsx")
    assert wb.sheetnames == ["Übersicht", "Monatswerte", "Diagramme", "Prognose-Backtest", "Verknüpfungen",
                             "Vereinbarung"]
    ws = wb["Übersicht"]
    assert ws["B5"].value == "LZB_JD" and ws["E5"].value == 2601 and ws["E5"].number_format == "#,##0"
    assert ws["I5"].value == "nicht im Plan"
    assert ws["F6"].number_format == '#,##0.0" %"'
    # the deviation of a rate in percentage points with sign, of a count a signed whole number (docs/units.md)
    assert ws["H6"].number_format == '+#,##0.0" Pp.";-#,##0.0" Pp.";0.0" Pp."'
    assert ws["H5"].number_format == "+#,##0;-#,##0;0"
    assert len(wb["Diagramme"]._images) == 3
    assert wb["Monatswerte"]["E2"].number_format == "MM.YYYY"
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically


def test_unknown_format(context, tmp_path):
    with pytest.raises(ValueError, match="Unbekanntes Ausgabeformat"):
        write_report(context, tmp_path / "bericht.docx")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render(context, tmp_path):
    pdf = write_report(context, tmp_path / "b.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 4  # overview, targets, links/notes, agreement document
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Übersicht" in text and "Verknüpfungen der Ziele" in text and "Weniger LZB" in text
