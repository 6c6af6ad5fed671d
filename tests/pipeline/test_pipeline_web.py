"""The web app's imports run the pipeline in a worker process: progress, refusal while another import
runs (HTTP 409), the decompression bomb refused by the worker without the web process growing."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pipeline_helpers import PASSWORD, make_source, status, worker

from zielwerk.pipeline import generations as gen
from zielwerk.pipeline.run import PAUSE_ENV, PAUSE_MARKER
from zielwerk.store import users
from zielwerk.web import WebConfig, create_app


@pytest.fixture
def web(tmp_path):
    data = tmp_path / "daten"
    app = create_app(WebConfig(data_dir=data, import_root=tmp_path))
    with app.state.sessions.begin() as s:
        users.create_user(s, "ctrl", PASSWORD, "controlling")
    c = TestClient(app, base_url="https://testserver")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/anmelden").text).group(1)
    assert c.post("/anmelden", data={"username": "ctrl", "password": PASSWORD, "csrf_token": token},
                  follow_redirects=False).status_code == 303
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/daten").text).group(1)
    yield app, c, csrf, data
    c.close()
    app.state.engine.dispose()


def _wait(app, timeout=600):
    deadline = time.time() + timeout
    while app.state.batch.running and time.time() < deadline:
        time.sleep(0.2)
    assert not app.state.batch.running


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_folder_import_runs_in_a_worker_and_publishes_one_generation(web, tmp_path):
    app, c, csrf, data = web
    src = make_source(tmp_path / "quelle")
    r = c.post("/daten/ordner", data={"folder": str(src), "csrf_token": csrf})
    assert r.status_code == 202 and "Läuft" in r.text
    _wait(app)
    assert app.state.batch.error is None, (app.state.batch.error, app.state.batch.problems[:5])
    live = gen.live_id(data)
    assert live is not None and app.state.batch.generation == live
    page = c.get("/daten").text
    assert live in page and "31.12.2017" in page
    assert "ist freigeschaltet" in c.get("/daten/status").text
    assert status(data)["consistent"] is True
    # recompute from the live dataset copy: a new generation of the same dataset
    r = c.post("/daten/berechnen", data={"csrf_token": csrf})
    assert r.status_code == 202
    _wait(app)
    assert app.state.batch.error is None
    assert gen.live_id(data) != live
    assert gen.generation_ids(data) == sorted([live, gen.live_id(data)])
    fingerprints = {gen.Generation(g, gen.generations_dir(data) / g).manifest()["dataset"]["fingerprint"]
                    for g in gen.generation_ids(data)}
    assert len(fingerprints) == 1  # the same dataset copy
    assert not list((gen.state_dir(data) / gen.IMPORTS).glob("*"))
    assert not list(gen.staging_dir(data).glob("*.progress.*"))


def test_a_second_import_is_refused_with_409_while_the_cli_imports(web, tmp_path):
    _app, c, csrf, data = web
    src = make_source(tmp_path / "quelle")
    p = worker(src, data, env={PAUSE_ENV: "kennzahlen"})
    marker = gen.state_dir(data) / PAUSE_MARKER
    deadline = time.time() + 300
    while not marker.exists():
        assert p.poll() is None and time.time() < deadline
        time.sleep(0.05)
    try:
        r = c.post("/daten/ordner", data={"folder": str(src), "csrf_token": csrf})
        assert r.status_code == 409
        assert "Es läuft bereits ein Import" in r.text and f"Prozess {p.pid}" in r.text
        assert c.post("/daten/berechnen", data={"csrf_token": csrf}).status_code == 409
    finally:
        p.kill()
        p.wait()


def test_decompression_bomb_is_refused_by_the_worker_and_the_web_process_does_not_grow(web, tmp_path):
    app, c, csrf, data = web
    bomb = tmp_path / "bombe" / "payments.parquet"
    bomb.parent.mkdir()
    # written by another process: 10 million identical rows, a few hundred KB on disk
    subprocess.run([sys.executable, "-c", f"""
import pyarrow as pa, pyarrow.parquet as pq
n = 10_000_000
t = pa.table({{"bg_id": pa.array(["BG000001"] * n), "month": pa.array(["2016-01"] * n),
              "amount": pa.array([1.0] * n)}})
pq.write_table(t, {str(bomb)!r}, compression="zstd")
"""], check=True)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    before = _rss_mb()
    with open(bomb, "rb") as f:
        r = c.post("/daten/hochladen", files=[("files", ("payments.parquet", f.read(), "application/octet-stream"))],
                   data={"csrf_token": csrf})
    assert r.status_code == 202
    _wait(app)
    after = _rss_mb()
    state = app.state.batch
    assert state.error is not None and "abgelehnt" in state.error
    assert "payments.parquet: Die Datei enthält 10.000.000 Zeilen; erlaubt sind höchstens 5.000.000" in state.error
    assert after - before < 100, (before, after)
    assert gen.live_id(data) is None  # nothing published
    assert not list((gen.state_dir(data) / gen.IMPORTS).glob("*"))


def test_a_request_reads_one_generation_even_if_the_pointer_switches_meanwhile(tmp_path):
    import asyncio
    import json

    from zielwerk.web.results import GenerationSnapshot, Results, lists_dir

    data = tmp_path / "daten"

    def publish(tag: str) -> str:
        return gen.publish_parts(data, {
            "results": lambda d: (d / "meta.json").write_text(json.dumps({"tag": tag}), "utf-8"),
            "lists": lambda d: (d / "meta.json").write_text(json.dumps({"tag": tag}), "utf-8"),
        }).id

    first = publish("alt")
    results = Results(data)
    seen = {}

    async def page(scope, receive, send):
        seen["before"] = (results.meta()["tag"], results.generation())
        seen["switched_to"] = publish("neu")  # an import finishes while the request runs
        seen["after"] = (results.meta()["tag"], results.generation(),
                         json.loads((lists_dir(data) / "meta.json").read_text())["tag"])

    asyncio.run(GenerationSnapshot(page, data)({"type": "http"}, None, None))
    second = seen["switched_to"]
    assert seen["before"] == ("alt", first)
    assert seen["after"] == ("alt", first, "alt")
    # the next request sees the new generation
    asyncio.run(GenerationSnapshot(page, data)({"type": "http"}, None, None))
    assert seen["before"] == ("neu", second)
