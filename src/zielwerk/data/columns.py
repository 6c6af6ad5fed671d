"""Typing and value checks of single columns, vectorised with pyarrow compute.

A raw column is text (from CSV) or a native Parquet column. :func:`convert_column` turns it into
the contract's Arrow type (``dataset.ARROW_TYPES``) and reports every bad value with its line.
No Python loop runs per row; only the (capped) problem messages are rendered one by one.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from zielwerk.domain.codes import CHILDCARE_SLOTS

from .dataset import ARROW_TYPES
from .dialect import DATE_GERMAN, DATE_ISO
from .problems import FILE, LineMap, ProblemCollector
from .schema import Column

_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
_GERMAN_DATE = r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"
_ISO_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_GERMAN_MONTH = r"^(?P<m>0?[1-9]|1[0-2])\.(?P<y>\d{4})$"
_FLOAT_POINT = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_FLOAT_COMMA = r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$"
_INT = r"^[+-]?\d+$"
#: Plausible years for any date of the contract (catches typos such as 16.09.0216).
MIN_YEAR, MAX_YEAR = 1900, 2100


def show(value: object, limit: int = 40) -> str:
    """A value quoted for a German message („…“), shortened if long."""
    text = "" if value is None else str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"„{text}“"


def is_text(t: pa.DataType) -> bool:
    return (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or (
            pa.types.is_dictionary(t)
            and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type))
        )
    )


def _text(arr: pa.ChunkedArray) -> pa.ChunkedArray:
    """Cast to string; an empty string counts as missing (as an empty CSV field does)."""
    arr = arr.cast(pa.string())
    empty = pc.equal(arr, "")
    if not pc.any(empty).as_py():  # the usual case: no copy
        return arr
    return pc.if_else(empty, pa.scalar(None, pa.string()), arr)


def detect_date_style(columns: list[pa.ChunkedArray], prefer: str = DATE_ISO) -> str | None:
    """ISO or German, by majority of the non-empty values of the date columns (ties: ``prefer``)."""
    iso = german = 0
    for arr in columns:
        iso += pc.sum(pc.match_substring_regex(arr, _ISO_DATE)).as_py() or 0
        german += pc.sum(pc.match_substring_regex(arr, _GERMAN_DATE)).as_py() or 0
    if not iso and not german:
        return None
    if german == iso:
        return prefer
    return DATE_GERMAN if german > iso else DATE_ISO


def detect_decimal(columns: list[pa.ChunkedArray]) -> str | None:
    """Decimal comma if any value of a decimal column holds a comma, else point; None: no such column."""
    if not columns:
        return None
    for arr in columns:
        if pc.any(pc.match_substring(arr, ",")).as_py():
            return ","
    return "."


def parse_dates(arr: pa.ChunkedArray, style: str) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Parse text dates strictly (no 30 February). Returns (date32 values, bad mask)."""
    if style == DATE_ISO:
        try:  # fast path: Arrow's cast is strict (no 30 February, no other layout) and fails as a whole
            values = arr.cast(pa.date32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        else:
            year = pc.year(values)
            bad = pc.fill_null(pc.or_(pc.less(year, MIN_YEAR), pc.greater(year, MAX_YEAR)), False)
            return pc.if_else(bad, pa.scalar(None, pa.date32()), values), bad
    if style == DATE_GERMAN:
        parts = pc.extract_regex(arr, _GERMAN_DATE)
        iso = pc.binary_join_element_wise(
            pc.struct_field(parts, "y"),
            pc.utf8_lpad(pc.struct_field(parts, "m"), 2, "0"),
            pc.utf8_lpad(pc.struct_field(parts, "d"), 2, "0"),
            "-",
        )
    else:
        iso = pc.if_else(pc.match_substring_regex(arr, _ISO_DATE), arr, pa.scalar(None, pa.string()))
    ts = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime normalises 2016-02-30 to 2016-03-01: a round trip catches impossible days.
    same = pc.equal(pc.strftime(ts, format="%Y-%m-%d"), iso)
    year = pc.year(ts)
    plausible = pc.and_(pc.greater_equal(year, MIN_YEAR), pc.less_equal(year, MAX_YEAR))
    good = pc.fill_null(pc.and_(same, plausible), False)
    bad = pc.and_(pc.is_valid(arr), pc.invert(good))
    values = pc.if_else(good, ts.cast(pa.date32()), pa.scalar(None, pa.date32()))
    return values, bad


def parse_months(arr: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """``YYYY-MM`` (canonical) or ``MM.YYYY`` (office); normalised to ``YYYY-MM``."""
    iso_ok = pc.fill_null(pc.match_substring_regex(arr, _ISO_MONTH), False)
    if pc.sum(iso_ok).as_py() == pc.count(arr).as_py():  # the common case: all canonical
        values = arr
    else:
        parts = pc.extract_regex(arr, _GERMAN_MONTH)
        german = pc.binary_join_element_wise(
            pc.struct_field(parts, "y"), pc.utf8_lpad(pc.struct_field(parts, "m"), 2, "0"), "-"
        )
        values = pc.if_else(iso_ok, arr, german)
    year = pc.cast(pc.utf8_slice_codeunits(values, 0, 4), pa.int64(), safe=False)
    plausible = pc.and_(pc.greater_equal(year, MIN_YEAR), pc.less_equal(year, MAX_YEAR))
    good = pc.fill_null(plausible, False)
    bad = pc.and_(pc.is_valid(arr), pc.invert(good))
    return pc.if_else(good, values, pa.scalar(None, pa.string())), bad


def parse_numbers(
    arr: pa.ChunkedArray, kind: str, decimal: str = "."
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Parse ``float`` (decimal point or comma, the latter with optional ``.`` grouping) or ``int``."""
    if kind == "int":
        ok = pc.match_substring_regex(arr, _INT)
        text = arr
        target = pa.int64()
    elif decimal == ",":
        ok = pc.match_substring_regex(arr, _FLOAT_COMMA)
        text = pc.replace_substring(pc.replace_substring(arr, ".", ""), ",", ".")
        target = pa.float64()
    else:
        ok = pc.match_substring_regex(arr, _FLOAT_POINT)
        text = arr
        target = pa.float64()
    ok = pc.fill_null(ok, False)
    clean = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    try:
        values = clean.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. an int beyond 64 bits
        values = clean.cast(pa.float64()).cast(target, safe=False)
    bad = pc.and_(pc.is_valid(arr), pc.invert(ok))
    return values, bad


class ColumnConverter:
    """Converts the columns of one table and records problems with the table's line map."""

    def __init__(
        self,
        table: str,
        lines: LineMap,
        problems: ProblemCollector,
        decimal: str | None = ".",
        dates: str | None = DATE_ISO,
        native: bool = False,
    ) -> None:
        self.table = table
        self.lines = lines
        self.problems = problems
        self.decimal = decimal or "."
        self.dates = dates or DATE_ISO
        self.native = native

    def _bad(self, mask, column: str, raw: pa.ChunkedArray, what) -> None:
        self.problems.add_rows(self.table, mask, self.lines, column, lambda i: what(raw[i].as_py()))

    def convert(self, col: Column, raw: pa.ChunkedArray | None, n_rows: int) -> pa.ChunkedArray | None:
        """The typed column, or None if the column as a whole has the wrong Parquet type."""
        target = ARROW_TYPES[col.type]
        if raw is None:  # optional column absent
            return pa.chunked_array([pa.nulls(n_rows, target)])
        if self.native and not is_text(raw.type):
            typed = self._convert_native(col, raw)
            if typed is None:
                return None
        else:
            raw = _text(raw)
            typed = self._convert_text(col, raw)
        self._check_values(col, raw, typed)
        return typed

    def _convert_native(self, col: Column, raw: pa.ChunkedArray) -> pa.ChunkedArray | None:
        t = raw.type
        ok = (
            (col.type == "date" and (pa.types.is_date(t) or pa.types.is_timestamp(t)))
            or (
                col.type == "float"
                and (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t))
            )
            or (col.type == "int" and (pa.types.is_integer(t) or pa.types.is_floating(t)))
            or pa.types.is_null(t)
        )
        if not ok:
            expected = {
                "str": "Text",
                "month": "Text (JJJJ-MM)",
                "slots": "Text",
                "date": "Datum",
                "float": "Zahl",
                "int": "ganze Zahl",
            }[col.type]
            self.problems.add(self.table, FILE, col.name, f"Spaltentyp {t} passt nicht, erwartet {expected}")
            return None
        if col.type == "int" and pa.types.is_floating(t):
            # pandas writes integer columns with gaps as floats: accept whole values only
            whole = pc.equal(pc.floor(raw), raw)
            bad = pc.and_(pc.is_valid(raw), pc.invert(pc.fill_null(whole, False)))
            self._bad(bad, col.name, raw, lambda v: f"ungültige Zahl {show(v)} (erwartet ganze Zahl)")
            raw = pc.if_else(pc.fill_null(bad, False), pa.scalar(None, t), raw)
            return raw.cast(pa.int64(), safe=False)
        typed = raw.cast(ARROW_TYPES[col.type])
        if col.type == "date":
            year = pc.year(typed)
            bad = pc.or_(pc.less(year, MIN_YEAR), pc.greater(year, MAX_YEAR))
            self._bad(bad, col.name, raw, lambda v: f"Datum {show(v)} außerhalb {MIN_YEAR}–{MAX_YEAR}")
            typed = pc.if_else(pc.fill_null(bad, False), pa.scalar(None, pa.date32()), typed)
        return typed

    def _convert_text(self, col: Column, raw: pa.ChunkedArray) -> pa.ChunkedArray:
        if col.type == "date":
            style = DATE_ISO if self.native else self.dates
            typed, bad = parse_dates(raw, style)
            fmt = "TT.MM.JJJJ" if style == DATE_GERMAN else "JJJJ-MM-TT"
            self._bad(bad, col.name, raw, lambda v: f"ungültiges Datum {show(v)} (erwartet {fmt})")
        elif col.type == "month":
            typed, bad = parse_months(raw)
            self._bad(bad, col.name, raw, lambda v: f"ungültiger Monat {show(v)} (erwartet JJJJ-MM)")
        elif col.type in ("float", "int"):
            typed, bad = parse_numbers(raw, col.type, self.decimal)
            if col.type == "int":
                what = "ganze Zahl"
            else:
                what = "Zahl mit Dezimalkomma" if self.decimal == "," else "Zahl mit Dezimalpunkt"
            self._bad(bad, col.name, raw, lambda v: f"ungültige Zahl {show(v)} (erwartet {what})")
        else:
            typed = raw
        return typed

    def _check_values(self, col: Column, raw: pa.ChunkedArray, typed: pa.ChunkedArray) -> None:
        if not col.nullable:
            self.problems.add_rows(
                self.table, pc.is_null(raw), self.lines, col.name, lambda i: "Pflichtwert fehlt"
            )
        if col.codes is not None:
            unknown = pc.and_(pc.is_valid(typed), pc.invert(pc.is_in(typed, value_set=pa.array(col.codes))))
            allowed = ", ".join(col.codes)
            self._bad(unknown, col.name, typed, lambda v: f"unbekannter Code {show(v)} (erlaubt: {allowed})")
        if col.max_length is not None:
            too_long = pc.fill_null(pc.greater(pc.utf8_length(typed), col.max_length), False)
            limit = col.max_length
            self._bad(too_long, col.name, typed,
                      lambda v: f"Text zu lang ({len(v)} Zeichen, höchstens {limit}): {show(v)}")
        if col.type == "slots":
            self._check_slots(col, typed)

    def _check_slots(self, col: Column, typed: pa.ChunkedArray) -> None:
        """Every space-separated token must be a slot code; a present but blank value is empty."""
        tokens = pc.split_pattern_regex(pc.utf8_trim_whitespace(typed), r"\s+")
        flat = pc.list_flatten(tokens)
        parent = pc.list_parent_indices(tokens)
        bad_token = pc.invert(pc.is_in(flat, value_set=pa.array(CHILDCARE_SLOTS)))
        bad_rows = pc.unique(pc.filter(parent, bad_token))
        mask = pc.is_in(_arange(len(typed)), value_set=bad_rows.cast(pa.int64()))
        allowed = ", ".join(CHILDCARE_SLOTS)
        self._bad(
            mask, col.name, typed, lambda v: f"unbekannte Betreuungszeit in {show(v)} (erlaubt: {allowed})"
        )


def _arange(n: int) -> pa.Array:
    import numpy as np

    return pa.array(np.arange(n, dtype=np.int64))
