"""Shared Excel conventions of every Zielwerk export (issue 13, item 7).

Months are real dates (first day of the month, shown ``MM.YYYY``) so they sort and filter as dates,
days are dates (``DD.MM.YYYY``), whole counts are integers (``#,##0``), rates one decimal (``0.0``)
and money two decimals with the euro sign. Every sheet with a table gets an autofilter over its header
row and data range and a frozen header (:func:`finish_table`). Text still goes through
:mod:`zielwerk.domain.cells` (formula neutralisation) in the writers.
"""

from __future__ import annotations

from datetime import date

MONTH = "MM.YYYY"
DATE = "DD.MM.YYYY"
COUNT = "#,##0"
RATE = "0.0"
MONEY = '#,##0.00 "€"'


def month_date(text: str | None) -> date | None:
    """``"2016-07"`` → ``date(2016, 7, 1)`` (the month as a real Excel date); ``None`` stays ``None``."""
    if text is None:
        return None
    y, m = str(text)[:7].split("-")
    return date(int(y), int(m), 1)


def whole(value):
    """A float that is a whole number as ``int`` (a count); anything else unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_ref(header_row: int, n_cols: int, last_row: int) -> str:
    """The A1 range of a table: header row ``header_row`` to ``last_row`` (at least the header), ``n_cols`` wide."""
    from openpyxl.utils import get_column_letter

    return f"A{header_row}:{get_column_letter(max(n_cols, 1))}{max(last_row, header_row)}"


def finish_table(ws, header_row: int, n_cols: int, last_row: int) -> None:
    """Autofilter over header and data, header row (and everything above it) frozen."""
    ws.auto_filter.ref = table_ref(header_row, n_cols, last_row)
    ws.freeze_panes = f"A{header_row + 1}"


__all__ = ["COUNT", "DATE", "MONEY", "MONTH", "RATE", "finish_table", "month_date", "table_ref", "whole"]
