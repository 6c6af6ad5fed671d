"""German texts of the peer comparison (value with unit, distance to the best quartile in persons)."""

from __future__ import annotations

from zielwerk.domain import german
from zielwerk.indicators.definitions import CHANGE, INDICATORS

from .stats import Position

#: what the numerator counts, in the plural (for "92 Integrationen mehr …")
NUMERATOR_NOUN: dict[str, str] = {
    "K1": "€ Leistungen zum Lebensunterhalt",
    "K1E1": "€ Leistungen für Unterkunft und Heizung",
    "K1E2": "eLb",
    "K1E3": "eLb-Zugänge",
    "K1E4": "eLb-Abgänge",
    "K2": "Integrationen",
    "K2E1": "Eintritte in geringfügige Beschäftigung",
    "K2E2": "Eintritte in öffentlich geförderte Beschäftigung",
    "K2E3": "nachhaltige Integrationen",
    "K2E4": "Integrationen von Alleinerziehenden",
    "K3": "LZB",
    "K3E1": "Integrationen von LZB",
    "K3E2": "LZB in Maßnahmen",
    "K3E3": "LZB-Zugänge",
    "K3E4": "LZB-Abgänge",
}


def value_text(code: str, value: float | None) -> str:
    """A published value in its unit: rates "25,3 %", change rates with sign "−2,0 %"."""
    ind = INDICATORS.get(code)
    change = ind is not None and ind.value == CHANGE
    return german.pct(value, 1, sign=change)


def distance_text(pos: Position) -> str:
    """E.g. "92 Integrationen mehr wären das obere Quartil" or "im besten Quartil"."""
    d = pos.to_best_quartile
    if pos.better is None:
        return "Kennzahl ohne Zielrichtung: kein bestes Quartil"
    if pos.value is None or pos.distribution is None:
        return "kein Wert"
    which = "obere" if pos.better == "higher" else "untere"
    if d is None:
        return f"Abstand zum {which}n Quartil nicht bestimmbar (Zähler oder Nenner fehlt)"
    if d == 0:
        return f"im besten Quartil ({which}s Quartil {value_text(pos.indicator, pos.best_quartile)} erreicht)"
    noun = NUMERATOR_NOUN.get(pos.indicator, "Personen")
    amount = german.integer(abs(d))
    if noun.startswith("€"):
        amount, noun = amount + " €", noun[2:]
    more = "mehr" if d > 0 else "weniger"
    return f"{amount} {noun} {more} wären das {which} Quartil ({value_text(pos.indicator, pos.best_quartile)})"
