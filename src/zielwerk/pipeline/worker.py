"""The pipeline as a separate worker process (``python -m zielwerk.pipeline``), used by the web app.

The web process never loads a dataset: :func:`start_worker` takes the import lock (a second import is
refused at once), starts the worker with the locked file handed over (``pass_fds``), a memory limit
(``RLIMIT_AS``, set in the child) and row/byte limits per file, and returns. The worker writes its
progress as JSON (``progress``: running / done / rejected / refused / error, step, done/total,
problems, German message) into a file in the staging folder, replaced atomically; the page polls it.
Exit codes: 0 live, 1 rejected (validator or limits), 2 error, 3 another import runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .generations import staging_dir
from .limits import Limits
from .lock import FD_ENV, ImportLock, ImportRunning, inherited

EXIT_OK, EXIT_REJECTED, EXIT_ERROR, EXIT_RUNNING = 0, 1, 2, 3
#: problems kept in the progress file (all are counted)
MAX_PROBLEMS = 1000


def write_progress(path: Path | None, **values: Any) -> None:
    if path is None:
        return
    values["updated_at"] = datetime.now(UTC).isoformat()
    values["pid"] = os.getpid()
    tmp = path.with_name(f"{path.name}.tmp-{time.time_ns()}")
    tmp.write_text(json.dumps(values, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def read_progress(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space (``RLIMIT_AS``): allocations beyond fail instead of swapping."""
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _is_memory_error(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "memory" in type(exc).__name__.lower() or (
        "out of memory" in str(exc).lower() or "failed to allocate" in str(exc).lower())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m zielwerk.pipeline", description="Zielwerk-Import (Worker)")
    p.add_argument("source", type=Path)
    p.add_argument("--data", type=Path, required=True)
    p.add_argument("--db", default="")
    p.add_argument("--progress", type=Path)
    p.add_argument("--max-rows", type=int)
    p.add_argument("--max-bytes", type=int)
    p.add_argument("--memory-mb", type=int)
    args = p.parse_args(argv)
    if args.memory_mb:
        # DuckDB spills to disk at half the address-space limit instead of failing at the limit
        os.environ.setdefault("ZIELWERK_DUCKDB_MEMORY", f"{max(args.memory_mb // 2, 256)}MB")
        limit_memory(args.memory_mb)
    from .run import DatasetRejected, run_import

    progress_file: Path | None = args.progress
    lock = inherited(args.data)
    if lock is not None:
        lock.stamp(os.getpid())

    def progress(key: str, label: str, done: int, total: int) -> None:
        write_progress(progress_file, state="running", step=key, label=label, done=done, total=total)

    limits = Limits(args.max_rows, args.max_bytes) if (args.max_rows or args.max_bytes) else None
    try:
        keep = (progress_file, progress_file.with_suffix(".log")) if progress_file is not None else ()
        result = run_import(args.source, args.data, db_url=args.db or None, limits=limits, progress=progress,
                            lock=lock, keep=keep)
    except ImportRunning as exc:
        write_progress(progress_file, state="refused", message=str(exc))
        print(str(exc), file=sys.stderr)
        return EXIT_RUNNING
    except DatasetRejected as exc:
        write_progress(progress_file, state="rejected", message=exc.message, problems=exc.problems[:MAX_PROBLEMS],
                       total_problems=exc.total)
        for line in exc.problems[:MAX_PROBLEMS]:
            print(line, file=sys.stderr)
        return EXIT_REJECTED
    except BaseException as exc:  # noqa: BLE001 - reported to the page; nothing was published
        if _is_memory_error(exc):
            message = ("Der Import brauchte mehr Arbeitsspeicher als erlaubt und wurde abgebrochen. "
                       "Nichts wurde übernommen.")
        else:
            message = f"Fehler bei der Verarbeitung: {type(exc).__name__}: {exc}. Nichts wurde übernommen."
        write_progress(progress_file, state="error", message=message)
        print(message, file=sys.stderr)
        return EXIT_ERROR
    write_progress(progress_file, state="done", generation=result.generation, fingerprint=result.fingerprint,
                   timings=result.timings, done=1, total=1)
    return EXIT_OK


def new_progress_file(data_dir: Path) -> Path:
    folder = staging_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"import-{time.time_ns()}.progress.json"


def start_worker(source: Path, data_dir: Path, *, db_url: str | None = None, limits: Limits | None = None,
                 memory_mb: int | None = None, progress_file: Path | None = None) -> subprocess.Popen:
    """Take the import lock (raises :class:`ImportRunning` at once) and start the worker with it."""
    data_dir = Path(data_dir)
    lock = ImportLock(data_dir).acquire()
    try:
        cmd = [sys.executable, "-m", "zielwerk.pipeline", str(source), "--data", str(data_dir)]
        if db_url:
            cmd += ["--db", db_url]
        if progress_file is not None:
            cmd += ["--progress", str(progress_file)]
        if limits is not None and limits.max_rows:
            cmd += ["--max-rows", str(limits.max_rows)]
        if limits is not None and limits.max_bytes:
            cmd += ["--max-bytes", str(limits.max_bytes)]
        if memory_mb:
            cmd += ["--memory-mb", str(memory_mb)]
        assert lock.fd is not None
        env = {**os.environ, FD_ENV: str(lock.fd)}
        log = (progress_file.with_suffix(".log") if progress_file is not None
               else new_progress_file(data_dir).with_suffix(".log"))
        with open(log, "wb") as err:
            proc = subprocess.Popen(cmd, env=env, pass_fds=(lock.fd,), stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
    except BaseException:
        lock.release()
        raise
    lock.detach()  # the worker holds the lock now; it goes with the worker's process
    return proc
