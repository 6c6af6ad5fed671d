"""Precomputed results the pages read, and the batch that writes them.

Heavy work never runs in a request handler. After an import the batch (:func:`compute_results`)
loads the dataset through ``zielwerk.data.reader``, runs ``zielwerk.indicators.compute_kennzahlen``
once and writes, atomically (temporary folder, then rename), into ``<data>/.zielwerk/results/``:

* ``kennzahlen.parquet`` – the long format of the data contract;
* ``caseload.parquet`` – current assignment of persons to caseworkers (person_id, caseworker_id,
  team, municipality_id, sex, birth_date, assigned_since) for the Fallsteuerung pages;
* ``series.json`` – per Jobcenter with a stored agreement, the actual series of every indicator of
  the targets catalogue (``zielwerk.targets.collect``) for monitoring and reports;
* ``meta.json`` – as_of, stichtag_day, first/last month, provisional months, computed_at, source.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zielwerk.atomic import atomic_directory
from zielwerk.domain.calendar import Month
from zielwerk.domain.law import WAITING_MONTHS

RESULTS = Path(".zielwerk") / "results"
#: months of indicators computed back from the as-of month
HISTORY_MONTHS = 36


def results_dir(data_dir: Path) -> Path:
    return Path(data_dir) / RESULTS


def provisional_months(as_of: date, last: Month) -> list[str]:
    """C11: months within 3 months of the as-of date (``WAITING_MONTHS``) are provisional."""
    newest = Month.of(as_of)
    return [str(newest - k) for k in range(WAITING_MONTHS) if (newest - k) <= last]


class Results:
    """Read access to the results folder, cached per file modification time."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = results_dir(data_dir)
        self._cache: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, name: str, load: Callable[[Path], Any], file: str | None = None) -> Any:
        path = self.dir / (file or name)
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            return None
        with self._lock:
            hit = self._cache.get(name)
            if hit and hit[0] == mtime:
                return hit[1]
        value = load(path)
        with self._lock:
            self._cache[name] = (mtime, value)
        return value

    def meta(self) -> dict[str, Any] | None:
        return self._cached("meta.json", lambda p: json.loads(p.read_text("utf-8")))

    def kennzahlen(self) -> pa.Table | None:
        return self._cached("kennzahlen.parquet", pq.read_table)

    def series(self) -> dict[str, Any] | None:
        """Actual series per Jobcenter for agreement monitoring (see ``monitoring.py``)."""
        return self._cached("series.json", lambda p: json.loads(p.read_text("utf-8")))

    def caseload(self) -> pa.Table | None:
        return self._cached("caseload.parquet", pq.read_table)

    def _index(self) -> dict[str, Any] | None:
        """Rows grouped by (indicator, unit_type, unit_id), plus units and codes; built once per file."""

        def build(path: Path) -> dict[str, Any]:
            rows: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
            for r in pq.read_table(path).to_pylist():
                rows.setdefault((r["indicator"], r["unit_type"], r["unit_id"]), []).append(r)
            for v in rows.values():
                v.sort(key=lambda r: (r["month"], r["sex"]))
            return {"rows": rows, "units": sorted({(k[1], k[2]) for k in rows}),
                    "codes": sorted({k[0] for k in rows})}

        return self._cached("kennzahlen.parquet#index", build, "kennzahlen.parquet")

    def indicator_rows(self, indicator: str, unit_type: str, unit_id: str) -> list[dict[str, Any]]:
        """All months and sexes of one indicator for one unit, sorted by month (shared: do not modify)."""
        index = self._index()
        return index["rows"].get((indicator, unit_type, unit_id), []) if index else []

    def units(self) -> list[tuple[str, str]]:
        index = self._index()
        return index["units"] if index else []

    def indicators(self) -> list[str]:
        index = self._index()
        return index["codes"] if index else []

    def person(self, person_id: str) -> dict[str, Any] | None:
        t = self.caseload()
        if t is None:
            return None
        rows = t.filter(pc.equal(t["person_id"], person_id)).to_pylist()
        return rows[0] if rows else None

    def caseload_in(self, scope: Any, caseworker_id: str | None = None) -> list[dict[str, Any]]:
        """The caseload rows a :class:`~zielwerk.web.permissions.PersonScope` admits (optionally of one
        caseworker), sorted by person."""
        t = self.caseload()
        if t is None or scope.kind == "none":
            return []
        if scope.kind == "caseworker":
            t = t.filter(pc.equal(t["caseworker_id"], scope.value))
        elif scope.kind == "team":
            t = t.filter(pc.equal(t["team"], scope.value))
        if caseworker_id is not None:
            t = t.filter(pc.equal(t["caseworker_id"], caseworker_id))
        return sorted(t.to_pylist(), key=lambda r: r["person_id"])

    def caseload_of(self, caseworker_id: str | None) -> list[dict[str, Any]]:
        t = self.caseload()
        if t is None:
            return []
        if caseworker_id is not None:
            t = t.filter(pc.equal(t["caseworker_id"], caseworker_id))
        return sorted(t.to_pylist(), key=lambda r: r["person_id"])


def write_results(data_dir: Path, kennzahlen: pa.Table, caseload: pa.Table, meta: dict[str, Any],
                  series: dict[str, Any] | None = None) -> None:
    """Write the result files atomically: into a temporary folder, then swap it in."""
    with atomic_directory(results_dir(data_dir)) as tmp:
        pq.write_table(kennzahlen, tmp / "kennzahlen.parquet")
        pq.write_table(caseload, tmp / "caseload.parquet")
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        if series is not None:
            (tmp / "series.json").write_text(json.dumps(series), "utf-8")


def caseload_table(ds: Any) -> pa.Table:
    """Current assignments at the dataset's as-of date joined with person and caseworker data."""
    asg = ds["assignments"].to_pylist()
    persons = {p["person_id"]: p for p in ds["persons"].to_pylist()}
    workers = {c["caseworker_id"]: c for c in ds["caseworkers"].to_pylist()}
    where: dict[str, str] = {}
    for s in sorted(ds["elb_spells"].to_pylist(), key=lambda r: r["start"]):
        if s["start"] <= ds.as_of:
            where[s["person_id"]] = s["municipality_id"]
    rows = []
    for a in asg:
        if a["start"] <= ds.as_of and (a["end"] is None or a["end"] >= ds.as_of):
            p = persons.get(a["person_id"], {})
            rows.append({
                "person_id": a["person_id"], "caseworker_id": a["caseworker_id"],
                "team": workers.get(a["caseworker_id"], {}).get("team"),
                "municipality_id": where.get(a["person_id"]), "sex": p.get("sex"),
                "birth_date": p.get("birth_date"), "assigned_since": a["start"],
            })
    schema = pa.schema([("person_id", pa.string()), ("caseworker_id", pa.string()), ("team", pa.string()),
                        ("municipality_id", pa.string()), ("sex", pa.string()),
                        ("birth_date", pa.date32()), ("assigned_since", pa.date32())])
    return pa.Table.from_pylist(rows, schema=schema)


def lists_dir(data_dir: Path) -> Path:
    return Path(data_dir) / ".zielwerk" / "lists"


def store_case_records(session: Any) -> Any:
    """The store's contacts and action plans as ``zielwerk.casework.CaseRecords`` (for the lists)."""
    from sqlalchemy import select

    from zielwerk.casework import CaseRecords
    from zielwerk.store.models import ActionPlan, CaseContact

    contacts = [{"person_id": c.person_id, "caseworker_id": c.caseworker_id, "contact_date": c.at.date(),
                 "kind": c.channel, "outcome": c.outcome} for c in session.scalars(select(CaseContact))]
    plans = [{"person_id": p.person_id, "agreed_on": p.agreed_on, "review_on": p.review_on, "reviewed_on": None,
              "ended_on": None} for p in session.scalars(select(ActionPlan)) if p.status == "aktiv"]
    return CaseRecords.from_rows(contacts, plans)


def write_worklists(ds: Any, data_dir: Path, records: Any = None) -> str | None:
    """The casework work lists (``zielwerk.casework.batch.write_lists``, atomic in its own folder).

    The lists are independent of the indicator results: if building them fails, the error is kept
    in the meta data (shown on the Daten and Fallsteuerung pages) and the indicators still publish.
    """
    try:
        from zielwerk.casework.batch import write_lists

        write_lists(ds, lists_dir(data_dir), records=records)
    except Exception as exc:  # noqa: BLE001 - reported, see docstring
        return f"{type(exc).__name__}: {exc}"
    return None


def casefiles_dir(data_dir: Path) -> Path:
    return Path(data_dir) / ".zielwerk" / "caseview"


def write_casefiles(ds: Any, data_dir: Path) -> str | None:
    """The case files for the person page (``zielwerk.casework.casefile.write_case_files`` at the as-of
    date, atomic in ``<data>/.zielwerk/caseview``); like the lists, a failure is kept in the meta data."""
    try:
        from zielwerk.casework.casefile import write_case_files

        write_case_files(ds, casefiles_dir(data_dir))
    except Exception as exc:  # noqa: BLE001 - reported, see docstring
        return f"{type(exc).__name__}: {exc}"
    return None


def unit_names(ds: Any) -> dict[str, str]:
    """``"jobcenter:ID"`` / ``"municipality:AGS"`` → name, for page labels."""
    names = {f"jobcenter:{r['jobcenter_id']}": r["name"] for r in ds["jobcenters"].to_pylist()}
    names.update({f"municipality:{r['municipality_id']}": r["name"] for r in ds["municipalities"].to_pylist()})
    return names


@dataclass
class BatchState:
    """Progress of the running/last import or batch, shown on the Daten page."""

    running: bool = False
    step: str = ""
    done: int = 0
    total: int = 6
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    finished_at: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def active_dataset(data_dir: Path) -> Path:
    """The dataset folder in use: the last accepted import, else the data folder itself."""
    pointer = Path(data_dir) / ".zielwerk" / "current"
    if pointer.exists():
        target = Path(pointer.read_text("utf-8").strip())
        if target.is_dir():
            return target
    return Path(data_dir)


def activate(data_dir: Path, dataset_dir: Path) -> None:
    """Point the data folder at ``dataset_dir`` (atomic rename of the pointer file)."""
    pointer = Path(data_dir) / ".zielwerk" / "current"
    pointer.parent.mkdir(parents=True, exist_ok=True)
    tmp = pointer.with_suffix(f".tmp-{time.time_ns()}")
    tmp.write_text(str(Path(dataset_dir).resolve()), "utf-8")
    tmp.replace(pointer)


def compute_results(data_dir: Path, state: BatchState | None = None, dataset_dir: Path | None = None,
                    jobcenter_ids: tuple[str, ...] = (), records: Any = None) -> dict[str, Any]:
    """Load (and validate) a dataset, compute all indicators and write the results atomically.

    ``dataset_dir`` defaults to the active dataset. If it is a new import, it becomes the active
    dataset only after it validated and its results were written; on any error nothing changes.
    """
    from zielwerk.data.reader import load_dataset
    from zielwerk.indicators import compute_kennzahlen

    state = state or BatchState()
    source = Path(dataset_dir) if dataset_dir is not None else active_dataset(data_dir)

    def step(text: str, done: int) -> None:
        state.step, state.done = text, done

    step("Datensatz wird gelesen und geprüft", 0)
    ds = load_dataset(source)
    last = Month.of(ds.as_of)
    first = last - (HISTORY_MONTHS - 1)
    step("Kennzahlen werden berechnet", 1)
    kz = compute_kennzahlen(ds, first, last, level="all")
    step("Ist-Werte für die Zielvereinbarungen werden berechnet", 2)
    from .monitoring import collect_series

    known = {r["jobcenter_id"] for r in ds["jobcenters"].to_pylist()}
    series = {jc: collect_series(ds, jc, last) for jc in sorted(set(jobcenter_ids) & known)}
    step("Arbeitslisten der Fallsteuerung werden erstellt", 3)
    lists_error = write_worklists(ds, data_dir, records)
    caseview_error = write_casefiles(ds, data_dir)
    step("Ergebnisse werden geschrieben", 4)
    meta = {
        "as_of": ds.as_of.isoformat(),
        "stichtag_day": ds.stichtag_day,
        "first_month": str(first),
        "last_month": str(last),
        "provisional_months": provisional_months(ds.as_of, last),
        "computed_at": datetime.now(UTC).isoformat(),
        "source": str(source.resolve()),
        "unit_names": unit_names(ds),
        "lists_error": lists_error,
        "caseview_error": caseview_error,
    }
    write_results(data_dir, kz, caseload_table(ds), meta, series)
    if dataset_dir is not None:
        activate(data_dir, source)
    step("fertig", 6)
    return meta


def start_batch(data_dir: Path, state: BatchState, dataset_dir: Path | None = None,
                discard_on_error: bool = False, jobcenter_ids: tuple[str, ...] = (), records: Any = None) -> bool:
    """Run :func:`compute_results` in a background thread; False if one is already running.

    ``discard_on_error``: delete ``dataset_dir`` if it is refused (a staged upload).
    """
    with state.lock:
        if state.running:
            return False
        state.running, state.error, state.problems, state.done = True, None, [], 0
        state.step = "gestartet"

    def run() -> None:
        try:
            compute_results(data_dir, state, dataset_dir, jobcenter_ids, records)
        except Exception as exc:  # noqa: BLE001 - shown on the Daten page; the old results stay in place
            problems = getattr(exc, "problems", None)
            if problems is not None:
                state.error = f"Der Datensatz wurde abgelehnt ({len(problems)} Probleme). Nichts wurde übernommen."
                state.problems = [str(p) for p in problems]
            else:
                state.error = f"Fehler bei der Verarbeitung: {type(exc).__name__}: {exc}"
            if discard_on_error and dataset_dir is not None:
                shutil.rmtree(dataset_dir, ignore_errors=True)
        finally:
            state.running = False
            state.finished_at = datetime.now(UTC)

    threading.Thread(target=run, name="zielwerk-batch", daemon=True).start()
    return True
