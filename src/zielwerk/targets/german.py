"""German display formats (1.234,5; 15.09.2016) used in messages and reports."""

from __future__ import annotations

from datetime import date

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
               "Oktober", "November", "Dezember")
MONTH_ABBR = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")


def num(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    """``1234.56`` → ``1.234,6``; ``None`` → ``–``."""
    if value is None:
        return "–"
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".").replace("-", "−")


def pct(value: float | None, decimals: int = 1, sign: bool = False) -> str:
    return "–" if value is None else num(value, decimals, sign) + " %"


def day(d: date | None) -> str:
    return "–" if d is None else d.strftime("%d.%m.%Y")


def month_name(month: int, year: int | None = None) -> str:
    name = MONTH_NAMES[month - 1]
    return f"{name} {year}" if year is not None else name
