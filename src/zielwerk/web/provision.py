"""Setting up an instance: demo users, the example agreement, first computation of results."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from zielwerk.store import agreements, audit, users

from .results import BatchState, active_dataset, compute_results

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


def demo_scope(data_dir: Path) -> dict[str, dict[str, str]]:
    """Scopes for the demo users from the dataset: the first municipality, the largest caseload."""
    import pyarrow.parquet as pq

    from .results import results_dir

    out: dict[str, dict[str, str]] = {"kommune": {}, "fallmanagement": {}}
    meta_dir = results_dir(data_dir)
    if (meta_dir / "caseload.parquet").exists():
        rows = pq.read_table(meta_dir / "caseload.parquet").to_pylist()
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["caseworker_id"]] = counts.get(r["caseworker_id"], 0) + 1
        if counts:
            cw = max(sorted(counts), key=lambda k: counts[k])
            team = next(r["team"] for r in rows if r["caseworker_id"] == cw)
            out["fallmanagement"] = {"caseworker_id": cw, "team": team or ""}
    import json

    meta_file = meta_dir / "meta.json"
    if meta_file.exists():
        names = json.loads(meta_file.read_text("utf-8")).get("unit_names", {})
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
)


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
            audit.record(s, username="demo", action="user.demo", object_type="user", object_id=name,
                         after={"rolle": role, **scope})
            out.append((name, role, pw))
    return out


def results_current(data_dir: Path, jobcenter_ids: tuple[str, ...]) -> bool:
    """Whether results exist for the active dataset and cover the given Jobcenters."""
    from .results import Results

    r = Results(data_dir)
    meta, series = r.meta(), r.series()
    if meta is None or series is None:
        return False
    if Path(meta.get("source", "")) != active_dataset(data_dir).resolve():
        return False
    return all(jc in series for jc in jobcenter_ids)


def compute_now(data_dir: Path, jobcenter_ids: tuple[str, ...], echo: Callable[[str], None],
                sessions: sessionmaker[Session] | None = None) -> dict[str, Any]:
    """Compute the results in the foreground, echoing the steps (CLI)."""
    state = BatchState()
    import threading

    records = None
    if sessions is not None:
        from .results import store_case_records

        with sessions() as s:
            records = store_case_records(s)

    done = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["meta"] = compute_results(data_dir, state, None, jobcenter_ids, records)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    last = None
    while not done.wait(0.5):
        if state.step != last:
            last = state.step
            echo(f"  {state.done + 1}/{state.total}: {state.step} …")
    if "error" in box:
        raise box["error"]
    return box["meta"]
