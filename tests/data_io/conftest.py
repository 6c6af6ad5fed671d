"""Fixtures of the data_io tests: the hand-written corpus under ``corpus/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"


def assemble_case(name: str, target: Path) -> Path:
    """Copy the valid base dataset to ``target`` and apply case ``name`` (replace files, delete some)."""
    shutil.copytree(CORPUS / "base", target)
    for f in sorted((CORPUS / "cases" / name).iterdir()):
        if f.name == "DELETE":
            for victim in f.read_text().split():
                (target / victim).unlink()
        else:
            shutil.copy(f, target / f.name)
    return target


@pytest.fixture
def corpus() -> Path:
    return CORPUS
