"""One import at a time: an exclusive ``flock`` on ``<data>/.zielwerk/import.lock``.

The lock belongs to the open file, so it disappears with the process that holds it (also on
``kill -9``): a lock file left by a dead process is "stale" and simply acquired again. The file holds
the pid and start time of the holder, only for the message shown to the one who is refused.
A web process takes the lock and hands the open file to the worker it starts (``pass_fds``), so
there is no moment in which a second import could slip in between.
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from .generations import state_dir

LOCK_FILE = "import.lock"
#: the worker finds the inherited lock's file descriptor here
FD_ENV = "ZIELWERK_PIPELINE_LOCK_FD"


class ImportRunning(Exception):
    """Another import holds the lock (German message for users)."""

    def __init__(self, holder: dict | None = None) -> None:
        self.holder = holder or {}
        since = self.holder.get("since")
        when = ""
        if since:
            try:
                when = " seit " + datetime.fromisoformat(since).astimezone().strftime("%d.%m.%Y %H:%M:%S")
            except ValueError:
                when = ""
        pid = f" (Prozess {self.holder['pid']})" if self.holder.get("pid") else ""
        super().__init__(f"Es läuft bereits ein Import{when}{pid}; ein zweiter wird nicht angenommen. "
                         "Bitte warten, bis er fertig ist.")


def lock_path(data_dir: Path) -> Path:
    return state_dir(data_dir) / LOCK_FILE


def holder(data_dir: Path) -> dict | None:
    try:
        return json.loads(lock_path(data_dir).read_text("utf-8") or "null")
    except (OSError, ValueError):
        return None


class ImportLock:
    """``with ImportLock(data_dir):`` – raises :class:`ImportRunning` at once if another import runs."""

    def __init__(self, data_dir: Path, fd: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.fd: int | None = fd  # an inherited, already locked descriptor (worker process)

    def acquire(self) -> ImportLock:
        if self.fd is not None:
            return self
        path = lock_path(self.data_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ImportRunning(holder(self.data_dir)) from None
        self.fd = fd
        self.stamp(os.getpid())
        return self

    def stamp(self, pid: int) -> None:
        """Record the holder (the worker's pid once it runs)."""
        if self.fd is None:
            return
        data = json.dumps({"pid": pid, "since": datetime.now(UTC).isoformat()}).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)
            self.fd = None

    def detach(self) -> None:
        """Close this process's descriptor without unlocking (a worker holds the inherited copy)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Self:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_running(data_dir: Path) -> bool:
    """Whether an import holds the lock right now (a stale lock file of a dead process does not count)."""
    try:
        with ImportLock(data_dir):
            return False
    except ImportRunning:
        return True


def inherited(data_dir: Path) -> ImportLock | None:
    """The lock handed over by the starting process (``ZIELWERK_PIPELINE_LOCK_FD``), if any."""
    raw = os.environ.get(FD_ENV)
    if not raw:
        return None
    return ImportLock(data_dir, fd=int(raw))
