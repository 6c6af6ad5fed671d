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


# --- units (issue 13 item 6): one convention per unit, used by web, report and CLI ------------------
#
# Convention (docs/units.md):
#   rate (quota, %)              one decimal, "25,3 %"
#   change rate (K1, K3: %)      one decimal with sign, "+0,4 %" / "−2,0 %"
#   difference of two rates      one decimal with sign in percentage points, "−0,3 Pp."
#   amount (€)                   whole euros, "1.234.567 €"
#   count (persons, needs)       whole numbers, "1.234 Personen"
#   difference of counts/amounts with sign, "+12 Personen", "−1.000 €"

POINTS = "Pp."
#: display unit (zielwerk.indicators.definitions UNIT_*) → abbreviation shown after a number
UNIT_ABBR = {"%": "%", "Prozentpunkte": POINTS, "€": "€", "Personen": "Personen", "Bedarfe": "Bedarfe"}


def points(value: float | None, decimals: int = 1, sign: bool = True) -> str:
    """A difference of two rates in percentage points: ``-0.34`` → ``−0,3 Pp.``."""
    return MISSING if value is None or _nan(value) else num(value, decimals, sign) + " " + POINTS


def euro(value: float | None, sign: bool = False) -> str:
    """``1234567.4`` → ``1.234.567 €``."""
    return MISSING if value is None or _nan(value) else num(value, 0, sign) + " €"


def persons(value: float | None, sign: bool = False, unit: str = "Personen") -> str:
    """``1234`` → ``1.234 Personen``."""
    return MISSING if value is None or _nan(value) else num(value, 0, sign) + " " + unit


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def with_unit(value: float | None, unit: str, change_rate: bool = False, sign: bool | None = None) -> str:
    """A value in its display unit (``%``, ``€``, ``Personen``, ``Bedarfe``, ``Prozentpunkte``).

    ``change_rate``: the % value is a rate of change (K1, K3) and carries its sign."""
    if unit == "%":
        return pct(None if value is None or _nan(value) else value, 1, change_rate if sign is None else sign)
    if unit in ("Prozentpunkte", POINTS):
        return points(value, 1, True if sign is None else sign)
    if unit == "€":
        return euro(value, bool(sign))
    return persons(value, bool(sign), unit)


def difference(value: float | None, unit: str) -> str:
    """A difference of two values of ``unit``: rates in percentage points, others in their unit, with sign."""
    if unit in ("%", "Prozentpunkte", POINTS):
        return points(value)
    return with_unit(value, unit, sign=True)
