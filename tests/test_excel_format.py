"""Excel exports (issue 13, item 7): months are real dates (first of the month, ``MM.YYYY``), days are
dates (``DD.MM.YYYY``), counts are integers (``#,##0``), and every sheet with a table has an autofilter
over its header row and data and a frozen header row.

Produced end to end: a work list through ``zielwerk liste``, the monthly report workbook, the
indicator table through ``zielwerk kennzahlen`` and the LZB table through ``zielwerk lzb``. Expected
values are worked out by hand from the small datasets (see the comments).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from casework.helpers import make_ds, person, spell
from indicators.test_conventions import make
from openpyxl import load_workbook
from typer.testing import CliRunner

from zielwerk.cli import app

runner = CliRunner()


def _assert_table(ws, header_row: int, n_cols: int, n_rows: int) -> None:
    """Autofilter exactly over header + ``n_rows`` data rows, ``n_cols`` wide; header row frozen."""
    last_col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n_cols - 1]
    assert ws.auto_filter.ref == f"A{header_row}:{last_col}{header_row + n_rows}"
    assert ws.freeze_panes == f"A{header_row + 1}"


# ---------------------------------------------------------------- work lists (zielwerk liste)

@pytest.fixture(scope="module")
def list_dir(tmp_path_factory):
    # A, B, C in receipt continuously since 01.01.2014 (B until 31.08.2015), D since 2012 (already LZB)
    spells = [spell("A", "2014-01-01"), spell("B", "2014-01-01", "2015-08-31"), spell("C", "2014-01-01"),
              spell("D", "2012-01-01")]
    empty = {t: [] for t in ("households", "payments", "measures", "children", "employment", "obstacles")}
    ds = make_ds([person(p) for p in "ABCD"], spells, as_of="2016-06-30", **empty)
    out = tmp_path_factory.mktemp("ds")
    ds.write(out, "csv")
    return out


def test_work_list_months_are_dates_and_counts_integers(list_dir, tmp_path):
    out = tmp_path / "prognose.xlsx"
    r = runner.invoke(app, ["liste", "lzb-prognose", "--data", str(list_dir), "--stichtag", "2015-06-15",
                            "--out", str(out), "--monate", "6"])
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    assert ws["A5"].value == "Monat"
    n = ws.max_row - 5
    assert n >= 6
    # 01.01.2014 + 637 days = 30.09.2015 (the 638th eLb day) → A, B, C cross at the Stichtag 15.10.2015
    by_month = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=2) for i in range(6, 6 + n)}
    assert all(isinstance(m, datetime) and m.day == 1 for m in by_month)
    october = by_month[datetime(2015, 10, 1)]
    assert october.value == 3 and isinstance(october.value, int) and october.number_format == "#,##0"
    assert ws.cell(row=6, column=1).number_format == "MM.YYYY"
    months = [ws.cell(row=i, column=1).value for i in range(6, 6 + n)]
    assert months == sorted(months)  # real dates sort chronologically
    _assert_table(ws, 5, ws.max_column, n)


def test_work_list_days_are_dates(list_dir, tmp_path):
    out = tmp_path / "praevention.xlsx"
    r = runner.invoke(app, ["liste", "lzb-praevention", "--data", str(list_dir), "--stichtag", "2015-06-15",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    head = [c.value for c in ws[5]]
    col = head.index("LZB ab Stichtag") + 1
    rows = {ws.cell(row=i, column=1).value: ws.cell(row=i, column=col) for i in range(6, ws.max_row + 1)}
    assert set(rows) == {"A", "B", "C"}  # D is LZB already, not a prevention case
    assert rows["A"].value == datetime(2015, 10, 15) and rows["A"].number_format == "DD.MM.YYYY"
    _assert_table(ws, 5, len(head), 3)


# ---------------------------------------------------------------- monthly report workbook

SHAPE = [1.02, 1.02, 1.01, 1.01, 1.0, 1.0, 1.0, 1.0, 0.99, 0.99, 1.0, 1.0]


@pytest.fixture(scope="module")
def report_xlsx(tmp_path_factory):
    from zielwerk.domain.calendar import Month
    from zielwerk.reports import report_context, write_report
    from zielwerk.targets.actuals import SeriesSet
    from zielwerk.targets.fileformat import parse_agreement
    from zielwerk.targets.monitoring import monitor

    toml = (Path(__file__).resolve().parent / "targets" / "data" / "klein.toml").read_text(encoding="utf-8")
    s = SeriesSet()
    for y, dec in ((2013, 2800.0), (2014, 2700.0), (2015, 2654.0)):
        s.values.setdefault(("LZB_JD", "all"), {})[y] = [dec * f for f in SHAPE]
        s.values.setdefault(("K2", "all"), {})[y] = [24.0 * m / 12 for m in range(1, 13)]
        s.values.setdefault(("K2", "f"), {})[y] = [21.0 * m / 12 for m in range(1, 13)]
    s.values[("LZB_JD", "all")][2016] = [2700.0, 2760.0, 2750.0] + [None] * 9
    s.values[("K2", "all")][2016] = [2.1, 3.9, 6.0] + [None] * 9
    s.values[("K2", "f")][2016] = [1.7, 3.5, 5.2] + [None] * 9
    ctx = report_context(monitor(parse_agreement(toml), s, Month(2016, 3)), as_of=date(2016, 12, 31))
    out = tmp_path_factory.mktemp("report") / "bericht.xlsx"
    write_report(ctx, out)
    return load_workbook(out)


def test_report_overview_has_filter_and_frozen_header(report_xlsx):
    ws = report_xlsx["Übersicht"]
    assert ws["A4"].value == "Ziel"
    # three targets (LZB_JD all, K2 all, K2 f), 14 columns; the LZB target 2,654 − 2 % → 2,601 persons
    _assert_table(ws, 4, 14, 3)
    assert ws["E5"].value == 2601 and isinstance(ws["E5"].value, int) and ws["E5"].number_format == "#,##0"


def test_report_months_are_dates(report_xlsx):
    ws = report_xlsx["Monatswerte"]
    # twelve months of 2016 for each of the three targets
    _assert_table(ws, 1, 13, 36)
    months = [ws.cell(row=i, column=5).value for i in range(2, 14)]
    assert months == [datetime(2016, m, 1) for m in range(1, 13)]
    assert all(ws.cell(row=i, column=5).number_format == "MM.YYYY" for i in range(2, 38))


def test_report_other_tables(report_xlsx):
    bt = report_xlsx["Prognose-Backtest"]
    _assert_table(bt, 1, 8, 36)  # 12 forecast months per target
    n = bt["E2"]
    assert isinstance(n.value, int) and n.number_format == "#,##0"
    links = report_xlsx["Verknüpfungen"]
    assert links.auto_filter.ref.startswith("A1:F") and links.freeze_panes == "A2"
    agreement = report_xlsx["Vereinbarung"]
    assert agreement.auto_filter.ref.startswith("A3:E") and agreement.freeze_panes == "A4"
    assert report_xlsx["Diagramme"].auto_filter.ref is None  # charts only, no table


# ---------------------------------------------------------------- indicator tables (zielwerk kennzahlen / lzb)

@pytest.fixture(scope="module")
def indicator_dir(tmp_path_factory):
    ds = make([("p1", "b1", "A1", "2014-01-01", None), ("p2", "b2", "B1", "2016-02-01", "2016-08-31")],
              employment=[("p2", "svb", "none", "2016-04-01", None)],
              payments=[("b1", "2015-06", "A1", 400.0, 300.0), ("b1", "2016-06", "A1", 500.0, 300.0)],
              as_of=date(2016, 12, 31))
    d = tmp_path_factory.mktemp("kz") / "data"
    ds.write(d, "csv")
    return d


def test_indicator_excel(indicator_dir, tmp_path):
    out = tmp_path / "k.xlsx"
    r = runner.invoke(app, ["kennzahlen", "--data", str(indicator_dir), "--from", "2016-06", "--to", "2016-07",
                            "--level", "jobcenter", "--out", str(out)])
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(min_row=2))
    _assert_table(ws, 1, 10, len(rows))
    assert rows and all(row[2].value in (datetime(2016, 6, 1), datetime(2016, 7, 1)) for row in rows)
    assert all(row[2].number_format == "MM.YYYY" for row in rows)
    by = {(row[1].value, row[2].value, row[3].value, row[5].value): row for row in rows}
    # K1 06/2016 J1: p1 in receipt since 01.01.2014, 1 of 4 eLb … the CSV test: value 25 %, a rate
    # K2 06/2016 J2 (all): 1 integration (p2, 04/2016) → numerator the count 1, denominator the mean stock 1/3
    k2 = by[("J2", datetime(2016, 6, 1), "K2", "insgesamt")]
    assert k2[6].value == 1 and isinstance(k2[6].value, int) and k2[6].number_format == "#,##0"
    assert k2[7].value == pytest.approx(1 / 3) and k2[7].number_format == "#,##0.##"
    assert k2[8].value == pytest.approx(300.0) and k2[8].number_format == "0.0"


def test_lzb_excel(indicator_dir, tmp_path):
    out = tmp_path / "lzb.xlsx"
    r = runner.invoke(app, ["lzb", "--data", str(indicator_dir), "--stichtag", "2016-06-15", "--out", str(out)])
    assert r.exit_code == 0, r.output
    ws = load_workbook(out).active
    _assert_table(ws, 1, 6, 2)  # p1, p2
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    # p2: 01.02.–15.06.2016 = 29 + 31 + 30 + 31 + 15 = 136 eLb days; LZB from 15.11.2017
    assert rows["p2"][3].value == 136 and rows["p2"][3].number_format == "#,##0"
    assert rows["p2"][5].value == datetime(2017, 11, 15) and rows["p2"][5].number_format == "DD.MM.YYYY"
