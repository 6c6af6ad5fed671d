"""Daten: the live generation (as-of date, provisional months, dataset); import a folder or upload files.

Every import runs the pipeline (``zielwerk.pipeline``) in a separate worker process with a memory
limit and row/byte limits per file; the page polls its progress (HTMX). Uploaded files wait in
``<data>/.zielwerk/imports/`` until the worker has copied them into the data folder's dataset store;
the worker publishes one new generation or nothing. A second import while one runs (in this or any
other process, e.g. ``zielwerk einlesen``) is refused at once with HTTP 409.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, UploadFile
from fastapi.responses import Response

from zielwerk.data.schema import TABLES
from zielwerk.pipeline import generations as gen
from zielwerk.pipeline.lock import ImportRunning
from zielwerk.pipeline.sources import SourceRefused, check_source, resolve_in_root

from ..context import Ctx, PageCtx
from ..results import active_dataset, snapshot, start_batch
from ..security import path_input_error

ALLOWED_FILES = frozenset({f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"dataset.toml"})


def _data_dir(ctx: Ctx) -> Path:
    return Path(ctx.request.app.state.config.data_dir)


def _staging(ctx: Ctx) -> Path:
    path = gen.state_dir(_data_dir(ctx)) / gen.IMPORTS / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns()}"
    path.mkdir(parents=True)
    return path


def _render(ctx: Ctx, status_code: int = 200, error: str = "") -> Response:
    app = ctx.request.app
    g = snapshot(_data_dir(ctx))
    return ctx.render("data.html", status_code=status_code, meta=app.state.results.meta(),
                      state=app.state.batch, error=error, active=active_dataset(_data_dir(ctx)),
                      generation=g.id if g else None, allowed=sorted(ALLOWED_FILES),
                      import_root=app.state.config.import_root_dir())


def page(ctx: PageCtx) -> Response:
    ctx.require("data.view")
    return _render(ctx)


def status(ctx: PageCtx) -> Response:
    ctx.require("data.view")
    app = ctx.request.app
    return ctx.render("data_status.html", state=app.state.batch, meta=app.state.results.meta())


def _db_url(ctx: Ctx) -> str:
    from zielwerk.store import default_url

    cfg = ctx.request.app.state.config
    return cfg.db_url or default_url(cfg.data_dir)


def _start(ctx: Ctx, source: Path | None, origin: str, staged: Path | None = None) -> Response:
    app = ctx.request.app
    if source is None:
        return _render(ctx, 409, "Es liegt noch kein Datensatz vor; bitte zuerst einen Datensatz importieren.")
    try:
        start_batch(_data_dir(ctx), app.state.batch, source, db_url=_db_url(ctx), cleanup=staged)
    except ImportRunning as exc:
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        return _render(ctx, 409, str(exc))
    ctx.audit("data.import", object_type="dataset", object_id=origin,
              after={"quelle": str(source), "hochgeladen": staged is not None})
    return _render(ctx, 202)


def recompute(ctx: PageCtx) -> Response:
    """Recompute all results from the live dataset (e.g. after a new agreement was added)."""
    ctx.require("data.import")
    return _start(ctx, active_dataset(_data_dir(ctx)), "Neuberechnung")


def import_folder(ctx: PageCtx, folder: str = Form("")) -> Response:
    """A folder below the import root (``WebConfig.import_root_dir``): ``..`` is resolved textually,
    symbolic links are not followed (the folder, a folder on the way or a table file being a link is
    refused), FIFOs and devices are refused; every refusal is HTTP 422 and changes nothing."""
    ctx.require("data.import")
    name = folder.strip()
    if (problem := path_input_error(name)) is not None:  # e.g. ENAMETOOLONG (issue 12)
        return _render(ctx, 422, problem)
    if not name:
        return _render(ctx, 422, "Bitte einen Ordner unterhalb des Import-Ordners angeben.")
    root = ctx.request.app.state.config.import_root_dir()
    try:
        source = resolve_in_root(root, name)
        names = check_source(source, follow_folder=False)
    except SourceRefused as exc:
        return _render(ctx, 422, " ".join(exc.problems))
    if not names:
        return _render(ctx, 422, f"Im Ordner „{source}“ liegen keine Tabellen des Datenvertrags.")
    # the worker copies the table files (O_NOFOLLOW) into the data folder's dataset store; the source is only read
    return _start(ctx, source, str(source))


def upload(ctx: PageCtx, files: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """Plain ``def``: runs in the thread pool, so copying large files does not block the event loop."""
    ctx.require("data.import")
    cfg = ctx.request.app.state.config
    files = [f for f in files if f.filename]
    if not files:
        return _render(ctx, 422, "Bitte mindestens eine Datei auswählen.")
    # only the bare contract names: no path parts ("../x", "a/persons.csv", "C:\\x\\persons.csv")
    unknown = [f.filename for f in files if str(f.filename) not in ALLOWED_FILES]
    if unknown:
        return _render(ctx, 422, "Unbekannte Dateinamen: " + ", ".join(str(u) for u in unknown)
                       + ". Erlaubt sind die Tabellennamen des Datenvertrags (z. B. persons.csv).")
    if ctx.request.app.state.batch.running:
        return _render(ctx, 409, str(ImportRunning()))
    staged = _staging(ctx)
    total = 0
    for f in files:
        with open(staged / str(f.filename), "wb") as out:
            while chunk := f.file.read(1 << 20):
                total += len(chunk)
                if total > cfg.max_upload_bytes:
                    shutil.rmtree(staged, ignore_errors=True)
                    return _render(ctx, 413, "Die Dateien sind zu groß.")
                out.write(chunk)
    return _start(ctx, staged, "Hochladen: " + ", ".join(str(f.filename) for f in files), staged)
