"""The § 48a SGB II Kennzahlen engine.

``INDICATORS`` (the catalogue) is importable without DuckDB; the compute functions load the
DuckDB executor on first use.

Public API: :func:`compute_kennzahlen`, :func:`lzb_status`, :func:`jahresfortschritt`,
:data:`INDICATORS`, :data:`OFFICIAL_CODES`.
"""

from __future__ import annotations

from typing import Any

from .definitions import BLOCKS, EVENT_BLOCKS, INDICATORS, OFFICIAL_CODES, Indicator

__all__ = ["BLOCKS", "EVENT_BLOCKS", "INDICATORS", "OFFICIAL_CODES", "Indicator", "compute_kennzahlen",
           "jahresfortschritt", "lzb_status"]


def __getattr__(name: str) -> Any:
    if name in ("compute_kennzahlen", "lzb_status", "jahresfortschritt"):
        from . import engine

        return getattr(engine, name)
    raise AttributeError(name)
