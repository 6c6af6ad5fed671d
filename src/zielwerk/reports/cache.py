"""A disk cache of rendered reports: one folder per results generation, one file per report.

Layout: ``<root>/<generation>/<name>`` where ``name`` already encodes the agreement version, the
month and the format (the caller builds it). A new generation or a new agreement version is a new
key, so nothing is ever invalidated in place; writing into a generation removes the folders of
generations that are no longer kept (``keep``). Files are written atomically
(:func:`zielwerk.atomic.write_bytes_atomically`): a reader sees a whole report or none.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from zielwerk.atomic import write_bytes_atomically

_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _check(part: str, what: str) -> str:
    if not _SAFE.match(part) or ".." in part:
        raise ValueError(f"Ungültiger Schlüssel im Berichts-Cache ({what}): {part!r}")
    return part


class ReportCache:
    """Rendered reports under ``root`` (created on first write)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, generation: str, name: str) -> Path:
        return self.root / _check(generation, "Generation") / _check(name, "Name")

    def get(self, generation: str, name: str) -> bytes | None:
        try:
            return self.path(generation, name).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, generation: str, name: str, data: bytes, keep: set[str] | None = None) -> Path:
        """Write one report atomically, then remove every generation folder not in ``keep``
        (the current ``generation`` is always kept)."""
        target = self.path(generation, name)
        write_bytes_atomically(target, data)
        self.clean({generation, *(keep or set())})
        return target

    def clean(self, keep: set[str]) -> list[str]:
        """Remove the folders of generations not in ``keep``; returns their names."""
        removed = []
        if not self.root.is_dir():
            return removed
        for sub in self.root.iterdir():
            if sub.is_dir() and sub.name not in keep:
                shutil.rmtree(sub, ignore_errors=True)
                removed.append(sub.name)
        return removed

    def generations(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir()) if self.root.is_dir() else []
