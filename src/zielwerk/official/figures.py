"""One published Kennzahl cell and the vocabulary of the official table (no I/O)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from zielwerk.indicators.definitions import CHANGE, INDICATORS

#: the statistics office publishes the official indicators only (K1 … K3E4), never the local ones
OFFICIAL_CODES: tuple[str, ...] = tuple(code for code, ind in INDICATORS.items() if ind.official and ind.monthly)
#: sex values of the indicator output (data-contract.md)
SEXES = ("all", "f", "m")
#: months the statistics office waits before publishing a month (Wartezeit, C11)
WAITING_MONTHS = 3


@dataclass(frozen=True)
class OfficialRow:
    """One published cell: Jobcenter, month, indicator, sex; ``value`` in percent as published."""

    jobcenter_id: str
    jobcenter_name: str
    vergleichstyp: str | None
    month: str  # YYYY-MM
    indicator: str
    sex: str  # all | f | m
    numerator: float | None
    denominator: float | None
    value: float | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.jobcenter_id, self.month, self.indicator, self.sex)

    def as_dict(self) -> dict:
        return asdict(self)


def by_sex(code: str) -> bool:
    """The indicator is published by sex (money indicators K1, K1E1 are not)."""
    return INDICATORS[code].by_sex


def value_of(code: str, numerator: float | None, denominator: float | None) -> float | None:
    """The value (percent) the definition gives for numerator and denominator: num/den·100 for quotas,
    (num/den − 1)·100 for change rates (K1, K1E1, K1E2, K3); None where the denominator is 0 or missing."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    ratio = numerator / denominator
    return (ratio - 1) * 100 if code in _CHANGE_CODES else ratio * 100


_CHANGE_CODES = frozenset(c for c, ind in INDICATORS.items() if ind.value == CHANGE)
