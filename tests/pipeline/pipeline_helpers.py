"""Helpers of the pipeline tests: small source datasets, the CLI and the worker as subprocesses."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "data_io" / "corpus" / "base"
PASSWORD = "Pipeline-Test-2016"


def make_source(folder: Path, as_of: str = "2017-12-31") -> Path:
    """A copy of the small corpus dataset; ``as_of`` distinguishes two datasets (and their results)."""
    shutil.copytree(BASE, folder)
    (folder / "dataset.toml").write_text(f"as_of = {as_of}\nstichtag_day = 15\n", "utf-8")
    return folder


def tree_hashes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def cli(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """``zielwerk ARGS`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-c", "from zielwerk.cli import main; main()", *args],
                          check=False, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=timeout)


def worker(source: Path, data: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """The pipeline worker (``python -m zielwerk.pipeline``) as a child process."""
    return subprocess.Popen([sys.executable, "-m", "zielwerk.pipeline", str(source), "--data", str(data), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def status(data: Path) -> dict:
    r = cli("status", "--data", str(data), "--json")
    assert r.returncode in (0, 1), r.stderr
    return json.loads(r.stdout)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"worker ended ({proc.returncode}) before {path.name}: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not appear")
        time.sleep(0.05)


def leftovers(data: Path) -> list[str]:
    return sorted(str(p.relative_to(data)) for p in data.rglob("*") if ".tmp-" in p.name or ".old-" in p.name)


def served_generation(data: Path) -> str | None:
    """Start a fresh web app on ``data`` (a restart), log in and read the generation the Daten page shows."""
    from fastapi.testclient import TestClient

    from zielwerk.store import users
    from zielwerk.web import WebConfig, create_app

    app = create_app(WebConfig(data_dir=data))
    try:
        with app.state.sessions.begin() as s:
            if users.by_name(s, "ctrl") is None:
                users.create_user(s, "ctrl", PASSWORD, "controlling")
        with TestClient(app, base_url="https://testserver") as c:
            token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/anmelden").text).group(1)
            r = c.post("/anmelden", data={"username": "ctrl", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False)
            assert r.status_code == 303, r.text
            page = c.get("/daten")
            assert page.status_code == 200
            m = re.search(r"<dt>Generation</dt><dd><code>([^<]+)</code>", page.text)
            shown = m.group(1) if m else None
            k = c.get("/kennzahlen")
            assert k.status_code == 200
        return None if shown in (None, "–") else shown
    finally:
        app.state.engine.dispose()
