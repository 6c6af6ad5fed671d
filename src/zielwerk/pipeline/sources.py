"""Checking and reading an import source without following symbolic links (issue 12, point 9).

A source folder's table files (the names of the data contract) must be regular files: a symbolic link
(e.g. ``persons.csv -> /etc/passwd``), a FIFO, a device or a socket is refused with a German message
naming the file, before anything is read or copied. Other entries of the folder are never opened and
are ignored. Files are opened with ``O_NOFOLLOW`` relative to a descriptor of the folder
(:func:`open_folder`), so a file swapped for a link between the check and the copy is not followed.

:func:`resolve_in_root` is the web's rule for "import a folder": the folder name, after resolving
``..`` textually, must lie inside the import root and no part of the path below the root may be a
symbolic link. The CLI (``zielwerk einlesen``) reads any folder the operator names, but its table
files are checked all the same.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class SourceRefused(Exception):
    """The source is not acceptable; ``problems`` are German lines (``file: message``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


def contract_names() -> frozenset[str]:
    """The file names the data contract knows (``TABLE.csv`` / ``TABLE.parquet``, ``dataset.toml``)."""
    from zielwerk.data.schema import TABLES

    return frozenset({f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"dataset.toml"})


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "ein symbolischer Link"
    if stat.S_ISFIFO(mode):
        return "eine benannte Pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "eine Gerätedatei"
    if stat.S_ISSOCK(mode):
        return "ein Socket"
    if stat.S_ISDIR(mode):
        return "ein Ordner"
    return "keine gewöhnliche Datei"


def _refusal(name: str, mode: int) -> str:
    return (f"{name}: Die Datei ist {_kind(mode)}; eingelesen werden nur gewöhnliche Dateien "
            "(keine symbolischen Links, Pipes oder Gerätedateien). Nichts wurde übernommen.")


def open_folder(folder: Path, *, follow: bool = True) -> int:
    """A descriptor of the folder (``follow=False``: the folder itself must not be a symbolic link)."""
    folder = Path(folder)
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        raise SourceRefused([f"Den Ordner „{folder}“ gibt es nicht."]) from None
    except OSError as exc:
        raise SourceRefused([f"Der Ordner „{folder}“ kann nicht gelesen werden ({exc.strerror})."]) from None
    if stat.S_ISLNK(st.st_mode) and not follow:
        raise SourceRefused([(f"Der Ordner „{folder}“ ist ein symbolischer Link; symbolische Links werden "
                             "nicht eingelesen. Nichts wurde übernommen.")])
    try:
        return os.open(folder, os.O_RDONLY | _DIRECTORY | (0 if follow else _NOFOLLOW))
    except NotADirectoryError:
        raise SourceRefused([f"„{folder}“ ist kein Ordner."]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SourceRefused([(f"Der Ordner „{folder}“ ist ein symbolischer Link; symbolische Links werden "
                                 "nicht eingelesen. Nichts wurde übernommen.")]) from None
        raise SourceRefused([f"Der Ordner „{folder}“ kann nicht geöffnet werden ({exc.strerror})."]) from None


def checked_names(dir_fd: int) -> list[str]:
    """Sorted names of the contract files in the folder; raises :class:`SourceRefused` listing every
    contract file that is not a regular file (symbolic link, FIFO, device, socket, folder)."""
    allowed = contract_names()
    names, problems = [], []
    for name in sorted(os.listdir(dir_fd)):
        if name not in allowed:
            continue  # never opened
        mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
        if stat.S_ISREG(mode):
            names.append(name)
        else:
            problems.append(_refusal(name, mode))
    if problems:
        raise SourceRefused(problems)
    return names


def check_source(folder: Path, *, follow_folder: bool = True) -> list[str]:
    """:func:`checked_names` of ``folder`` (opened with :func:`open_folder`)."""
    fd = open_folder(folder, follow=follow_folder)
    try:
        return checked_names(fd)
    finally:
        os.close(fd)


@contextmanager
def open_source_file(dir_fd: int, name: str) -> Iterator[BinaryIO]:
    """Open ``name`` in the folder for reading without following a symbolic link; only regular files."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise SourceRefused([_refusal(name, stat.S_IFLNK)]) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SourceRefused([_refusal(name, mode)])
        if _NONBLOCK:
            os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def resolve_in_root(root: Path, name: str) -> Path:
    """The folder ``name`` (relative to ``root`` or absolute) if it lies inside ``root``.

    ``..`` is resolved textually (``os.path.normpath``), symbolic links are NOT followed: every path
    part below the root (the folder itself included) must be a real folder. ``root`` itself is the
    operator's configuration and may be a link (it is resolved). Raises :class:`SourceRefused`.
    """
    root = Path(os.path.realpath(root))
    given = Path(name).expanduser()
    target = Path(os.path.normpath(given if given.is_absolute() else root / given))
    if target != root and root not in target.parents:
        raise SourceRefused([(f"Importe sind nur aus Ordnern unterhalb von {root} erlaubt; „{name}“ liegt "
                             "außerhalb. Nichts wurde übernommen.")])
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            raise SourceRefused([f"Den Ordner „{name}“ gibt es unterhalb von {root} nicht."]) from None
        except OSError as exc:
            raise SourceRefused([f"Der Ordner „{name}“ kann nicht gelesen werden ({exc.strerror})."]) from None
        if stat.S_ISLNK(mode):
            raise SourceRefused([(f"„{current.relative_to(root)}“ ist ein symbolischer Link; symbolische Links "
                                 "werden beim Import nicht verfolgt. Nichts wurde übernommen.")])
        if not stat.S_ISDIR(mode):
            raise SourceRefused([f"„{current.relative_to(root)}“ ist kein Ordner."])
    return target
