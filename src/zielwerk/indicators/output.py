"""Writing indicator tables: CSV (canonical dialect), Parquet or Excel (German headers and formats).

The format follows the file suffix. Files are written to a temporary name in the target folder
and renamed at the end, so a failed run never leaves a half-written file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from zielwerk import xlsx
from zielwerk.atomic import atomic_file
from zielwerk.data.dataset import write_canonical_csv
from zielwerk.domain.cells import neutralise, neutralise_table
from zielwerk.domain.codes import SEX_LABELS

from .definitions import INDICATORS, UNIT_PERCENT

SUFFIXES = (".csv", ".parquet", ".xlsx")

UNIT_LABELS = {"jobcenter": "Jobcenter", "municipality": "Gemeinde", "total": "Insgesamt"}

KENNZAHLEN_HEADERS = {
    "unit_type": "Ebene",
    "unit_id": "Einheit",
    "month": "Monat",
    "indicator": "Kennzahl",
    "name": "Bezeichnung",
    "sex": "Geschlecht",
    "numerator": "Zähler",
    "denominator": "Nenner",
    "value": "Wert",
    "provisional": "vorläufig",
}
LZB_HEADERS = {
    "person_id": "Person",
    "jobcenter_id": "Jobcenter",
    "municipality_id": "Gemeinde",
    "elb_days_730": "eLb-Tage in 730 Tagen",
    "is_lzb": "LZB",
    "lzb_from": "LZB ab",
}


def check_suffix(path: Path) -> str:
    """The output format for ``path``; a German error for an unknown suffix."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"Unbekanntes Ausgabeformat {path.suffix or '(ohne Endung)'} für {path}: "
                         f"erlaubt sind {', '.join(SUFFIXES)}.")
    return suffix


def write_table(tbl: pa.Table, path: str | Path, kind: str = "kennzahlen") -> None:
    """Write ``tbl`` (long indicator format, or ``kind="lzb"`` the per-person LZB table) to ``path``."""
    path = Path(path)
    suffix = check_suffix(path)
    with atomic_file(path, suffix) as tmp:
        if suffix == ".csv":
            write_canonical_csv(neutralise_table(tbl), tmp)
        elif suffix == ".parquet":
            pq.write_table(tbl, tmp, compression="zstd")
        else:
            _write_xlsx(tbl, tmp, kind)


def _write_xlsx(tbl: pa.Table, path: Path, kind: str) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    if kind == "lzb":
        ws = wb.create_sheet("LZB")
        headers = LZB_HEADERS
    else:
        ws = wb.create_sheet("Kennzahlen")
        headers = KENNZAHLEN_HEADERS
    bold = Font(bold=True)
    head = []
    for text in headers.values():
        c = WriteOnlyCell(ws, value=text)
        c.font = bold
        head.append(c)
    # write-only sheets: autofilter and frozen header are set before the rows (the size is known)
    xlsx.finish_table(ws, 1, len(headers), 1 + tbl.num_rows)
    ws.append(head)
    for row in tbl.to_pylist():
        cells = _lzb_row(ws, row, WriteOnlyCell) if kind == "lzb" else _kz_row(ws, row, WriteOnlyCell)
        ws.append([neutralise(v) for v in cells])  # text never read as a formula
    wb.save(path)


def _num(ws, value, fmt: str, cell_cls):
    c = cell_cls(ws, value=value)
    c.number_format = fmt
    return c


def _ratio_part(ws, value, cell_cls):
    """A numerator or denominator: a whole number as an integer count (``#,##0``), an average (e.g. the
    mean stock of the K2 denominator) with up to two decimals."""
    v = xlsx.whole(value)
    return _num(ws, v, xlsx.COUNT if isinstance(v, int) else "#,##0.##", cell_cls)


def _kz_row(ws, r: dict, cell_cls) -> list:
    ind = INDICATORS.get(r["indicator"])
    from zielwerk.domain.calendar import Month

    name = ind.name_for(Month.parse(r["month"])) if ind else r["indicator"]
    # whole persons for counts, one decimal for rates (the record's display unit)
    rate = ind is None or ind.unit == UNIT_PERCENT
    value = r["value"] if rate else xlsx.whole(r["value"])
    return [
        UNIT_LABELS.get(r["unit_type"], r["unit_type"]),
        r["unit_id"],
        _num(ws, xlsx.month_date(r["month"]), xlsx.MONTH, cell_cls),  # a real date: sorts as a month
        r["indicator"],
        name,
        SEX_LABELS.get(r["sex"], r["sex"]),
        _ratio_part(ws, r["numerator"], cell_cls),
        _ratio_part(ws, r["denominator"], cell_cls),
        _num(ws, value, xlsx.RATE if rate else xlsx.COUNT, cell_cls),
        "ja" if r["provisional"] else "nein",
    ]


def _lzb_row(ws, r: dict, cell_cls) -> list:
    lzb_from: date | None = r["lzb_from"]
    return [
        r["person_id"],
        r["jobcenter_id"],
        r["municipality_id"],
        _num(ws, r["elb_days_730"], xlsx.COUNT, cell_cls),
        "ja" if r["is_lzb"] else "nein",
        _num(ws, lzb_from, xlsx.DATE, cell_cls),
    ]
