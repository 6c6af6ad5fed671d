"""German presentation: numbers 1.234,5 and dates 15.09.2016 (Jinja filters and CSV export)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from zielwerk.domain import german
from zielwerk.domain.cells import neutralise

_BERLIN = ZoneInfo("Europe/Berlin")
from zielwerk.indicators.suppression import SUPPRESSED  # noqa: F401  (one mark for every view)


def number(value: object, digits: int = 1) -> str:
    """1234.56 → '1.234,6'; None/NaN → '–'; the suppression mark passes through."""
    if value is None or value == "":
        return german.MISSING
    if isinstance(value, str):
        return value
    return german.num(float(value), digits, minus="-")  # type: ignore[arg-type]


def integer(value: object) -> str:
    return number(value, 0)


def count(value: object) -> str:
    """Numerators and denominators: persons as whole numbers (2.012), averages of stocks with one
    decimal (10.994,2)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return number(value, 0)
    return number(value, 1)


def german_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.astimezone(_BERLIN).strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def german_month(value: str) -> str:
    """'2016-09' → '09/2016'."""
    return f"{value[5:7]}/{value[:4]}" if len(value) == 7 else value


def csv_german(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV in the German office dialect: ';' separator, decimal comma, UTF-8 with BOM."""
    buf = io.StringIO()
    buf.write("\ufeff")
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return buf.getvalue()


def _csv_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "ja" if v else "nein"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return repr(v).replace(".", ",")
    if isinstance(v, (date, datetime)):
        return german_date(v)
    return neutralise(str(v))  # text never read as a formula (domain/cells.py)
