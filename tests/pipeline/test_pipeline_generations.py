"""Generations, pointer, recovery and the consistency check, on hand-made generations (no engine)."""

from __future__ import annotations

import json
import os

import pytest

from zielwerk.pipeline import generations as gen
from zielwerk.pipeline.lock import ImportLock, ImportRunning


def _publish(data, text: str) -> gen.Generation:
    return gen.publish_parts(data, {"results": lambda d: (d / "meta.json").write_text(json.dumps({"x": text}))})


def test_publish_switches_the_pointer_and_keeps_two_generations(tmp_path):
    assert gen.live_generation(tmp_path) is None
    ids = [_publish(tmp_path, str(i)).id for i in range(4)]
    assert gen.live_id(tmp_path) == ids[-1]
    # the live generation and its predecessor stay, older ones are removed
    assert gen.generation_ids(tmp_path) == ids[-2:]
    live = gen.live_generation(tmp_path)
    assert json.loads((live.part("results") / "meta.json").read_text())["x"] == "3"
    report = gen.check(tmp_path)
    assert report["consistent"] and report["generation"] == ids[-1]


def test_check_detects_a_changed_a_missing_and_a_foreign_file(tmp_path):
    g = gen.publish_parts(tmp_path, {"results": lambda d: [(d / n).write_text(n) for n in ("a.json", "b.json")],
                                     "lists": lambda d: (d / "meta.json").write_text('{"generation": "x"}')})
    assert gen.check(tmp_path)["problems"] == ["lists/meta.json: gehört zur Generation x."]
    g = gen.publish_parts(tmp_path, {"results": lambda d: [(d / n).write_text(n) for n in ("a.json", "b.json")],
                                     "lists": lambda d: (d / "meta.json").write_text("{}")})
    assert gen.check(tmp_path)["consistent"]
    (g.part("results") / "a.json").write_text("anders")
    (g.part("results") / "b.json").unlink()
    (g.part("lists") / "fremd.parquet").write_text("x")
    report = gen.check(tmp_path)
    assert not report["consistent"]
    assert report["problems"] == ["results/a.json: Inhalt passt nicht zur Generation (Prüfsumme).",
                                  "results/b.json: fehlt.",
                                  "lists/fremd.parquet: gehört nicht zur Generation (nicht im Manifest)."]


def test_recover_removes_staging_unpublished_generations_and_temporary_files(tmp_path):
    old = _publish(tmp_path, "alt")
    live = _publish(tmp_path, "neu")
    state = gen.state_dir(tmp_path)
    # what a crash leaves: a staging folder, a renamed but never pointed-to generation (newer than the
    # live one), temporary pointer files, *.old-* folders of the former layout, a half-copied dataset
    (gen.staging_dir(tmp_path) / "20991231T000000000000-abcdef" / "results").mkdir(parents=True)
    never = gen.generations_dir(tmp_path) / "20991231T000000000000-ffffff"
    (never / "results").mkdir(parents=True)
    (state / "live.tmp-123").write_text("20991231T000000000000-ffffff")
    (state / "results.old-5").mkdir()
    (gen.datasets_dir(tmp_path) / "abc.tmp-7").mkdir(parents=True)
    (gen.datasets_dir(tmp_path) / "unreferenced").mkdir()
    waiting = gen.state_dir(tmp_path) / gen.IMPORTS / "upload-1"  # the upload of the import that starts
    waiting.mkdir(parents=True)
    (gen.state_dir(tmp_path) / gen.IMPORTS / "upload-0").mkdir()  # a left-behind upload
    with ImportLock(tmp_path):
        removed = gen.recover(tmp_path, keep=(waiting,))
    assert waiting.is_dir() and "imports/upload-0" in removed
    assert "staging/20991231T000000000000-abcdef" in removed and "live.tmp-123" in removed and "results.old-5" in removed
    assert gen.generation_ids(tmp_path) == [old.id, live.id]
    assert gen.live_id(tmp_path) == live.id
    assert not list(gen.datasets_dir(tmp_path).iterdir())
    assert gen.check(tmp_path)["consistent"]


def test_a_pointer_to_a_missing_generation_is_reported_and_cleared(tmp_path):
    _publish(tmp_path, "a")
    gen.pointer_path(tmp_path).write_text("19990101T000000000000-000000\n")
    report = gen.check(tmp_path)
    assert not report["consistent"] and "19990101T000000000000-000000" in report["problems"][0]
    gen.recover(tmp_path)
    assert gen.live_id(tmp_path) is None and gen.generation_ids(tmp_path) == []


def test_second_lock_is_refused_at_once_and_a_dead_holder_does_not_block(tmp_path):
    first = ImportLock(tmp_path).acquire()
    with pytest.raises(ImportRunning) as exc:
        ImportLock(tmp_path).acquire()
    assert "Es läuft bereits ein Import" in str(exc.value) and f"Prozess {os.getpid()}" in str(exc.value)
    first.release()
    # a lock file left by a process that died (kill -9): the flock went with the process
    pid = os.fork()
    if pid == 0:  # child: take the lock and die without releasing it
        ImportLock(tmp_path).acquire()
        os._exit(0)
    os.waitpid(pid, 0)
    assert json.loads((gen.state_dir(tmp_path) / "import.lock").read_text())["pid"] == pid
    with ImportLock(tmp_path):
        pass
