"""Fault injection: the pipeline worker is killed (kill -9) at every step boundary and at random moments
during the writes. After each kill ``zielwerk status --json`` reports a consistent generation that is
the old or the new one (never a mix), a restarted web app serves it, and after the next start-up no
staging or temporary leftovers remain. Two imports started at once: one is refused."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest
from pipeline_helpers import leftovers, make_source, served_generation, status, worker

from zielwerk.pipeline import generations as gen
from zielwerk.pipeline.run import PAUSE_ENV, PAUSE_MARKER, STEP_KEYS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    root = tmp_path_factory.mktemp("quellen")
    return make_source(root / "a", "2017-12-31"), make_source(root / "b", "2017-11-30")


def _import(src, data) -> str:
    p = worker(src, data)
    _out, err = p.communicate(timeout=600)
    assert p.returncode == 0, err
    return gen.live_id(data)


def _assert_old_or_new(data, old: str | None, old_fp: str | None, new_fp: str) -> str | None:
    st = status(data)
    assert st["consistent"] is True, st["problems"]
    if st["generation"] == old:
        assert st["fingerprint"] == old_fp
    else:  # the new generation went live completely
        assert st["generation"] is not None and st["fingerprint"] == new_fp, st
    assert served_generation(data) == st["generation"]  # a restarted web app serves exactly that one
    assert leftovers(data) == []  # the restart (web app start-up) removed what the kill left
    assert not gen.staging_dir(data).exists()
    return st["generation"]


@pytest.mark.parametrize("step", [*STEP_KEYS, "umschalten-zeiger"])
def test_kill_at_every_step_boundary(step, sources, tmp_path):
    a, b = sources
    data = tmp_path / "daten"
    old = _import(a, data)
    old_fp = gen.live_generation(data).manifest()["dataset"]["fingerprint"]
    p = worker(b, data, env={PAUSE_ENV: step})
    marker = gen.state_dir(data) / PAUSE_MARKER
    deadline = time.monotonic() + 600
    while not (marker.exists() and marker.read_text().startswith(step + " ")):
        assert p.poll() is None, p.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    marker.unlink()
    live = _assert_old_or_new(data, old, old_fp, "")
    # every pause point lies before the pointer switch: the old generation is still live
    assert live == old
    # and the next import goes through
    new = _import(b, data)
    assert new != old and status(data)["consistent"]


def test_kill_at_random_moments(sources, tmp_path):
    a, b = sources
    data = tmp_path / "daten"
    _import(a, data)
    rng = random.Random(10)
    # how long a whole import takes here (the machine is shared: measured, not assumed)
    t0 = time.monotonic()
    _import(b, data)
    full = time.monotonic() - t0
    srcs = [a, b]
    for i in range(6):
        old = gen.live_id(data)
        old_fp = gen.live_generation(data).manifest()["dataset"]["fingerprint"]
        new_src = srcs[i % 2]
        new_fp = None
        p = worker(new_src, data)
        time.sleep(rng.uniform(0.3 * full, 1.05 * full))
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        from zielwerk.pipeline.run import copy_fingerprint

        new_fp = copy_fingerprint(new_src)
        _assert_old_or_new(data, old, old_fp, new_fp)


def test_two_imports_started_at_once_one_is_refused(sources, tmp_path):
    a, b = sources
    data = tmp_path / "daten"
    data.mkdir()
    procs = [worker(a, data), worker(b, data)]
    results = [(p.wait(timeout=600), p.stderr.read()) for p in procs]
    codes = sorted(rc for rc, _ in results)
    assert codes == [0, 3], results
    refused = next(err for rc, err in results if rc == 3)
    assert "Es läuft bereits ein Import" in refused
    assert status(data)["consistent"] is True
    assert len(gen.generation_ids(data)) == 1


def test_ten_imports_leave_no_leftovers_and_at_most_two_generations(sources, tmp_path):
    from zielwerk.pipeline import run_import

    a, b = sources
    data = tmp_path / "daten"
    ids = []
    for i in range(10):
        ids.append(run_import([a, b][i % 2], data).generation)
        assert leftovers(data) == []
        assert gen.generation_ids(data) == sorted(ids[-2:])
    assert len(set(ids)) == 10
    # the two dataset copies (a, b) are referenced by the two kept generations; nothing else is stored
    assert len(list(gen.datasets_dir(data).iterdir())) == 2
    assert sorted(p.name for p in gen.state_dir(data).iterdir()) == ["datasets", "generations", "import.lock",
                                                                      "live"]
    assert status(data)["consistent"] is True
