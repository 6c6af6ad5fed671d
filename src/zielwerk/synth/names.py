"""Synthetic person names (``persons.first_name``/``last_name``, docs/data.md, "Person names").

Clearly synthetic combinations: a first name drawn uniformly from a short list of common German first
names of the person's sex (sex ``d``: from both lists), a surname drawn independently from a short list
of common German surnames. The draws use their own random generator (the caller passes one seeded apart
from every other stream), so every other table and every other column stays byte-identical.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

FIRST_NAMES_F = ("Anna", "Maria", "Julia", "Laura", "Sarah", "Lena", "Katharina", "Lisa", "Sabine", "Petra",
                 "Monika", "Claudia", "Andrea", "Stefanie", "Nicole", "Sandra", "Jana", "Sophie", "Emma",
                 "Hannah")
FIRST_NAMES_M = ("Thomas", "Michael", "Andreas", "Stefan", "Peter", "Christian", "Markus", "Daniel", "Jan",
                 "Lukas", "Tobias", "Alexander", "Jürgen", "Frank", "Uwe", "Klaus", "Jonas", "Felix", "Paul",
                 "Leon")
SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
            "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
            "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner",
            "Schmitz", "Krause", "Meier")

__all__ = ["FIRST_NAMES_F", "FIRST_NAMES_M", "SURNAMES", "person_names"]


def person_names(sex: pa.Array | pa.ChunkedArray | list, rng: np.random.Generator) -> tuple[pa.Array, pa.Array]:
    """(first names, last names) for persons of the given sexes (codes ``f``/``m``/``d``)."""
    sexes = np.asarray(pa.array(sex).to_pylist() if not isinstance(sex, list) else sex, dtype=object)
    n = len(sexes)
    f = np.array(FIRST_NAMES_F, dtype=object)
    m = np.array(FIRST_NAMES_M, dtype=object)
    both = np.concatenate([f, m])
    pick_f = f[rng.integers(0, len(f), n)]
    pick_m = m[rng.integers(0, len(m), n)]
    pick_d = both[rng.integers(0, len(both), n)]
    first = np.where(sexes == "f", pick_f, np.where(sexes == "m", pick_m, pick_d))
    last = np.array(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
    return pa.array(first.tolist(), pa.string()), pa.array(last.tolist(), pa.string())
