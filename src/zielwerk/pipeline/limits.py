"""Row and byte limits per file, checked before anything is read (web imports run with them).

A Parquet file states its row count in the footer, so a small file that would expand to millions
of rows (a "decompression bomb") is refused from its metadata without decompressing a single page.
CSV rows are counted by streaming the bytes (no parsing). Messages are German and name the file.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from zielwerk.domain import german


@dataclass(frozen=True)
class Limits:
    """``max_rows`` / ``max_bytes`` per file (None: unlimited)."""

    max_rows: int | None = None
    max_bytes: int | None = None


class LimitExceeded(Exception):
    """A file exceeds a limit; ``problems`` are German lines ``file: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _nofollow(path: str, flags: int) -> int:
    """Open without following a symbolic link (and without waiting on a FIFO), see ``sources.py``."""
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))


def _csv_rows(path: Path, stop: int) -> int:
    """Data rows (lines minus the header), counting stops once ``stop`` is exceeded."""
    lines = 0
    last = b"\n"
    with open(path, "rb", opener=_nofollow) as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if lines - 1 > stop:
                break
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def _parquet_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        with open(path, "rb", opener=_nofollow) as f:
            return pq.ParquetFile(f).metadata.num_rows
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the validator
        return None


def check_limits(folder: Path, limits: Limits) -> None:
    """Raise :class:`LimitExceeded` if any table file of ``folder`` exceeds a limit."""
    problems: list[str] = []
    for path in sorted(Path(folder).iterdir()):
        st = path.lstat()  # symbolic links and special files are refused by ``sources.check_source``
        if not stat.S_ISREG(st.st_mode) or path.suffix.lower() not in (".csv", ".parquet"):
            continue
        size = st.st_size
        if limits.max_bytes is not None and size > limits.max_bytes:
            problems.append(f"{path.name}: Die Datei ist {german.integer(size)} Bytes groß; erlaubt sind höchstens "
                            f"{german.integer(limits.max_bytes)} Bytes je Datei.")
            continue
        if limits.max_rows is None:
            continue
        rows = _parquet_rows(path) if path.suffix.lower() == ".parquet" else _csv_rows(path, limits.max_rows)
        if rows is not None and rows > limits.max_rows:
            problems.append(f"{path.name}: Die Datei enthält {german.integer(rows)} Zeilen; erlaubt sind höchstens "
                            f"{german.integer(limits.max_rows)} Zeilen je Datei. Nichts wurde übernommen.")
    if problems:
        raise LimitExceeded(problems)
