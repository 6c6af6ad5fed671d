"""Setting up an instance without the web app: demo users, the example agreement, first import.

Used by ``zielwerk demo`` / ``zielwerk serve`` (cli) and re-exported by ``zielwerk.web.provision``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zielwerk.store import agreements, audit, users

from . import generations as gen
from .parts import ResultsReader

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
EXAMPLE_AGREEMENT = EXAMPLES / "siegen-wittgenstein-2016" / "ziele.toml"
EXAMPLE_KEY = "siegen-wittgenstein-2016"


def load_agreement_file(sessions: sessionmaker[Session], path: Path, key: str, by: str = "demo") -> bool:
    """Store the agreement file ``path`` under ``key`` unless it exists; True if it was added."""
    from zielwerk.targets import load_agreement

    model = load_agreement(path)  # validates, raises AgreementFileInvalid with German messages
    with sessions.begin() as s:
        if agreements.get(s, key) is not None:
            return False
        a = agreements.create(s, key=key, title=model.title or f"Zielvereinbarung {model.year}",
                              jobcenter_id=model.jobcenter_id, year=model.year,
                              document=path.read_text("utf-8"), created_by=by, reason=f"Import aus {path.name}")
        audit.record(s, username=by, action="agreement.create", object_type="agreement", object_id=key,
                     after={"datei": str(path), "fassung": a.versions[-1].number})
    return True


def live_results(data_dir: Path) -> ResultsReader:
    """The results of the live generation (an empty reader if there is none)."""
    g = gen.live_generation(data_dir)
    return ResultsReader(g.part("results") if g else None)


def demo_scope(data_dir: Path) -> dict[str, dict[str, str]]:
    """Scopes for the demo users from the live results: the first municipality, the largest caseload."""
    out: dict[str, dict[str, str]] = {"kommune": {}, "fallmanagement": {}}
    results = live_results(data_dir)
    table = results.caseload()
    if table is not None:
        rows = table.to_pylist()
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["caseworker_id"]] = counts.get(r["caseworker_id"], 0) + 1
        if counts:
            cw = max(sorted(counts), key=lambda k: counts[k])
            team = next(r["team"] for r in rows if r["caseworker_id"] == cw)
            out["fallmanagement"] = {"caseworker_id": cw, "team": team or ""}
    names = (results.meta() or {}).get("unit_names", {})
    municipalities = sorted(k.split(":", 1)[1] for k in names if k.startswith("municipality:"))
    if municipalities:
        out["kommune"] = {"municipality_id": municipalities[0]}
    return out


DEMO_USERS = (
    ("admin", "admin", "Ada Admin"),
    ("gf", "geschaeftsfuehrung", "Gerda Geschäftsführung"),
    ("controlling", "controlling", "Conrad Controlling"),
    ("traeger", "traeger", "Tilo Träger"),
    ("kommune", "kommune", "Klara Kommune"),
    ("fallmanagement", "fallmanagement", "Fritz Fallmanager"),
    ("aufsicht", "aufsicht", "Anna Aufsicht"),  # issue 14: Siegen-Wittgenstein and its Vergleichstyp's peers
)
#: the Jobcenter whose Vergleichstyp the demo supervision user oversees
DEMO_SUPERVISED = "05970"


def ensure_demo_users(sessions: sessionmaker[Session], data_dir: Path,
                      password: Callable[[str], str] | None = None) -> list[tuple[str, str, str]]:
    """Create (or reset the password of) one demo user per role; returns (name, role, password)."""
    scopes = demo_scope(data_dir)
    out = []
    with sessions.begin() as s:
        for name, role, full in DEMO_USERS:
            pw = password(name) if password else f"{name}-{secrets.token_urlsafe(6)}"
            scope: dict[str, Any] = scopes.get(role, {})
            user = users.by_name(s, name)
            if user is None:
                users.create_user(s, name, pw, role, full_name=full, **scope)
            else:
                users.set_password(s, user, pw)
                user.role = role
                for k, v in scope.items():
                    setattr(user, k, v or None)
            extra: dict[str, Any] = {}
            if role == "aufsicht":  # Siegen-Wittgenstein and the other Jobcenters of its type (official table)
                from zielwerk.store import peers

                _, extra["jobcenter"] = peers.assign(s, users.by_name(s, name),
                                                     peers.same_type(s, DEMO_SUPERVISED) or [DEMO_SUPERVISED])
            audit.record(s, username="demo", action="user.demo", object_type="user", object_id=name,
                         after={"rolle": role, **scope, **extra})
            out.append((name, role, pw))
    return out


def default_source(data_dir: Path) -> Path | None:
    """The dataset to compute from: the live generation's copy, else the data folder if it holds tables."""
    g = gen.live_generation(data_dir)
    if g is not None:
        try:
            folder = gen.state_dir(data_dir) / g.manifest()["dataset"]["path"]
        except (OSError, ValueError, KeyError):
            folder = None
        if folder is not None and folder.is_dir():
            return folder
    if any(Path(data_dir).glob("persons.*")):
        return Path(data_dir)
    return None


def results_current(data_dir: Path, jobcenter_ids: tuple[str, ...]) -> bool:
    """Whether a live generation exists, was computed from the data folder's current tables (when the
    folder holds tables itself) and covers the given Jobcenters' agreements."""
    from .run import copy_fingerprint

    g = gen.live_generation(data_dir)
    if g is None:
        return False
    try:
        manifest = g.manifest()
    except (OSError, ValueError):
        return False
    if any(Path(data_dir).glob("persons.*")) and copy_fingerprint(Path(data_dir)) != manifest["dataset"]["fingerprint"]:
        return False
    return set(jobcenter_ids) <= set(manifest.get("jobcenters_monitored", []))


def compute_now(data_dir: Path, jobcenter_ids: tuple[str, ...] = (), echo: Callable[[str], None] = print,
                sessions: Any = None, db_url: str | None = None) -> dict[str, Any]:
    """Run the import pipeline in the foreground on :func:`default_source` (echoing the steps); returns the
    new generation's results meta data. The agreements and case records come from the store
    (``db_url``, default: the data folder's store); ``jobcenter_ids`` and ``sessions`` are accepted for
    callers of the former web helper and not needed."""
    from zielwerk.store import default_url

    from .run import DatasetRejected, run_import

    source = default_source(data_dir)
    if source is None:
        raise DatasetRejected([f"dataset:0:-: Im Datenordner {data_dir} liegt kein Datensatz."])

    def progress(_key: str, label: str, done: int, total: int) -> None:
        echo(f"  {done + 1}/{total}: {label} …")

    run_import(source, data_dir, db_url=db_url or default_url(data_dir), progress=progress)
    return live_results(data_dir).meta() or {}


def load_official_figures(sessions: sessionmaker[Session], data_dir: Path, by: str = "demo") -> int:
    """Import the dataset folder's official table (``amtliche-kennzahlen.csv``, written by ``zielwerk
    generate``; issue 14) unless the store already holds official figures; the number of rows imported."""
    from sqlalchemy import func, select

    from zielwerk.official import FILE_NAME
    from zielwerk.store.models import OfficialFigure
    from zielwerk.store.official import import_file

    path = Path(data_dir) / FILE_NAME
    if not path.is_file():
        return 0
    with sessions() as s:
        if s.scalar(select(func.count()).select_from(OfficialFigure)):
            return 0
    _, summary = import_file(sessions, path, username=by)
    return summary.rows
