"""The web app's view of the import pipeline: results of ONE generation per request, imports in a worker.

Everything is computed by ``zielwerk.pipeline`` (docs/pipeline.md) and published as one generation.
:class:`GenerationSnapshot` (ASGI middleware) resolves the live-generation pointer once at the start
of each request; :class:`Results`, :func:`lists_dir` and :func:`casefiles_dir` read only inside that
generation, so a page never mixes two imports. :func:`start_batch` starts the pipeline in a separate
worker process (memory limit, row/byte limits per file) and follows its progress file; the web
process never loads a dataset.
"""

from __future__ import annotations

import contextvars
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from zielwerk.pipeline import generations as gen
from zielwerk.pipeline.limits import Limits
from zielwerk.pipeline.lock import ImportLock, ImportRunning
from zielwerk.pipeline.parts import (
    HISTORY_MONTHS,
    ResultsReader,
    caseload_table,
    provisional_months,
    store_case_records,
    unit_names,
)
from zielwerk.pipeline.parts import write_results as _write_results_part
from zielwerk.pipeline.worker import read_progress, start_worker, write_progress

__all__ = ["HISTORY_MONTHS", "BatchState", "GenerationSnapshot", "Results", "active_dataset", "casefiles_dir",
           "caseload_table", "lists_dir", "provisional_months", "results_dir", "snapshot", "start_batch",
           "store_case_records", "unit_names", "write_casefiles", "write_results"]

#: the generation pinned for the running request: (data folder, generation or None)
_PINNED: contextvars.ContextVar[tuple[Path, gen.Generation | None] | None] = contextvars.ContextVar(
    "zielwerk_generation", default=None)

#: memory limit of the import worker (address space, MB) and per-file limits of web imports; a large
#: installation raises them with ZIELWERK_WORKER_MEMORY_MB / ZIELWERK_MAX_ROWS / ZIELWERK_MAX_BYTES
WORKER_MEMORY_MB = int(os.environ.get("ZIELWERK_WORKER_MEMORY_MB", "6144"))
WORKER_LIMITS = Limits(max_rows=int(os.environ.get("ZIELWERK_MAX_ROWS", "5000000")),
                       max_bytes=int(os.environ.get("ZIELWERK_MAX_BYTES", str(2 * 1024 ** 3))))


def snapshot(data_dir: Path) -> gen.Generation | None:
    """The generation of the running request (pinned by :class:`GenerationSnapshot`), else the live one."""
    pinned = _PINNED.get()
    if pinned is not None and pinned[0] == Path(data_dir):
        return pinned[1]
    return gen.live_generation(data_dir)


def _part_dir(data_dir: Path, part: str) -> Path:
    g = snapshot(data_dir)
    if g is None:
        return gen.state_dir(data_dir) / "keine-generation" / part
    return g.part(part)


def results_dir(data_dir: Path) -> Path:
    return _part_dir(data_dir, "results")


def lists_dir(data_dir: Path) -> Path:
    return _part_dir(data_dir, "lists")


def casefiles_dir(data_dir: Path) -> Path:
    return _part_dir(data_dir, "caseview")


class GenerationSnapshot:
    """ASGI middleware: pin the live generation for the whole request (one pointer read)."""

    def __init__(self, app: Any, data_dir: Path) -> None:
        self.app = app
        self.data_dir = Path(data_dir)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _PINNED.set((self.data_dir, gen.live_generation(self.data_dir)))
        try:
            await self.app(scope, receive, send)
        finally:
            _PINNED.reset(token)


class Results:
    """The results of the request's generation; readers are cached per generation (immutable)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._readers: dict[str, ResultsReader] = {}
        self._lock = threading.Lock()
        startup_cleanup(self.data_dir)

    @property
    def dir(self) -> Path:
        return results_dir(self.data_dir)

    def reader(self) -> ResultsReader:
        g = snapshot(self.data_dir)
        if g is None:
            return ResultsReader(None)
        with self._lock:
            r = self._readers.get(g.id)
            if r is None:
                if len(self._readers) >= 2:
                    self._readers.pop(next(iter(self._readers)))
                r = self._readers[g.id] = ResultsReader(g.part("results"))
            return r

    def generation(self) -> str | None:
        g = snapshot(self.data_dir)
        return g.id if g else None

    def meta(self) -> dict[str, Any] | None:
        return self.reader().meta()

    def kennzahlen(self) -> pa.Table | None:
        return self.reader().kennzahlen()

    def series(self) -> dict[str, Any] | None:
        return self.reader().series()

    def caseload(self) -> pa.Table | None:
        return self.reader().caseload()

    def indicator_rows(self, indicator: str, unit_type: str, unit_id: str) -> list[dict[str, Any]]:
        return self.reader().indicator_rows(indicator, unit_type, unit_id)

    def units(self) -> list[tuple[str, str]]:
        return self.reader().units()

    def indicators(self) -> list[str]:
        return self.reader().indicators()

    def person(self, person_id: str) -> dict[str, Any] | None:
        return self.reader().person(person_id)

    def caseload_in(self, scope: Any, caseworker_id: str | None = None) -> list[dict[str, Any]]:
        return self.reader().caseload_in(scope, caseworker_id)

    def caseload_of(self, caseworker_id: str | None) -> list[dict[str, Any]]:
        return self.reader().caseload_of(caseworker_id)


def startup_cleanup(data_dir: Path) -> list[str]:
    """Discard what an interrupted import left behind, unless an import is running right now."""
    try:
        with ImportLock(data_dir):
            return gen.recover(data_dir)
    except ImportRunning:
        return []


# --- writers for tools and tests (an import writes all parts at once: zielwerk.pipeline.run_import) ----


def write_results(data_dir: Path, kennzahlen: pa.Table, caseload: pa.Table, meta: dict[str, Any],
                  series: dict[str, Any] | None = None) -> None:
    """Publish a new generation with these results (the other parts carried over from the live one)."""
    gen.publish_parts(data_dir, {"results": lambda d: _write_results_part(d, kennzahlen, caseload, meta, series)})


def write_casefiles(ds: Any, data_dir: Path) -> str | None:
    """Publish a new generation with the case files of ``ds`` (other parts carried over); the error text
    if building them failed."""
    from zielwerk.casework.casefile import write_case_files

    try:
        gen.publish_parts(data_dir, {"caseview": lambda d: write_case_files(ds, d)})
    except Exception as exc:  # noqa: BLE001 - reported like the pipeline's step
        return f"{type(exc).__name__}: {exc}"
    return None


def active_dataset(data_dir: Path) -> Path | None:
    """The dataset copy the live generation was computed from (None before the first import)."""
    from zielwerk.pipeline.provision import default_source

    return default_source(data_dir)


# --- imports in a worker process ------------------------------------------------------------------


@dataclass
class BatchState:
    """Progress of the running/last import of this web process, shown on the Daten page."""

    running: bool = False
    step: str = ""
    done: int = 0
    total: int = 12
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    total_problems: int = 0
    generation: str | None = None
    finished_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def start_batch(data_dir: Path, state: BatchState, source: Path | None, *, db_url: str | None = None,
                cleanup: Path | None = None, limits: Limits | None = WORKER_LIMITS,
                memory_mb: int | None = WORKER_MEMORY_MB) -> None:
    """Start the pipeline for ``source`` in a worker process; raises ImportRunning (HTTP 409) at once if an
    import runs (in this or any other process). ``cleanup``: a staged upload removed when the worker ends."""
    data_dir = Path(data_dir)
    with state.lock:
        if state.running:
            raise ImportRunning()
        progress_file = gen.staging_dir(data_dir) / f"import-{time.time_ns()}.progress.json"
        progress_file.parent.mkdir(parents=True, exist_ok=True)
        write_progress(progress_file, state="running", step="start", label="gestartet", done=0, total=state.total)
        try:
            proc = start_worker(source or data_dir, data_dir, db_url=db_url, limits=limits, memory_mb=memory_mb,
                                progress_file=progress_file)
        except BaseException:
            progress_file.unlink(missing_ok=True)
            raise
        state.running, state.error, state.problems, state.done, state.total_problems = True, None, [], 0, 0
        state.step, state.generation = "gestartet", None
    threading.Thread(target=_follow, args=(proc, progress_file, state, cleanup), name="zielwerk-import",
                     daemon=True).start()


def _follow(proc: subprocess.Popen, progress_file: Path, state: BatchState, cleanup: Path | None) -> None:
    """Mirror the worker's progress file into ``state`` until it exits; then clean up."""
    try:
        while proc.poll() is None:
            _apply(read_progress(progress_file), state)
            time.sleep(0.2)
        info = read_progress(progress_file) or {}
        _apply(info, state)
        if proc.returncode == 0 and info.get("state") == "done":
            state.generation = info.get("generation")
            state.step, state.done = "fertig", state.total
        elif info.get("state") in ("rejected", "refused", "error"):
            state.error = info.get("message") or "Der Import ist fehlgeschlagen. Nichts wurde übernommen."
            state.problems = list(info.get("problems") or [])
            state.total_problems = int(info.get("total_problems") or len(state.problems))
        else:
            state.error = (f"Der Import-Prozess wurde unerwartet beendet (Exit-Code {proc.returncode}). "
                           "Nichts wurde übernommen.")
    finally:
        for p in (progress_file, progress_file.with_suffix(".log")):
            p.unlink(missing_ok=True)
        if cleanup is not None:
            shutil.rmtree(cleanup, ignore_errors=True)
        state.finished_at = datetime.now(UTC)
        state.running = False


def _apply(info: dict[str, Any] | None, state: BatchState) -> None:
    if info and info.get("state") == "running":
        state.step = info.get("label") or state.step
        state.done = int(info.get("done") or 0)
        state.total = int(info.get("total") or state.total)
