"""Zielwerk: target steering for German Jobcenters (SGB II)."""

__version__ = "0.1.0"
