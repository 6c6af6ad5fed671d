"""What a generation holds, how each part is written and read (readers for web and CLI).

``results/``: ``kennzahlen.parquet`` (long format of the data contract, the official indicators of
the last :data:`HISTORY_MONTHS` months), ``caseload.parquet`` (current assignment of persons to
caseworkers with team, municipality, sex, birth date), ``series.json`` (per Jobcenter with a stored
agreement, the actual series of every indicator of the targets catalogue) and ``meta.json`` (as_of,
Stichtag day, first/last month, provisional months, computed_at, generation, source, unit names,
errors of the list and case-file steps). ``lists/`` and ``caseview/`` are written by
``zielwerk.casework``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zielwerk.domain.calendar import Month
from zielwerk.domain.law import WAITING_MONTHS

#: months of indicators kept for the pages, counted back from the as-of month
HISTORY_MONTHS = 36

CASELOAD_SCHEMA = pa.schema([("person_id", pa.string()), ("caseworker_id", pa.string()), ("team", pa.string()),
                             ("municipality_id", pa.string()), ("sex", pa.string()),
                             ("birth_date", pa.date32()), ("assigned_since", pa.date32()),
                             # optional person names (docs/data.md, "Person names"): empty without them
                             ("first_name", pa.string()), ("last_name", pa.string())])


def provisional_months(as_of: date, last: Month) -> list[str]:
    """C11: months within 3 months of the as-of date (``WAITING_MONTHS``) are provisional."""
    newest = Month.of(as_of)
    return [str(newest - k) for k in range(WAITING_MONTHS) if (newest - k) <= last]


def caseload_table(ds: Any, day: Any = None) -> pa.Table:
    """Assignments at ``day`` (default: the dataset's as-of date) joined with person and caseworker data.

    One row per assignment covering ``day``, in the assignments' order; the municipality is that of the
    person's spell (any status) with the latest start on or before ``day`` (of equal starts, the later
    row). The pipeline passes the work lists' Stichtag, so every person a list names with a caseworker is
    in the caseload and their case page opens (docs/pipeline.md)."""
    import duckdb

    def numbered(tbl: pa.Table) -> pa.Table:
        return tbl.append_column("rn_", pa.array(range(tbl.num_rows), pa.int64()))

    day = f"DATE '{(day or ds.as_of).isoformat()}'"
    con = duckdb.connect()
    try:
        con.register("asg", numbered(ds["assignments"].select(["person_id", "caseworker_id", "start", "end"])))
        con.register("sp", numbered(ds["elb_spells"].select(["person_id", "municipality_id", "start"])))
        persons = ds["persons"]
        for c in ("first_name", "last_name"):  # hand-built tables may lack the optional columns
            if c not in persons.column_names:
                persons = persons.append_column(c, pa.nulls(persons.num_rows, pa.string()))
        con.register("persons", persons.select(["person_id", "sex", "birth_date", "first_name", "last_name"]))
        con.register("workers", ds["caseworkers"].select(["caseworker_id", "team"]))
        out = con.sql(f"""
            WITH w AS (
                SELECT person_id, municipality_id FROM sp WHERE start <= {day}
                QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY start DESC, rn_ DESC) = 1)
            SELECT a.person_id, a.caseworker_id, c.team, w.municipality_id, p.sex, p.birth_date,
                   a.start AS assigned_since, p.first_name, p.last_name
            FROM asg a LEFT JOIN w USING (person_id) LEFT JOIN persons p USING (person_id)
            LEFT JOIN workers c USING (caseworker_id)
            WHERE a.start <= {day} AND (a."end" IS NULL OR a."end" >= {day})
            ORDER BY a.rn_
        """).to_arrow_table()
    finally:
        con.close()
    return out.cast(CASELOAD_SCHEMA)


def unit_names(ds: Any) -> dict[str, str]:
    """``"jobcenter:ID"`` / ``"municipality:AGS"`` → name, for page labels."""
    names = {f"jobcenter:{r['jobcenter_id']}": r["name"] for r in ds["jobcenters"].to_pylist()}
    names.update({f"municipality:{r['municipality_id']}": r["name"] for r in ds["municipalities"].to_pylist()})
    return names


def write_results(folder: Path, kennzahlen: pa.Table, caseload: pa.Table, meta: dict[str, Any],
                  series: dict[str, Any] | None = None) -> None:
    """Write the ``results`` part into ``folder`` (inside a staging generation)."""
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(kennzahlen, folder / "kennzahlen.parquet")
    pq.write_table(caseload, folder / "caseload.parquet")
    if series is not None:
        (folder / "series.json").write_text(json.dumps(series), "utf-8")
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")


class ResultsReader:
    """Read access to one generation's ``results`` folder (immutable: cached per generation)."""

    def __init__(self, folder: Path | None) -> None:
        self.dir = folder
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _cached(self, name: str, load: Callable[[Path], Any], file: str | None = None) -> Any:
        with self._lock:
            if name in self._cache:
                return self._cache[name]
        if self.dir is None:
            return None
        path = self.dir / (file or name)
        if not path.is_file():
            return None
        value = load(path)
        with self._lock:
            self._cache[name] = value
        return value

    def meta(self) -> dict[str, Any] | None:
        return self._cached("meta.json", lambda p: json.loads(p.read_text("utf-8")))

    def kennzahlen(self) -> pa.Table | None:
        return self._cached("kennzahlen.parquet", pq.read_table)

    def series(self) -> dict[str, Any] | None:
        """Actual series per Jobcenter for agreement monitoring."""
        return self._cached("series.json", lambda p: json.loads(p.read_text("utf-8")))

    def caseload(self) -> pa.Table | None:
        return self._cached("caseload.parquet", pq.read_table)

    def _index(self) -> dict[str, Any] | None:
        """Rows grouped by (indicator, unit_type, unit_id), plus units and codes; built once."""

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
        """The caseload rows a person scope (``kind``: none/caseworker/team/all, ``value``) admits
        (optionally of one caseworker), sorted by person."""
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
