"""German display formats, defined once: numbers 1.234,5, percentages, dates 15.09.2016, month names.

Used by every place that shows something to a user (CLI messages, reports, web pages, exports).
Pure functions; no locale settings are touched.
"""

from __future__ import annotations

import math
from datetime import date

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
               "Oktober", "November", "Dezember")
MONTH_ABBR = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
MISSING = "–"
TYPOGRAPHIC_MINUS = "−"


def num(value: float | None, decimals: int = 1, sign: bool = False, minus: str = TYPOGRAPHIC_MINUS) -> str:
    """``1234.56`` → ``1.234,6``; ``None``/NaN → ``–``. ``minus="-"`` for machine-read exports."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".").replace("-", minus)


def integer(value: float | None, minus: str = TYPOGRAPHIC_MINUS) -> str:
    """``1234567`` → ``1.234.567``."""
    return num(value, 0, minus=minus)


def pct(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """``25.23`` → ``25,2 %``."""
    return MISSING if value is None else num(value, decimals, sign) + " %"


def day(d: date | None) -> str:
    """``date(2016, 9, 15)`` → ``15.09.2016``."""
    return MISSING if d is None else d.strftime("%d.%m.%Y")


def month_name(month: int, year: int | None = None) -> str:
    """``9, 2016`` → ``September 2016``."""
    name = MONTH_NAMES[month - 1]
    return f"{name} {year}" if year is not None else name
