"""Fixtures of the official-figures tests: a migrated SQLite store per test and file writers."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def sessions(tmp_path: Path):
    from zielwerk.store import open_store

    engine, factory = open_store(f"sqlite:///{tmp_path / 'zielwerk.db'}")
    yield factory
    engine.dispose()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path
