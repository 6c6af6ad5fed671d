"""Shared fixtures. Area-specific fixtures live in each test folder's conftest.py.

``siegen_dir`` / ``siegen_dataset``: the synthetic Siegen-Wittgenstein dataset (seed 1), generated
once per machine into ``.cache/testdata`` (guarded by a file lock so parallel pytest workers share
one generation) and loaded through the real reader and validator.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("ZIELWERK_TEST_CACHE", ROOT / ".cache" / "testdata"))
SIEGEN_SEED = 1


def _generated(scenario: str, seed: int) -> Path:
    from zielwerk.data.synth import GENERATOR_VERSION, generate

    out = CACHE / f"{scenario}-seed{seed}-v{GENERATOR_VERSION}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{scenario}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".complete").exists():
            generate(scenario, out, seed=seed)
            (out / ".complete").write_text("ok")
    return out


@pytest.fixture(scope="session")
def siegen_dir() -> Path:
    return _generated("siegen-wittgenstein", SIEGEN_SEED)


@pytest.fixture(scope="session")
def siegen_dataset(siegen_dir):
    from zielwerk.data.reader import load_dataset

    return load_dataset(siegen_dir)
