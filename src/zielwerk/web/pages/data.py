"""Daten: as-of date and provisional months; import a dataset folder or upload files.

An import is staged into ``<data>/.zielwerk/imports/<time>/``, validated and computed in the
background (progress polled with HTMX); only when everything succeeded does it become the active
dataset. A refused dataset is deleted again and its problems are listed: nothing is stored.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, UploadFile
from fastapi.responses import Response

from zielwerk.data.schema import TABLES
from zielwerk.store import agreements

from ..context import Ctx, PageCtx
from ..results import active_dataset, start_batch, store_case_records
from ..security import path_input_error

ALLOWED_FILES = frozenset({f"{t.name}.{ext}" for t in TABLES for ext in ("csv", "parquet")} | {"dataset.toml"})


def _staging(ctx: Ctx) -> Path:
    data_dir = ctx.request.app.state.config.data_dir
    path = Path(data_dir) / ".zielwerk" / "imports" / f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns()}"
    path.mkdir(parents=True)
    return path


def _render(ctx: Ctx, status_code: int = 200, error: str = "") -> Response:
    app = ctx.request.app
    return ctx.render("data.html", status_code=status_code, meta=app.state.results.meta(),
                      state=app.state.batch, error=error, active=active_dataset(app.state.config.data_dir),
                      allowed=sorted(ALLOWED_FILES))


async def page(ctx: PageCtx) -> Response:
    ctx.require("data.view")
    return _render(ctx)


async def status(ctx: PageCtx) -> Response:
    ctx.require("data.view")
    app = ctx.request.app
    return ctx.render("data_status.html", state=app.state.batch, meta=app.state.results.meta())


def agreement_jobcenters(ctx: Ctx) -> tuple[str, ...]:
    """Jobcenters with a stored agreement: their actual series are computed by the batch."""
    return tuple(sorted({a.jobcenter_id for a in agreements.all_agreements(ctx.db)}))


def _start(ctx: Ctx, staged: Path | None, origin: str) -> Response:
    app = ctx.request.app
    try:
        records = store_case_records(ctx.db)
    except ImportError:  # casework module not installed: lists are built without records
        records = None
    if not start_batch(app.state.config.data_dir, app.state.batch, staged, discard_on_error=staged is not None,
                       jobcenter_ids=agreement_jobcenters(ctx), records=records):
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        return _render(ctx, 409, "Es läuft bereits ein Import; bitte warten.")
    ctx.audit("data.import", object_type="dataset", object_id=origin,
              after={"staging": str(staged) if staged else None})
    return _render(ctx, 202)


async def recompute(ctx: PageCtx) -> Response:
    """Recompute all results from the active dataset (e.g. after a new agreement was added)."""
    ctx.require("data.import")
    return _start(ctx, None, "Neuberechnung")


async def import_folder(ctx: PageCtx, folder: str = Form("")) -> Response:
    ctx.require("data.import")
    if (problem := path_input_error(folder.strip())) is not None:  # e.g. ENAMETOOLONG (issue 12)
        return _render(ctx, 422, problem)
    cfg = ctx.request.app.state.config
    root = Path(cfg.import_root or Path(cfg.data_dir).resolve().parent).resolve()
    source = Path(folder.strip()).expanduser()
    source = (root / source if not source.is_absolute() else source).resolve()
    if not folder.strip() or not source.is_dir():
        return _render(ctx, 422, f"Den Ordner „{folder}“ gibt es auf dem Server nicht.")
    if source != root and root not in source.parents:
        return _render(ctx, 422, f"Importe sind nur aus Ordnern unterhalb von {root} erlaubt.")
    files = [p for p in source.iterdir() if p.name in ALLOWED_FILES]
    if not files:
        return _render(ctx, 422, f"Im Ordner „{source}“ liegen keine Tabellen des Datenvertrags.")
    staged = _staging(ctx)
    for p in files:
        shutil.copy2(p, staged / p.name)
    return _start(ctx, staged, str(source))


def upload(ctx: PageCtx, files: Annotated[list[UploadFile], File()] = []) -> Response:  # noqa: B006
    """Plain ``def``: runs in the thread pool, so copying large files does not block the event loop."""
    ctx.require("data.import")
    cfg = ctx.request.app.state.config
    files = [f for f in files if f.filename]
    if not files:
        return _render(ctx, 422, "Bitte mindestens eine Datei auswählen.")
    unknown = [f.filename for f in files if Path(f.filename or "").name not in ALLOWED_FILES]
    if unknown:
        return _render(ctx, 422, "Unbekannte Dateinamen: " + ", ".join(str(u) for u in unknown)
                       + ". Erlaubt sind die Tabellennamen des Datenvertrags (z. B. persons.csv).")
    staged = _staging(ctx)
    total = 0
    for f in files:
        with open(staged / Path(f.filename or "").name, "wb") as out:
            while chunk := f.file.read(1 << 20):
                total += len(chunk)
                if total > cfg.max_upload_bytes:
                    shutil.rmtree(staged, ignore_errors=True)
                    return _render(ctx, 413, "Die Dateien sind zu groß.")
                out.write(chunk)
    return _start(ctx, staged, "Hochladen: " + ", ".join(str(f.filename) for f in files))
