"""The § 48a SGB II Kennzahlen engine.

``INDICATORS`` (the catalogue, one record per indicator) is importable without DuckDB; the compute
functions load the DuckDB executor on first use (year-to-date values: :mod:`.ytd`).

Public API: :func:`compute_kennzahlen`, :func:`lzb_status`, :func:`jahresfortschritt`,
:func:`jahresfortschritt_years`,
:data:`INDICATORS`, :data:`OFFICIAL_CODES`.
"""

from __future__ import annotations

from typing import Any

from .definitions import BLOCKS, EVENT_BLOCKS, INDICATORS, OFFICIAL_CODES, YTD_CODES, Indicator

__all__ = ["BLOCKS", "EVENT_BLOCKS", "INDICATORS", "OFFICIAL_CODES", "YTD_CODES", "Indicator", "compute_kennzahlen",
           "jahresfortschritt", "jahresfortschritt_years", "lzb_status"]


def __getattr__(name: str) -> Any:
    if name in ("compute_kennzahlen", "lzb_status"):
        from . import engine

        return getattr(engine, name)
    if name in ("jahresfortschritt", "jahresfortschritt_years"):
        from . import ytd

        return getattr(ytd, name)
    raise AttributeError(name)
