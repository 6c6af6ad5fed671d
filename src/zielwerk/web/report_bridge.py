"""The monthly report for any month: ``zielwerk.targets.monitor`` on the precomputed series, rendered
by ``zielwerk.reports`` (HTML, PDF, Excel) off the event loop and cached on disk.

* :class:`RenderPool` — heavy rendering (WeasyPrint PDF, Excel workbooks) runs off the event loop, at
  most ``workers`` at a time: in the server in worker *processes* (``spawn``, niced; no GIL shared with
  the server), in ``create_app`` (tests, embedding) in threads. The waiting happens on the event loop
  without holding a thread, so light pages keep the thread pool.
* :func:`generation_key` — the one place that names the live results generation (an instance without
  one reports agreements on the official series under ``o-<hash of the official figures' state>``).
* :func:`monthly_report` — the bytes of a report, from the cache ``<data>/.zielwerk/report-cache/``
  (:class:`zielwerk.reports.cache.ReportCache`) keyed by (generation, agreement version, month,
  format); concurrent requests for the same uncached report render it once (a lock per key).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import os
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from zielwerk.domain.calendar import Month
from zielwerk.reports.cache import ReportCache
from zielwerk.reports.render import render_monitoring, warm_up
from zielwerk.store import agreements as store

from .context import Ctx
from .monitoring import monitoring_for

#: renders at the same time (the machine's cores are shared with the server and the batch)
DEFAULT_WORKERS = 2
#: scheduling priority of the render worker processes, relative to the server (``os.nice``)
RENDER_NICE = 10
CACHE_DIR = Path(".zielwerk") / "report-cache"
#: the import pipeline's generations (``zielwerk.pipeline.generations``) and their manifest file
GENERATIONS = Path(".zielwerk") / "generations"
MANIFEST = "manifest.json"


# --------------------------------------------------------------------------- render pool


@dataclass
class _LoopState:
    """Per event loop: the render limiter and the per-key locks (asyncio primitives bind to one loop)."""

    limiter: anyio.CapacityLimiter
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)


class RenderPool:
    """Run CPU-heavy render functions off the event loop, at most ``workers`` at a time.

    ``processes=True`` (the server): a ``spawn`` process pool, started on first use (or by :meth:`warm`),
    its workers niced by :data:`RENDER_NICE`. ``False``: threads (``create_app``'s default: tests,
    embedding; ``ZIELWERK_RENDER_PROCESSES=0`` for the server); the function must then be thread-safe.
    """

    def __init__(self, workers: int = DEFAULT_WORKERS, processes: bool = True) -> None:
        self.workers = max(1, workers)
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None
        self._states: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = \
            weakref.WeakKeyDictionary()

    @classmethod
    def from_env(cls) -> RenderPool:
        """``ZIELWERK_RENDER_WORKERS`` (default 2), ``ZIELWERK_RENDER_PROCESSES`` (default 1 = processes)."""
        workers = int(os.environ.get("ZIELWERK_RENDER_WORKERS") or DEFAULT_WORKERS)
        return cls(workers, processes=os.environ.get("ZIELWERK_RENDER_PROCESSES", "1") != "0")

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._states.get(loop)
        if state is None:
            state = _LoopState(anyio.CapacityLimiter(self.workers))
            try:
                self._states[loop] = state
            except TypeError:  # a loop implementation without weak references: keep it for good
                self._states = {**self._states, loop: state}  # type: ignore[assignment]
        return state

    def lock(self, key: str) -> asyncio.Lock:
        """The lock of one cache key (on the running loop)."""
        locks = self._state().locks
        if key not in locks:
            if len(locks) > 256:  # drop idle locks
                for k in [k for k, v in locks.items() if not v.locked()]:
                    del locks[k]
            locks[key] = asyncio.Lock()
        return locks[key]

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # the workers run at a lower priority (nice): pages and static files win the CPU from renders
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=os.nice, initargs=(RENDER_NICE,))
        return self._executor

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker (process or thread), waiting for a free slot on the loop."""
        async with self._state().limiter:
            if self.processes:
                return await asyncio.get_running_loop().run_in_executor(self._pool(), partial(fn, *args))
            return await anyio.to_thread.run_sync(partial(fn, *args))

    def warm(self) -> None:
        """Start the worker processes now and load the renderers there (first report not slower)."""
        if self.processes:
            for _ in range(self.workers):
                self._pool().submit(warm_up)

    def shutdown(self, wait: bool = True) -> None:
        """End the worker processes (``wait``: after the renders running now)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            self._executor = None


def pool_of(ctx: Ctx) -> RenderPool:
    return ctx.request.app.state.render_pool


# --------------------------------------------------------------------------- generation key


def generation_key(results: Any) -> str | None:
    """The identity of the live results (``None`` while there are none): the one place that names it.

    Prefers the generation id of the import pipeline — ``results.generation()`` (or a
    ``generation_id``) if the results object offers one, else the ``generation`` of the
    ``manifest.json`` in the results folder or the generation folder above it
    (``<data>/.zielwerk/generations/<id>/results``) — as ``g-<id>``; falls back to a hash of the
    results' ``meta.json`` (content and modification time) as ``m-<hash>``, so that a recomputation
    is a new key either way.
    """
    gid = None
    for attr in ("generation", "generation_id"):
        value = getattr(results, attr, None)
        gid = value() if callable(value) else value
        if gid:
            break
    folder = Path(results.dir)
    if not gid:
        for candidate in (folder / MANIFEST, folder.parent / MANIFEST):
            try:
                manifest = json.loads(candidate.read_text("utf-8"))
            except (FileNotFoundError, NotADirectoryError, ValueError):
                continue
            gid = manifest.get("generation") or manifest.get("generation_id")
            if gid:
                break
    if gid:
        return f"g-{_safe(str(gid))}"
    meta = folder / "meta.json"
    try:
        data, mtime = meta.read_bytes(), meta.stat().st_mtime_ns
    except (FileNotFoundError, NotADirectoryError):
        return None
    return "m-" + hashlib.sha256(data + str(mtime).encode()).hexdigest()[:20]


def _safe(gid: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in gid)[:100]


def generations_on_disk(data_dir: Path) -> set[str]:
    """Cache keys (``g-<id>``) of the generations still on disk (``<data>/.zielwerk/generations/<id>/``)."""
    root = Path(data_dir) / GENERATIONS
    if not root.is_dir():
        return set()
    return {f"g-{_safe(p.name)}" for p in root.iterdir() if p.is_dir()}


def report_cache(data_dir: Path) -> ReportCache:
    return ReportCache(Path(data_dir) / CACHE_DIR)


# --------------------------------------------------------------------------- the monthly report


@dataclass(frozen=True)
class ReportJob:
    """A report to render: its cache key (generation, file name), the monitoring, as-of date and format."""

    generation: str
    name: str
    monitoring: Any
    as_of: date | None
    fmt: str
    comments: dict[str, str] = field(default_factory=dict)  # goal id → Abweichungsbegründung
    extra: dict[str, Any] = field(default_factory=dict)  # more report sections (issue 14: the Vergleichstyp)


def prepare(ctx: Ctx, month: Month, fmt: str) -> ReportJob:
    """(Thread pool) the agreement of ``month``'s year (newest version), its monitoring, the cache key."""
    candidates = [a for a in store.all_agreements(ctx.db) if a.year == month.year]
    if not candidates:
        raise HTTPException(404, f"Für das Jahr {month.year} ist keine Zielvereinbarung hinterlegt.")
    version = candidates[0].versions[-1]
    results = ctx.request.app.state.results
    generation = generation_key(results)
    mon, why = monitoring_for(results, version.id, version.document, month, db=ctx.db)  # db: reihe = amtlich
    if mon is None:
        raise HTTPException(409, why or "Es liegen noch keine berechneten Kennzahlen vor.")
    # no computed own figures (no person-level data): only an agreement on the official series has a report,
    # rendered from the official figures and cached under their state (issue 14 item 5)
    person_data = generation is not None
    if not person_data:
        if mon.agreement.series != "amtlich":
            raise HTTPException(409, "Es liegen noch keine berechneten Kennzahlen vor.")
        from zielwerk.store.peers import official_state as peers_state

        generation = "o-" + hashlib.sha256(repr(peers_state(ctx.db)).encode()).hexdigest()[:16]
    # one signature state (file and web, web/signatures.py) and the deviation comments of the month
    from dataclasses import replace

    from zielwerk.store import comments as comment_store

    from .signatures import merged_model

    mon = replace(mon, agreement=merged_model(mon.agreement, version))
    notes = {g: c.text for g, c in comment_store.current(ctx.db, candidates[0].key, str(month)).items()}
    meta = results.meta() or {}
    as_of = date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None
    # the document's hash as well as the version id: ids repeat across databases; signatures and comments
    # change the report without a new version
    doc = hashlib.sha256(version.document.encode()).hexdigest()[:12]
    # a re-import of official figures changes the report of an agreement on the official series (issue 14)
    from zielwerk.store.official import official_state

    official = str(official_state(ctx.db)) if mon.agreement.series == "amtlich" else ""
    extra = hashlib.sha256(json.dumps([version.signatures, notes, official], sort_keys=True).encode()).hexdigest()[:8]
    from zielwerk.store.peers import official_state

    from .supervision import report_section

    sections = report_section(ctx.db, mon.agreement, month)  # issue 14: the report's Vergleich section
    if person_data:  # issue 15: Arbeitskreis and team sections (generation files)
        from .pages.teams import report_sections

        sections.update(report_sections(results, ctx.request.app.state.config.data_dir, mon.agreement, mon, month))
    else:  # issue 14 item 5: sections needing person-level data left out, with a German note
        from zielwerk.reports.sections import no_person_data_sections

        sections.update(no_person_data_sections(mon.agreement))
    from zielwerk.official.series import series_label

    sections["datengrundlage"] = series_label(mon.agreement.series)
    official = hashlib.sha256(repr(official_state(ctx.db)).encode()).hexdigest()[:8]
    name = f"v{version.id}-{doc}-{extra}-{official}-{month}.{fmt}"
    return ReportJob(generation, name, mon, as_of, fmt, notes, sections)


def _store(cache: ReportCache, job: ReportJob, data: bytes, keep: set[str]) -> None:
    cache.put(job.generation, job.name, data, keep)


async def monthly_report(ctx: Ctx, month: Month, fmt: str) -> bytes:
    """The report's bytes: from the cache, or rendered once in the render pool and cached."""
    job: ReportJob = await run_in_threadpool(prepare, ctx, month, fmt)
    data_dir = ctx.request.app.state.config.data_dir
    cache = report_cache(data_dir)
    hit = await run_in_threadpool(cache.get, job.generation, job.name)
    if hit is not None:
        return hit
    pool = pool_of(ctx)
    async with pool.lock(f"{job.generation}/{job.name}"):
        hit = await run_in_threadpool(cache.get, job.generation, job.name)  # rendered while we waited
        if hit is not None:
            return hit
        data = await pool.run(render_monitoring, job.monitoring, job.as_of, job.fmt, job.comments, job.extra)
        await run_in_threadpool(_store, cache, job, data, generations_on_disk(data_dir))
    return data

