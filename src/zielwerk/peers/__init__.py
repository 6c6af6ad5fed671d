"""Vergleichstyp peers (issue 14 item 3): a Jobcenter's published figures beside those of the other
Jobcenters of its Vergleichstyp (§ 7 of the Kennzahlen regulation), and its nearest neighbours by
structural features. Pure: rows of the official figures in, numbers and German texts out (no
database, no web); :mod:`zielwerk.store.peers` reads the rows from the store.
"""

from __future__ import annotations

from .neighbours import FEATURES, Neighbour, Profile, nearest, profiles, zscores
from .stats import (
    BandPoint,
    Comparison,
    Distribution,
    Entry,
    Position,
    band,
    best_quartile,
    compare,
    distance_to,
    position,
    previous_year,
    quantile,
    rank,
)
from .text import distance_text, value_text

__all__ = ["FEATURES", "BandPoint", "Comparison", "Distribution", "Entry", "Neighbour", "Position", "Profile",
           "band", "best_quartile", "compare", "distance_text", "distance_to", "nearest", "position",
           "previous_year", "profiles", "quantile", "rank", "value_text", "zscores"]
