"""Bridge to the indicator catalogue of ``zielwerk.indicators`` (names, definitions, sources)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    numerator: str
    denominator: str
    time_logic: str
    source: str
    value_kind: str  # percent | change | count
    official: bool


@functools.cache
def catalogue() -> dict[str, IndicatorInfo]:
    """The engine's catalogue as display records (empty if the engine is not installed)."""
    try:
        from zielwerk.indicators import INDICATORS
    except ImportError:
        return {}
    out = {}
    for code, i in INDICATORS.items():
        out[code] = IndicatorInfo(
            code=code, name=_a(i, "name", code), numerator=_a(i, "numerator_text", ""),
            denominator=_a(i, "denominator_text", ""), time_logic=_a(i, "time_logic", ""),
            source=_a(i, "source", ""), value_kind=_a(i, "value", "percent"), official=_a(i, "official", True),
        )
    return out


def _a(obj: Any, name: str, default: Any) -> Any:
    return getattr(obj, name, default)


def label(code: str) -> str:
    info = catalogue().get(code)
    return f"{code} – {info.name}" if info else code
