"""Reading a published Kennzahlen table (CSV or Excel) through a declarative header mapping.

A *layout* (:class:`Layout`, the entries of :data:`LAYOUTS`) says, for every field of
:class:`~.figures.OfficialRow`, which column headers name it. A second layout of the statistics office
is one more entry of :data:`LAYOUTS`, not code. The header row is the first row (within the first
:data:`HEADER_SEARCH_ROWS` rows; published files have title lines above it) that names every required
field of some layout; columns that no field names are ignored and reported.

Dialects: CSV in the canonical dialect (UTF-8, comma, decimal point) or the German office dialect
(semicolon, decimal comma, Windows-1252 or UTF-8 with BOM; thousands points ``1.234,5`` allowed), detected
per file (:mod:`zielwerk.data.dialect`); Excel ``.xlsx`` (first sheet, native numbers, or text in the
German form). Cells the statistics office marks as not available (:data:`MISSING_MARKS`: empty, ``*``
anonymised, ``-`` nothing, ``x`` not meaningful, ``.`` not available) are empty values.

Every problem is reported as ``datei:zeile:spalte: Meldung`` (line = the line in the CSV file or the
row of the sheet, header included; column = the header as written in the file, ``-`` for the whole
line or file), all problems of the file at once; a file with any problem yields no rows
(:class:`OfficialFileInvalid`). The checks: required columns, Jobcenter key and name, month
(``JJJJ-MM``, ``MM.JJJJ``, ``MM/JJJJ``, ``JJJJMM``, "Januar 2016", an Excel date; from the first month
of the regulation to the current month), indicator (an official code of
:data:`zielwerk.indicators.definitions.INDICATORS`, valid in the month), sex (``Insgesamt``/``Frauen``/
``Männer`` or ``all``/``f``/``m``; money indicators only ``Insgesamt``), numbers (finite, not negative,
at most :data:`MAX_COUNT` persons or :data:`MAX_MONEY` euros), the value (a quota 0–100 %, a change rate
−100 to +1000 %) and its consistency with numerator and denominator within the published rounding
(:func:`value_interval`), and duplicates (the same Jobcenter, month, indicator and sex twice).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from zielwerk.data.dialect import ENCODING_LABELS, SEPARATOR_LABELS, detect_encoding
from zielwerk.data.problems import FILE, NO_COLUMN, Problem
from zielwerk.domain.calendar import Month
from zielwerk.indicators.definitions import CHANGE, FLOW, INDICATORS, MONEY, block_kind

from .figures import OFFICIAL_CODES, OfficialRow, value_of

FIELDS = ("jobcenter_id", "jobcenter_name", "vergleichstyp", "month", "indicator", "sex", "numerator",
          "denominator", "value")
#: German field names in messages
FIELD_LABELS = {"jobcenter_id": "Jobcenter-Schlüssel", "jobcenter_name": "Jobcenter-Name",
                "vergleichstyp": "Vergleichstyp", "month": "Berichtsmonat", "indicator": "Kennzahl",
                "sex": "Geschlecht", "numerator": "Zähler", "denominator": "Nenner", "value": "Wert"}


@dataclass(frozen=True)
class Layout:
    """A column layout: field → the headers that name it (compared without case, blanks, hyphens)."""

    key: str
    label: str
    columns: dict[str, tuple[str, ...]]
    #: fields whose column may be missing (then empty in every row)
    optional: frozenset[str] = frozenset({"vergleichstyp"})


#: The layouts known. ``ba``: the headers as the statistics office labels its Kennzahlen tables;
#: ``contract``: the field names of the indicator output (data-contract.md) plus Jobcenter name and
#: Vergleichstyp. Header variants of one layout are alternatives of one field.
LAYOUTS: tuple[Layout, ...] = (
    Layout("ba", "Statistik der Bundesagentur für Arbeit (deutsche Spaltennamen)", {
        "jobcenter_id": ("Jobcenter-Schlüssel", "Regionalschlüssel", "JC-Schlüssel", "Schlüssel Jobcenter",
                         "Jobcenter-Nr.", "Regional-Schlüssel"),
        "jobcenter_name": ("Jobcenter", "Jobcenter-Name", "Name Jobcenter", "Region", "Regionsname"),
        "vergleichstyp": ("Vergleichstyp", "SGB II-Vergleichstyp", "Vergleichstyp SGB II"),
        "month": ("Berichtsmonat", "Monat", "Berichtszeitraum"),
        "indicator": ("Kennzahl", "Kennzahl-Nr.", "Kennzahlnummer", "Kennzahl/Ergänzungsgröße"),
        "sex": ("Geschlecht",),
        "numerator": ("Zähler", "Zählergröße"),
        "denominator": ("Nenner", "Nennergröße"),
        "value": ("Wert", "Kennzahlwert", "Wert in %", "Wert (%)"),
    }),
    Layout("contract", "Datenvertrag (englische Spaltennamen)", {f: (f,) for f in FIELDS}),
)

#: rows searched for the header (published files have title lines above it)
HEADER_SEARCH_ROWS = 20
#: cell contents meaning "no value" in the statistics office's tables
MISSING_MARKS = frozenset({"", "*", "-", "–", "x", "X", "."})
#: sex labels → the indicator output's sex codes
SEX_LABELS = {"insgesamt": "all", "gesamt": "all", "zusammen": "all", "all": "all",
              "frauen": "f", "weiblich": "f", "f": "f", "w": "f",
              "männer": "m", "maenner": "m", "männlich": "m", "m": "m"}
#: plausible upper bounds of a numerator or denominator: persons (needs) and euros per month
MAX_COUNT = 10_000_000.0
MAX_MONEY = 100_000_000_000.0
#: plausible values in percent: a share of a stock in a stock (K3E2) 0–100; a quota with events in the numerator
#: (integrations, entries, exits over 12 months against an average stock; K2E3's continued employments) can
#: exceed 100 % in small groups and is refused above 1000 % (e.g. a value published ×100); a change rate
#: (as ``targets.model.LEVEL_RANGES``) −100 to +1000
QUOTA_RANGE = (0.0, 100.0)
EVENT_QUOTA_RANGE = (0.0, 1000.0)
CHANGE_RANGE = (-100.0, 1000.0)
#: the longest Jobcenter key and name the store keeps
MAX_KEY, MAX_NAME, MAX_TYPE = 40, 200, 20

_GERMAN_MONTHS = {"januar": 1, "jan": 1, "februar": 2, "feb": 2, "märz": 3, "maerz": 3, "mär": 3, "mrz": 3,
                  "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
                  "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
                  "nov": 11, "dezember": 12, "dez": 12}
_KEY_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
_CODE_RE = re.compile(r"^\s*(K\d(?:E\d)?)\b", re.IGNORECASE)
_GERMAN_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+(,\d+)?$")
_CANONICAL_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class _Facts:
    """What the checks need of an indicator, computed once (the records derive them on every access)."""

    money: bool
    by_sex: bool
    change: bool
    valid_from: Month
    valid_to: Month | None
    value_range: tuple[float, float]


def _range(code: str) -> tuple[float, float]:
    ind = INDICATORS[code]
    if ind.value == CHANGE:
        return CHANGE_RANGE
    assert ind.numerator is not None
    return EVENT_QUOTA_RANGE if block_kind(ind.numerator.block) == FLOW else QUOTA_RANGE


_FACTS = {c: _Facts(INDICATORS[c].measure == MONEY, INDICATORS[c].by_sex, INDICATORS[c].value == CHANGE,
                    INDICATORS[c].valid_from, INDICATORS[c].valid_to, _range(c)) for c in OFFICIAL_CODES}
#: the first month any official indicator exists
FIRST_MONTH = min(f.valid_from for f in _FACTS.values())


class OfficialFileInvalid(ValueError):
    """The file was refused; ``problems`` lists every problem (``datei:zeile:spalte: Meldung``)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = "; ".join(str(p) for p in problems[:3])
        more = f" (und {len(problems) - 3} weitere)" if len(problems) > 3 else ""
        super().__init__(f"Amtliche Kennzahlen abgelehnt: {len(problems)} Problem(e): {head}{more}")


@dataclass
class ReadResult:
    rows: list[OfficialRow]
    layout: Layout
    #: German description of the format, e.g. "CSV: Semikolon, Dezimalkomma, Windows-1252"
    dialect: str
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def months(self) -> list[str]:
        return sorted({r.month for r in self.rows})


def _norm(header: Any) -> str:
    return re.sub(r"[\s_\-]+", "", str(header or "")).casefold()


def _match_layout(headers: list[str]) -> tuple[Layout, dict[str, int], list[str]] | None:
    """The layout whose required fields all appear in ``headers``: (layout, field → column index,
    problems such as a header naming two fields or a field named twice)."""
    normed = [_norm(h) for h in headers]
    for layout in LAYOUTS:
        idx: dict[str, int] = {}
        dup: list[str] = []
        for fld, names in layout.columns.items():
            wanted = {_norm(n) for n in names}
            hits = [i for i, h in enumerate(normed) if h in wanted]
            if len(hits) > 1:
                dup.append(f"die Spalte {FIELD_LABELS[fld]} kommt mehrfach vor "
                           f"({', '.join(repr(headers[i]) for i in hits)})")
            if hits:
                idx[fld] = hits[0]
        if all(f in idx for f in FIELDS if f not in layout.optional):
            return layout, idx, dup
    return None


def _missing_columns(candidates: list[tuple[int, list[str]]]) -> tuple[int, str]:
    """(line, German message) naming the missing columns of the layout and row that matched best."""
    best = None
    for line, headers in candidates:
        normed = {_norm(h) for h in headers}
        for layout in LAYOUTS:
            missing = [layout.columns[f][0] for f in FIELDS
                       if f not in layout.optional and not any(_norm(n) in normed for n in layout.columns[f])]
            if best is None or len(missing) < len(best[2]):
                best = (line, layout, missing)
    assert best is not None
    line, layout, missing = best
    return line, (f"Kopfzeile nicht erkannt: es fehlen die Spalten {', '.join(missing)} "
                  f"(Spaltenaufteilung „{layout.label}“; siehe docs/official-figures.md)")


# --- cells ------------------------------------------------------------------------------------------

class _CellError(ValueError):
    pass


def _text(v: Any) -> str:
    if type(v) is str:
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_number(v: Any, decimal: str) -> float | None:
    """A number cell: native (Excel) or text in the dialect (``decimal`` "," or "."); None if empty or
    marked missing; :class:`_CellError` with a German message otherwise."""
    if type(v) is str and v.isascii() and v.isdigit():  # fast path: a plain whole number (most counts)
        return float(v)
    if isinstance(v, bool):
        raise _CellError(f"ist keine Zahl ({v!r})")
    if isinstance(v, (int, float)):
        x = float(v)
    else:
        s = _text(v)
        if s in MISSING_MARKS:
            return None
        s = s.replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
        if s.lstrip("+-").casefold() in ("inf", "infinity", "nan", "unendlich"):
            raise _CellError(f"muss eine endliche Zahl sein, nicht {s!r}")
        if decimal == ",":
            if not _GERMAN_NUMBER.match(s):
                raise _CellError(f"ist keine Zahl im deutschen Format (z. B. 1.234,5): {s!r}")
            s = s.replace(".", "").replace(",", ".")
        elif not _CANONICAL_NUMBER.match(s):
            raise _CellError(f"ist keine Zahl mit Dezimalpunkt (z. B. 1234.5): {s!r}")
        x = float(s)
    if not math.isfinite(x):
        raise _CellError(f"muss eine endliche Zahl sein, nicht {v!r}")
    return x


def parse_month(v: Any) -> Month:
    if isinstance(v, (datetime, date)):
        return Month(v.year, v.month)
    return _parse_month_text(_text(v))


@lru_cache(maxsize=4096)
def _parse_month_text(s: str) -> Month:
    m = (re.fullmatch(r"(\d{4})-(\d{1,2})", s) or re.fullmatch(r"(\d{4})(\d{2})", s))
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[./](\d{4})", s):
        y, mo = int(m.group(2)), int(m.group(1))
    elif m := re.fullmatch(r"([A-Za-zäÄ]+)\.?\s+(\d{4})", s):
        mo = _GERMAN_MONTHS.get(m.group(1).casefold(), 0)
        y = int(m.group(2))
    else:
        raise _CellError(f"ist kein Monat (erwartet JJJJ-MM, MM.JJJJ oder „Januar 2016“): {s!r}")
    if not 1 <= mo <= 12:
        raise _CellError(f"ist kein gültiger Monat: {s!r}")
    return Month(y, mo)


def parse_indicator(v: Any) -> str:
    return _parse_indicator_text(_text(v))


@lru_cache(maxsize=1024)
def _parse_indicator_text(s: str) -> str:
    m = _CODE_RE.match(s)
    code = m.group(1).upper() if m else s
    if code not in OFFICIAL_CODES:
        if code in INDICATORS:
            raise _CellError(f"{code} ist eine lokale Kennzahl und wird nicht amtlich veröffentlicht")
        raise _CellError(f"unbekannte Kennzahl {s!r} (erlaubt: {', '.join(OFFICIAL_CODES)})")
    return code


def parse_sex(v: Any) -> str:
    s = _text(v)
    sex = SEX_LABELS.get(s) or SEX_LABELS.get(s.casefold())
    if sex is None:
        raise _CellError(f"unbekanntes Geschlecht {s!r} (erlaubt: Insgesamt, Frauen, Männer)")
    return sex


def value_interval(code: str, numerator: float, denominator: float, value_decimals: int = 1
                   ) -> tuple[float, float] | None:
    """The published values consistent with a published numerator and denominator: whole numbers may have
    been rounded (±0.5 each), and the value is rounded to ``value_decimals``; None if any value is (the
    denominator may have been below 0.5)."""
    half = 0.5 * 10.0 ** (-value_decimals) + 1e-9
    n_lo, n_hi = (numerator - 0.5, numerator + 0.5) if float(numerator).is_integer() else (numerator, numerator)
    d_lo, d_hi = (denominator - 0.5, denominator + 0.5) if float(denominator).is_integer() else (denominator,
                                                                                              denominator)
    if d_lo <= 0:
        return None
    lo, hi = value_of(code, max(0.0, n_lo), d_hi), value_of(code, n_hi, d_lo)
    assert lo is not None and hi is not None
    return lo - half, hi + half


def _decimals(v: Any, decimal: str) -> int:
    """Decimals of a published value as written (text); native Excel numbers: up to 10."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        text = repr(float(v))  # shortest repr: 6.2 → "6.2" (one decimal as typed)
        return 0 if float(v).is_integer() else min(10, len(text.split(".")[1])) if "e" not in text else 10
    s = _text(v)
    sep = decimal if decimal in s else None
    return len(s.rsplit(sep, 1)[1]) if sep else 0


# --- rows -------------------------------------------------------------------------------------------

@dataclass
class _Ctx:
    file: str
    headers: list[str]
    idx: dict[str, int]
    decimal: str
    today: Month
    problems: list[Problem] = field(default_factory=list)
    seen: dict[tuple, int] = field(default_factory=dict)

    def col(self, fld: str) -> str:
        i = self.idx.get(fld)
        return self.headers[i] if i is not None else FIELD_LABELS[fld]

    def err(self, line: int, fld: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, self.col(fld) if fld else NO_COLUMN, message))


def _check_row(ctx: _Ctx, line: int, cells: list[Any]) -> OfficialRow | None:
    n = len(cells)
    at = ctx.idx

    def cell(fld: str) -> Any:
        i = at.get(fld)
        return cells[i] if i is not None and i < n else None

    before = len(ctx.problems)
    jc = _text(cell("jobcenter_id"))
    if isinstance(cell("jobcenter_id"), (int, float)) and len(jc) == 4:
        jc = "0" + jc  # a spreadsheet dropped the leading zero of a Kreisschlüssel (05970 → 5970)
    elif re.fullmatch(r"\d{4}", jc):
        jc = "0" + jc
    if not jc:
        ctx.err(line, "jobcenter_id", "Jobcenter-Schlüssel fehlt")
    elif len(jc) > MAX_KEY or not _KEY_RE.match(jc):
        ctx.err(line, "jobcenter_id", f"ungültiger Jobcenter-Schlüssel {jc!r}")
    name = _text(cell("jobcenter_name"))
    if not name:
        ctx.err(line, "jobcenter_name", "Name des Jobcenters fehlt")
    elif len(name) > MAX_NAME:
        ctx.err(line, "jobcenter_name", f"Name des Jobcenters ist länger als {MAX_NAME} Zeichen")
    vt = _text(cell("vergleichstyp")) or None
    if vt is not None and len(vt) > MAX_TYPE:
        ctx.err(line, "vergleichstyp", f"Vergleichstyp ist länger als {MAX_TYPE} Zeichen: {vt!r}")
    month = code = sex = None
    try:
        month = parse_month(cell("month"))
        if not FIRST_MONTH <= month <= ctx.today:
            ctx.err(line, "month", f"Monat {month} liegt außerhalb des möglichen Zeitraums ({FIRST_MONTH} bis "
                                   f"{ctx.today})")
            month = None
    except _CellError as exc:
        ctx.err(line, "month", f"Berichtsmonat {exc}")
    try:
        code = parse_indicator(cell("indicator"))
        facts = _FACTS[code]
        if month is not None and (month < facts.valid_from or (facts.valid_to is not None and month > facts.valid_to)):
            ctx.err(line, "indicator", f"Die Kennzahl {code} gibt es im Monat {month} nicht")
    except _CellError as exc:
        ctx.err(line, "indicator", f"Kennzahl: {exc}")
    try:
        sex = parse_sex(cell("sex"))
        if code is not None and sex != "all" and not _FACTS[code].by_sex:
            ctx.err(line, "sex", f"Die Kennzahl {code} gibt es nicht nach Geschlecht (nur Insgesamt)")
    except _CellError as exc:
        ctx.err(line, "sex", f"Geschlecht: {exc}")
    nums: dict[str, float | None] = {}
    for fld in ("numerator", "denominator", "value"):
        try:
            nums[fld] = parse_number(cell(fld), ctx.decimal)
        except _CellError as exc:
            ctx.err(line, fld, f"{FIELD_LABELS[fld]} {exc}")
            nums[fld] = None
    if code is not None:
        facts = _FACTS[code]
        money = facts.money
        top = MAX_MONEY if money else MAX_COUNT
        in_range = True
        for fld in ("numerator", "denominator"):
            x = nums[fld]
            if x is not None and not 0 <= x <= top:
                in_range = False
                what = "Euro" if money else "Personen"
                ctx.err(line, fld, f"{FIELD_LABELS[fld]} {_g(x)} ist nicht plausibel (0 bis {_g(top)} {what})")
        v = nums["value"]
        lo, hi = facts.value_range
        if v is not None and not lo <= v <= hi:
            kind = "einer Veränderungsrate" if facts.change else "einer Quote"
            ctx.err(line, "value", f"Wert {_g(v)} % ist bei {kind} nicht plausibel ({_g(lo)} bis {_g(hi)} %)")
        elif in_range and v is not None and nums["numerator"] is not None and nums["denominator"] is not None:
            n, d = nums["numerator"], nums["denominator"]
            if d == 0:
                ctx.err(line, "value", "Wert angegeben, aber der Nenner ist 0")
            else:
                expect = value_of(code, n, d)
                assert expect is not None
                span = value_interval(code, n, d, _decimals(cell("value"), ctx.decimal))
                if span is not None and not span[0] <= v <= span[1]:
                    ctx.err(line, "value", f"Wert {_g(v)} passt nicht zu Zähler/Nenner ({_g(n)}/{_g(d)} ergibt "
                                           f"{_g(expect, 2)}; mit Rundung möglich: {_g(span[0], 2)} bis "
                                           f"{_g(span[1], 2)})")
    if len(ctx.problems) > before or month is None or code is None or sex is None:
        return None
    month_text = str(month)
    key = (jc, month_text, code, sex)
    if key in ctx.seen:
        ctx.err(line, None, f"doppelte Zeile: Jobcenter {jc}, {month}, {code}, {_SEX_WORD[sex]} steht schon in "
                            f"Zeile {ctx.seen[key]}")
        return None
    ctx.seen[key] = line
    return OfficialRow(jc, name, vt, month_text, code, sex, nums["numerator"], nums["denominator"], nums["value"])


_SEX_WORD = {"all": "Insgesamt", "f": "Frauen", "m": "Männer"}


def _g(x: float, decimals: int | None = None) -> str:
    from zielwerk.domain import german

    if decimals is None:
        decimals = 0 if float(x).is_integer() else min(4, len(repr(float(x)).split(".")[1]))
    return german.num(x, decimals)


# --- files ------------------------------------------------------------------------------------------

def _csv_lines(path: Path, problems: list[Problem]) -> tuple[Iterator[tuple[int, list[str]]], str, str] | None:
    enc = detect_encoding(path)
    if enc.encoding is None:
        problems.append(Problem(path.name, FILE, NO_COLUMN, enc.reason))
        return None
    if not enc.clean:
        problems.append(Problem(path.name, FILE, NO_COLUMN, f"ungültige Zeichenkodierung "
                                                          f"({ENCODING_LABELS[enc.encoding]})"))
        return None
    text = path.read_text(encoding=enc.encoding)
    lines = text.splitlines()
    head = next((ln for ln in lines if ln.strip()), "")
    # the separator: the one that gives the header row (of any of the first lines) the most fields
    sep = max((";", ","), key=lambda s: max((len(next(csv.reader([ln], delimiter=s), [])) for ln in
                                             lines[:HEADER_SEARCH_ROWS]), default=0))
    if not head:
        problems.append(Problem(path.name, FILE, NO_COLUMN, "Datei ist leer oder die Kopfzeile fehlt"))
        return None
    decimal = "," if sep == ";" else "."
    label = (f"CSV: {SEPARATOR_LABELS[sep]}, {'Dezimalkomma' if decimal == ',' else 'Dezimalpunkt'}, "
             f"{ENCODING_LABELS[enc.encoding]}")

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:  # the whole file in one reader (one line per element: line numbers stay exact)
            parsed = list(csv.reader(lines, delimiter=sep, strict=True))
        except csv.Error:
            parsed = None
        if parsed is not None and len(parsed) == len(lines):
            yield from enumerate(parsed, start=1)
            return
        for i, ln in enumerate(lines, start=1):  # a broken line: line by line, the bad ones marked
            try:
                yield i, next(csv.reader([ln], delimiter=sep, strict=True), [])
            except csv.Error:
                yield i, [_BAD_LINE]
    return rows(), decimal, label


_BAD_LINE = "\x00bad"


def _xlsx_lines(path: Path, problems: list[Problem]) -> tuple[Iterator[tuple[int, list[Any]]], str, str] | None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the user's file
        problems.append(Problem(path.name, FILE, NO_COLUMN, f"Excel-Datei kann nicht gelesen werden ({type(exc).__name__})"))
        return None
    ws = wb.worksheets[0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield i, list(row)
        finally:
            wb.close()
    return rows(), ",", f"Excel: Blatt „{ws.title}“"


def read_official(path: str | Path, today: Month | None = None) -> ReadResult:
    """Read and check the published table ``path`` (``.csv`` or ``.xlsx``); raises
    :class:`OfficialFileInvalid` listing every problem, else every row."""
    path = Path(path)
    problems: list[Problem] = []
    if today is None:
        today = Month.of(date.today())
    if not path.is_file():
        raise OfficialFileInvalid([Problem(path.name, FILE, NO_COLUMN, f"Datei nicht gefunden: {path}")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        opened = _csv_lines(path, problems)
    elif suffix == ".xlsx":
        opened = _xlsx_lines(path, problems)
    else:
        raise OfficialFileInvalid([Problem(path.name, FILE, NO_COLUMN,
                                           f"unbekanntes Dateiformat {path.suffix or '(ohne Endung)'}: "
                                           "erlaubt sind .csv und .xlsx")])
    if opened is None:
        raise OfficialFileInvalid(problems)
    lines, decimal, label = opened
    ctx: _Ctx | None = None
    first_rows: list[tuple[int, list[str]]] = []
    rows: list[OfficialRow] = []
    ignored: list[str] = []
    layout: Layout | None = None
    for lineno, cells in lines:
        if ctx is None:
            if cells == [_BAD_LINE]:
                cells = []
            headers = [_text(c) for c in cells]
            if lineno <= HEADER_SEARCH_ROWS and any(headers):
                first_rows.append((lineno, headers))
                found = _match_layout(headers)
                if found is not None:
                    layout, idx, dup = found
                    ctx = _Ctx(path.name, headers, idx, decimal, today)
                    for msg in dup:
                        ctx.err(lineno, None, f"Kopfzeile: {msg}")
                    used = set(idx.values())
                    ignored = [h for i, h in enumerate(headers) if i not in used and h]
            if ctx is None and lineno >= HEADER_SEARCH_ROWS:
                break
            continue
        if cells == [_BAD_LINE]:
            ctx.err(lineno, None, "Zeile ist kein gültiges CSV (offenes Anführungszeichen)")
            continue
        if all(_text(c) == "" for c in cells):
            continue  # empty lines (and blank rows below an Excel table) carry nothing
        if len(cells) > len(ctx.headers) and any(_text(c) for c in cells[len(ctx.headers):]):
            ctx.err(lineno, None, f"Zeile hat {len(cells)} Felder, die Kopfzeile {len(ctx.headers)}")
            continue
        row = _check_row(ctx, lineno, cells)
        if row is not None:
            rows.append(row)
    if ctx is None:
        if not first_rows:
            raise OfficialFileInvalid([Problem(path.name, FILE, NO_COLUMN, "Datei ist leer oder die Kopfzeile fehlt")])
        raise OfficialFileInvalid([Problem(path.name, *_missing_columns(first_rows)[:1], NO_COLUMN,
                                           _missing_columns(first_rows)[1])])
    if ctx.problems:
        raise OfficialFileInvalid(sorted(ctx.problems, key=lambda p: (p.line, ctx.headers.index(p.column)
                                                                       if p.column in ctx.headers else -1)))
    if not rows:
        raise OfficialFileInvalid([Problem(path.name, FILE, NO_COLUMN, "Die Datei enthält keine Datenzeilen")])
    assert layout is not None
    return ReadResult(rows, layout, label, ignored)
