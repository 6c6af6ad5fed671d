"""Reporting months and statistical reference days (Stichtage).

Convention C1 (docs/domain.md § 3): stocks are counted at the Stichtag S_t of month t (default the
15th, configurable per dataset); flows of month t are events in the half-open interval
(S_{t-1}, S_t].
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_STICHTAG_DAY = 15


@dataclass(frozen=True, order=True, slots=True)
class Month:
    """A calendar month, e.g. ``Month(2016, 9)``; ``str()`` gives ``2016-09``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"Ungültiger Monat: {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``."""
        try:
            y, m = text.strip().split("-")
            if len(y) != 4 or len(m) != 2:
                raise ValueError
            return cls(int(y), int(m))
        except ValueError:
            raise ValueError(f"Ungültige Monatsangabe {text!r} (erwartet JJJJ-MM)") from None

    @classmethod
    def of(cls, d: date) -> Month:
        return cls(d.year, d.month)

    @property
    def index(self) -> int:
        """Months since year 0; differences of indices are month distances."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Month:
        return cls(index // 12, index % 12 + 1)

    def __add__(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    def __sub__(self, other: int | Month):  # type: ignore[override]
        if isinstance(other, Month):
            return self.index - other.index
        return Month.from_index(self.index - other)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        return date(self.year, self.month, _cal.monthrange(self.year, self.month)[1])

    def stichtag(self, day: int = DEFAULT_STICHTAG_DAY) -> date:
        """S_t: the reference day of this month (clamped to the month's last day)."""
        return stichtag(self, day)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def stichtag(month: Month, day: int = DEFAULT_STICHTAG_DAY) -> date:
    """The Stichtag S_t of ``month`` (C1). A day beyond the month's length gives its last day."""
    if not 1 <= day <= 31:
        raise ValueError(f"Ungültiger Stichtag-Tag: {day}")
    last = _cal.monthrange(month.year, month.month)[1]
    return date(month.year, month.month, min(day, last))


def flow_window(month: Month, day: int = DEFAULT_STICHTAG_DAY) -> tuple[date, date]:
    """The flow window of ``month`` as inclusive dates: (S_{t-1} + 1 day, S_t) (C1)."""
    return stichtag(month - 1, day) + timedelta(days=1), stichtag(month, day)


def month_of_day(d: date, day: int = DEFAULT_STICHTAG_DAY) -> Month:
    """The reporting month whose flow window (S_{t-1}, S_t] contains ``d``."""
    m = Month.of(d)
    return m if d <= stichtag(m, day) else m + 1


def months(first: Month, last: Month) -> Iterator[Month]:
    """All months from ``first`` to ``last`` inclusive."""
    for i in range(first.index, last.index + 1):
        yield Month.from_index(i)
