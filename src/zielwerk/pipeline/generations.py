"""Generations: every import writes one complete, immutable folder; one pointer says which is live.

Layout below the data folder (``<data>/.zielwerk/``)::

    live                      the pointer: one line, the id of the live generation
    import.lock               held (flock) by the one running import; pid and start inside
    generations/<id>/         one complete generation (never changed after it was published)
        manifest.json         id, dataset fingerprint, parts with their SHA-256, timings, created_at
        results/              kennzahlen.parquet, caseload.parquet, series.json, meta.json
        lists/                the work lists (casework.batch.write_lists)
        caseview/             the case files (casework.casefile.write_case_files)
    datasets/<fingerprint>/   content-addressed copy of the imported source files (referenced by manifests)
    staging/<id>/             a generation being written (discarded on start-up if left behind)

Publishing: the staging folder is written completely (every file fsynced, ``manifest.json`` last),
renamed to ``generations/<id>`` and then the pointer is switched with one ``os.replace`` of a fsynced
temporary file. Readers resolve the pointer once and read only inside that one folder, so they see
the old generation or the new one, never a mix. :func:`recover` (run under the import lock) removes
what a crash can leave: staging folders, generations that never went live, ``*.tmp-*`` / ``*.old-*``
files and folders, generations beyond the live one and its predecessor, unreferenced dataset copies.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

STATE = ".zielwerk"
POINTER = "live"
GENERATIONS = "generations"
DATASETS = "datasets"
STAGING = "staging"
MANIFEST = "manifest.json"
#: the parts of a generation (sub-folders); the manifest lists every file of them
PARTS = ("results", "lists", "caseview")
#: the live generation and its predecessor stay on disk
KEEP_GENERATIONS = 2
#: folders and files of the layout before generations (removed on start-up)
LEGACY = ("results", "lists", "caseview", "current")
#: uploads and copied folders of web imports wait here until their worker ended
IMPORTS = "imports"


def state_dir(data_dir: Path) -> Path:
    return Path(data_dir) / STATE


def generations_dir(data_dir: Path) -> Path:
    return state_dir(data_dir) / GENERATIONS


def datasets_dir(data_dir: Path) -> Path:
    return state_dir(data_dir) / DATASETS


def staging_dir(data_dir: Path) -> Path:
    return state_dir(data_dir) / STAGING


def pointer_path(data_dir: Path) -> Path:
    return state_dir(data_dir) / POINTER


def new_generation_id() -> str:
    """Sortable by creation time: ``YYYYMMDDTHHMMSSffffff-<random>``."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(3)}"


# --- hashing and durable writes -------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a fsynced temporary file and one ``os.replace``."""
    tmp = path.with_name(f"{path.name}.tmp-{time.time_ns()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def part_files(folder: Path) -> Iterator[Path]:
    """Every regular file below ``folder`` (sorted), the manifest excluded."""
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            yield p


# --- the pointer and the generations --------------------------------------------------------------


def live_id(data_dir: Path) -> str | None:
    """The id of the live generation, or None if there is none (yet)."""
    try:
        gid = pointer_path(data_dir).read_text("utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return gid or None


@dataclass(frozen=True)
class Generation:
    """One published generation (a folder that never changes)."""

    id: str
    path: Path

    def part(self, name: str) -> Path:
        return self.path / name

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / MANIFEST).read_text("utf-8"))


def live_generation(data_dir: Path) -> Generation | None:
    """The live generation (resolved once: read everything of one request through the returned object)."""
    gid = live_id(data_dir)
    if gid is None:
        return None
    path = generations_dir(data_dir) / gid
    return Generation(gid, path) if path.is_dir() else None


def generation_ids(data_dir: Path) -> list[str]:
    root = generations_dir(data_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and ".tmp-" not in p.name and ".old-" not in p.name)


class Staging:
    """A generation being written: ``path`` is its folder; :meth:`publish` makes it live."""

    def __init__(self, data_dir: Path, gid: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.id = gid or new_generation_id()
        self.path = staging_dir(self.data_dir) / self.id
        self.path.mkdir(parents=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def write_manifest(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Hash every part file (fsyncing it), then write ``manifest.json`` durably (last file)."""
        parts: dict[str, str] = {}
        for p in part_files(self.path):
            fsync_file(p)
            parts[p.relative_to(self.path).as_posix()] = file_sha256(p)
        for d in sorted({p.parent for p in part_files(self.path)} | {self.path}):
            fsync_dir(d)
        manifest = {"generation": self.id, **manifest, "parts": parts}
        write_durably(self.path / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        return manifest

    def publish(self, pause: Any = None) -> Generation:
        """Move the complete staging folder to ``generations/<id>`` and switch the pointer to it."""
        final = generations_dir(self.data_dir) / self.id
        final.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.path, final)
        fsync_dir(final.parent)
        fsync_dir(self.path.parent)
        if pause is not None:
            pause("umschalten")
        write_durably(pointer_path(self.data_dir), self.id + "\n")
        return Generation(self.id, final)


# --- recovery -------------------------------------------------------------------------------------


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _is_leftover(name: str) -> bool:
    return ".tmp-" in name or ".old-" in name


def recover(data_dir: Path, keep: tuple[Path, ...] = ()) -> list[str]:
    """Remove everything an interrupted import can leave behind; returns what was removed (relative).

    Call only while holding the import lock (:class:`~zielwerk.pipeline.lock.ImportLock`): a running
    import's staging folder would be removed otherwise. ``keep``: paths of the import that is starting
    (its uploaded source, its progress file), left in place.
    """
    root = state_dir(data_dir)
    if not root.is_dir():
        return []
    kept = {Path(k).resolve() for k in keep}
    removed: list[Path] = []
    live = live_id(data_dir)
    gens = generations_dir(data_dir)
    # staging folders, waiting uploads and temporary files anywhere in the state folder (not inside
    # generations: a published generation is never changed)
    removed += [root / name for name in LEGACY if (root / name).exists()]
    for folder in (staging_dir(data_dir), root / IMPORTS):
        if folder.is_dir():
            removed += [p for p in folder.iterdir()
                        if not any(k == p.resolve() or p.resolve() in k.parents for k in kept)]
    for folder in (root, gens, datasets_dir(data_dir)):
        if folder.is_dir():
            removed += [p for p in folder.iterdir() if _is_leftover(p.name)]
    ids = generation_ids(data_dir)
    if live is not None and live in ids:
        older = [g for g in ids if g < live]
        keep_ids = {live, *older[-(KEEP_GENERATIONS - 1):]} if KEEP_GENERATIONS > 1 else {live}
    else:
        keep_ids = set()  # no valid pointer: nothing ever went live completely
        if live is not None:
            removed.append(pointer_path(data_dir))
    removed += [gens / g for g in ids if g not in keep_ids]
    # generations without a manifest are incomplete (cannot happen after a rename, but be strict)
    removed += [gens / g for g in keep_ids if not (gens / g / MANIFEST).is_file() and g != live]
    referenced = set()
    for g in keep_ids:
        try:
            referenced.add(Generation(g, gens / g).manifest().get("dataset", {}).get("fingerprint"))
        except (OSError, ValueError):
            pass
    ds_root = datasets_dir(data_dir)
    if ds_root.is_dir():
        removed += [p for p in ds_root.iterdir() if p.name not in referenced and not _is_leftover(p.name)]
    seen = set()
    for p in removed:
        if p not in seen:
            seen.add(p)
            _remove(p)
    try:
        staging_dir(data_dir).rmdir()  # only if empty
    except OSError:
        pass
    return sorted(str(p.relative_to(root)) for p in seen)


# --- status ---------------------------------------------------------------------------------------


def check(data_dir: Path, generation: Generation | None = None) -> dict[str, Any]:
    """The live generation and whether every part belongs to it (SHA-256 against the manifest).

    ``consistent`` is False if a listed file is missing or differs, if an unlisted file lies in the
    generation's folder, if a part's meta data names another generation or if the dataset copy
    differs from its fingerprint. Without a live generation, ``generation`` is None and
    ``consistent`` is True (nothing is served, nothing is mixed).
    """
    gen = generation or live_generation(data_dir)
    out: dict[str, Any] = {"data_dir": str(Path(data_dir).resolve()), "generation": None, "consistent": True,
                           "problems": []}
    if gen is None:
        pointer = live_id(data_dir)
        if pointer is not None:
            out["consistent"] = False
            out["problems"].append(f"Der Zeiger nennt die Generation {pointer}, die es nicht gibt.")
        return out
    problems: list[str] = out["problems"]
    try:
        manifest = gen.manifest()
    except (OSError, ValueError) as exc:
        out.update(generation=gen.id, consistent=False)
        problems.append(f"manifest.json fehlt oder ist unlesbar: {exc}")
        return out
    if manifest.get("generation") != gen.id:
        problems.append(f"manifest.json nennt die Generation {manifest.get('generation')}, nicht {gen.id}.")
    listed = manifest.get("parts", {})
    present = {p.relative_to(gen.path).as_posix(): p for p in part_files(gen.path)}
    for name, digest in sorted(listed.items()):
        if name not in present:
            problems.append(f"{name}: fehlt.")
        elif file_sha256(present[name]) != digest:
            problems.append(f"{name}: Inhalt passt nicht zur Generation (Prüfsumme).")
    for name in sorted(set(present) - set(listed)):
        problems.append(f"{name}: gehört nicht zur Generation (nicht im Manifest).")
    for part in PARTS:
        meta = gen.path / part / "meta.json"
        if meta.is_file():
            try:
                named = json.loads(meta.read_text("utf-8")).get("generation")
            except ValueError:
                named = None
            if named not in (None, gen.id):
                problems.append(f"{part}/meta.json: gehört zur Generation {named}.")
    dataset = manifest.get("dataset") or {}
    if dataset.get("path"):
        folder = state_dir(data_dir) / dataset["path"]
        for name, digest in sorted((dataset.get("files") or {}).items()):
            f = folder / name
            if not f.is_file():
                problems.append(f"Datensatz {dataset['path']}/{name}: fehlt.")
            elif file_sha256(f) != digest:
                problems.append(f"Datensatz {dataset['path']}/{name}: Inhalt geändert (Prüfsumme).")
    out.update(generation=gen.id, consistent=not problems, manifest=manifest)
    return out


def publish_parts(data_dir: Path, writers: dict[str, Any], manifest: dict[str, Any] | None = None) -> Generation:
    """Publish a new generation whose parts ``writers`` (name → ``write(folder)``) are written anew and
    whose other parts are copied from the live generation (for tools and tests that replace one part;
    imports go through :func:`zielwerk.pipeline.run_import`). Takes the import lock."""
    from .lock import ImportLock

    with ImportLock(data_dir):
        live = live_generation(data_dir)
        staging = Staging(data_dir)
        try:
            base: dict[str, Any] = {}
            if live is not None:
                for part in PARTS:
                    if part not in writers and live.part(part).is_dir():
                        shutil.copytree(live.part(part), staging.path / part)
                try:
                    base = {k: v for k, v in live.manifest().items() if k not in ("generation", "parts")}
                except (OSError, ValueError):
                    base = {}
            for part, write in writers.items():
                (staging.path / part).mkdir(parents=True, exist_ok=True)
                write(staging.path / part)
            staging.write_manifest({**base, "created_at": datetime.now(UTC).isoformat(), **(manifest or {})})
            published = staging.publish()
        except BaseException:
            staging.discard()
            raise
        recover(data_dir)
        return published
