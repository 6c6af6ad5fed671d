"""Shared helpers for the targets tests: a small valid agreement text."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "siegen-wittgenstein-2016" / "ziele.toml"

SMALL_FILE = Path(__file__).resolve().parent / "data" / "klein.toml"
SMALL = SMALL_FILE.read_text(encoding="utf-8")


@pytest.fixture
def small_text() -> str:
    return SMALL


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``fragment`` (independent of the parser)."""
    seen = 0
    for no, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return no
    raise AssertionError(f"{fragment!r} not in text")
