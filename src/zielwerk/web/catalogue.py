"""Bridge to the indicator catalogue of ``zielwerk.indicators``: each record as a display record
(JSON-ready for the API), every field read from the record itself."""

from __future__ import annotations

import functools
from dataclasses import dataclass

_DIRECTION_TEXT = {"higher": "höher ist besser", "lower": "niedriger ist besser", None: "ohne Richtung"}


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    numerator: str
    denominator: str
    time_logic: str
    source: str
    value_kind: str  # percent | change | count | ratio
    official: bool
    #: display unit of the value (%, €, Personen, Bedarfe) and of differences (Prozentpunkte for rates)
    unit: str
    difference_unit: str
    #: German: which direction is better
    direction: str
    by_sex: bool
    #: German description of the year-to-date value ("" if none)
    year_to_date: str
    #: the monthly value is a rolling 12-month value (labelled "gleitend (12 Monate)" where the
    #: year-to-date value can appear too, issue 13 item 6)
    rolling: bool = False
    #: unit of numerator and denominator: € for payments, else persons (needs)
    amount_unit: str = "Personen"


@functools.cache
def catalogue() -> dict[str, IndicatorInfo]:
    """The engine's catalogue as display records."""
    from zielwerk.indicators import INDICATORS

    return {
        code: IndicatorInfo(
            code=code, name=i.name, numerator=i.numerator_text, denominator=i.denominator_text,
            time_logic=i.time_logic, source=i.source, value_kind=i.shown_value, official=i.official, unit=i.unit,
            difference_unit=i.difference_unit, direction=_DIRECTION_TEXT[i.better], by_sex=i.by_sex,
            year_to_date=i.ytd.text if i.ytd is not None else "",
            rolling="gleitend" in i.time_logic,
            amount_unit="€" if i.measure == "money" else ("Bedarfe" if i.measure == "needs" else "Personen"),
        )
        for code, i in INDICATORS.items()
    }


def label(code: str) -> str:
    info = catalogue().get(code)
    return f"{code} – {info.name}" if info else code
