"""Shared fixtures. Area-specific fixtures live in each test folder's conftest.py.

``siegen_dir`` / ``siegen_dataset``: the synthetic Siegen-Wittgenstein dataset (seed 1), generated
once per machine into ``.cache/testdata`` (guarded by a file lock so parallel pytest workers share
one generation) and loaded through the real reader and validator.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("ZIELWERK_TEST_CACHE", ROOT / ".cache" / "testdata"))
SIEGEN_SEED = 1


def _generated(scenario: str, seed: int, scale: float | None = None) -> Path:
    """A synthetic dataset generated once per machine into the test cache (a lock per scenario and scale)."""
    from zielwerk.synth import GENERATOR_VERSION, generate

    tag = f"{scenario}-seed{seed}" if scale is None else f"{scenario}-scale{scale}-seed{seed}"
    out = CACHE / f"{tag}-v{GENERATOR_VERSION}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f".{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".complete").exists():
            generate(scenario, out, seed=seed, **({} if scale is None else {"scale": scale}))
            (out / ".complete").write_text("ok")
    return out


#: the small national dataset of the peer and official-table tests (407 Jobcenters)
GERMANY_SMALL_SCALE = 0.002


@pytest.fixture(scope="session")
def germany_small_dir() -> Path:
    return _generated("germany", SIEGEN_SEED, GERMANY_SMALL_SCALE)


@pytest.fixture(scope="session")
def siegen_dir() -> Path:
    return _generated("siegen-wittgenstein", SIEGEN_SEED)


@pytest.fixture(scope="session")
def siegen_dataset(siegen_dir):
    from zielwerk.data.reader import load_dataset

    return load_dataset(siegen_dir)


# --- browser tests (Playwright on Debian's Chromium, never skipped: scripts/setup.d installs it) ----------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(data_dir: Path) -> Iterator[str]:
    """Serve the web app on ``data_dir`` with uvicorn in a subprocess on a free loopback port; yields the URL."""
    import socket
    import subprocess
    import sys
    import time

    port = _free_port()
    code = ("import uvicorn; from pathlib import Path; from zielwerk.web import create_app, WebConfig; "
            f"uvicorn.run(create_app(WebConfig(data_dir=Path({str(data_dir)!r}))), host='127.0.0.1', "
            f"port={port}, log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ})
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def serve_app():
    """The :func:`running_app` context manager, for module fixtures that start a server."""
    return running_app


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "run scripts/test-setup.sh (installs Debian's chromium)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
