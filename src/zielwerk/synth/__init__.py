"""Synthetic datasets (issue 2, parts 3 and 4).

``generate(scenario, out, seed=1, scale=1.0)`` writes a complete dataset folder:

- ``siegen-wittgenstein``: a microsimulation of the Jobcenter Kreis Siegen-Wittgenstein, January 2012 to
  December 2017, all core and casework tables, canonical CSV (``scale`` is ignored);
- ``germany``: about 400 Jobcenters, vectorised, Parquet; ``scale`` = 1.0 gives about 4.3 million eLb.

Both also write the official Kennzahlen table ``amtliche-kennzahlen.csv`` (:mod:`.official`).

The same scenario, seed and generator version give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

#: Bumped whenever the output for a given seed changes (cache key of the test fixtures).
GENERATOR_VERSION = "13"

SCENARIOS = ("siegen-wittgenstein", "germany")


def generate(scenario: str, out: Path, seed: int = 1, scale: float = 1.0) -> None:
    """Write the synthetic dataset ``scenario`` into the folder ``out``."""
    out = Path(out)
    if scenario == "siegen-wittgenstein":
        from . import siegen

        ds = siegen.write(out, seed=seed)
        from . import official  # amtliche-kennzahlen.csv: own series and the Vergleichstyp's peers (issue 14)

        official.write_siegen(out, ds, seed)
    elif scenario == "germany":
        from . import germany

        germany.write(out, seed=seed, scale=scale)
        from . import official  # amtliche-kennzahlen.csv for every Jobcenter (issue 14)

        official.write_germany(out, seed)
    else:
        raise ValueError(
            f"Unbekanntes Szenario {scenario!r}; verfügbar: {', '.join(SCENARIOS)}"
        )


__all__ = ["GENERATOR_VERSION", "SCENARIOS", "generate"]
