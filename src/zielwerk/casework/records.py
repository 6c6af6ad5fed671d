"""Case records (contacts, action plans) and the lists computed from them.

Case records are operational data: the web application stores them (``zielwerk.store``). The logic
here is pure and takes them as Arrow tables, so it works with records read from the store, from CSV
files (:meth:`CaseRecords.read`) or built in tests.

Action plan (Kooperationsplan, until 6/2023 Eingliederungsvereinbarung): ``person_id``,
``agreed_on`` (date signed), ``review_on`` (review date planned in the plan, optional; the store
records it), ``reviewed_on`` (date of the last review, empty if none), ``ended_on`` (empty while in
force). Contact: ``person_id``, ``caseworker_id``, ``contact_date``,
``kind`` (free text, e.g. ``persoenlich``), ``outcome`` (free text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law

from .common import add_months, age_years_sql, covers, query, sql_date

CONTACTS_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("caseworker_id", pa.string()),
        ("contact_date", pa.date32()),
        ("kind", pa.string()),
        ("outcome", pa.string()),
    ]
)
ACTION_PLANS_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("agreed_on", pa.date32()),
        ("review_on", pa.date32()),
        ("reviewed_on", pa.date32()),
        ("ended_on", pa.date32()),
    ]
)


class CaseRecordsInvalid(ValueError):
    """Case record files that cannot be read; the message says file, line and problem (German)."""


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


@dataclass
class CaseRecords:
    """Contacts and action plans recorded by case managers."""

    contacts: pa.Table = field(default_factory=lambda: _empty(CONTACTS_SCHEMA))
    action_plans: pa.Table = field(default_factory=lambda: _empty(ACTION_PLANS_SCHEMA))

    @classmethod
    def from_rows(cls, contacts: list[dict] | None = None, action_plans: list[dict] | None = None) -> CaseRecords:
        return cls(_from_rows(contacts or [], CONTACTS_SCHEMA), _from_rows(action_plans or [], ACTION_PLANS_SCHEMA))

    @classmethod
    def read(cls, directory: str | Path) -> CaseRecords:
        """Read ``contacts.csv`` and ``action_plans.csv`` (canonical CSV; each file optional)."""
        d = Path(directory)
        if not d.is_dir():
            raise CaseRecordsInvalid(f"Fallakten-Verzeichnis {d} nicht gefunden.")
        return cls(_read_csv(d / "contacts.csv", CONTACTS_SCHEMA), _read_csv(d / "action_plans.csv", ACTION_PLANS_SCHEMA))

    def write(self, directory: str | Path) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(self.contacts, d / "contacts.csv")
        pacsv.write_csv(self.action_plans, d / "action_plans.csv")


def _from_rows(rows: list[dict], schema: pa.Schema) -> pa.Table:
    cols = {}
    for f in schema:
        vals = [r.get(f.name) for r in rows]
        if pa.types.is_date(f.type):
            vals = [date.fromisoformat(v) if isinstance(v, str) and v else (v or None) for v in vals]
        cols[f.name] = pa.array(vals, f.type)
    return pa.table(cols, schema=schema)


def _read_csv(path: Path, schema: pa.Schema) -> pa.Table:
    if not path.exists():
        return _empty(schema)
    problems: list[str] = []
    try:
        raw = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={f.name: pa.string() for f in schema}))
    except pa.ArrowInvalid as e:
        raise CaseRecordsInvalid(f"{path.name}: Datei nicht lesbar: {e}") from None
    required = {"person_id", "contact_date", "agreed_on"}
    cols = {}
    for f in schema:
        if f.name not in raw.column_names:
            if f.name in required:
                problems.append(f"{path.name}:1:{f.name}: Spalte fehlt")
                continue
            cols[f.name] = pa.nulls(raw.num_rows, f.type)
            continue
        values = raw.column(f.name).to_pylist()
        if pa.types.is_date(f.type):
            parsed = []
            for i, v in enumerate(values):
                if v is None or v == "":
                    if f.name in required:
                        problems.append(f"{path.name}:{i + 2}:{f.name}: Datum fehlt")
                    parsed.append(None)
                    continue
                try:
                    parsed.append(date.fromisoformat(v))
                except ValueError:
                    problems.append(f"{path.name}:{i + 2}:{f.name}: ungültiges Datum {v!r} (erwartet JJJJ-MM-TT)")
                    parsed.append(None)
            cols[f.name] = pa.array(parsed, pa.date32())
        else:
            if f.name in required:
                for i, v in enumerate(values):
                    if not v:
                        problems.append(f"{path.name}:{i + 2}:{f.name}: Wert fehlt")
            cols[f.name] = pa.array(values, pa.string())
    if problems:
        raise CaseRecordsInvalid("Fallakten fehlerhaft:\n" + "\n".join(problems))
    return pa.table(cols, schema=schema)


def from_store(contacts: list, plans: list) -> CaseRecords:
    """Case records from the store's ORM rows (``zielwerk.store.models.CaseContact`` / ``ActionPlan``):
    a contact's ``at`` becomes ``contact_date``, ``channel`` the ``kind``; a plan with status other
    than ``aktiv`` counts as ended on its review date (the store keeps no end date)."""
    return CaseRecords.from_rows(
        contacts=[{"person_id": c.person_id, "caseworker_id": c.caseworker_id,
                   "contact_date": c.at.date() if hasattr(c.at, "date") else c.at,
                   "kind": c.channel, "outcome": c.outcome} for c in contacts],
        action_plans=[{"person_id": p.person_id, "agreed_on": p.agreed_on, "review_on": p.review_on,
                       "ended_on": None if getattr(p, "status", "aktiv") == "aktiv" else p.review_on}
                      for p in plans],
    )


def review_due(agreed_on: date, reviewed_on: date | None = None, review_on: date | None = None) -> date:
    """Date by which an action plan must next be reviewed.

    At most 6 months after the agreement or the last review, whichever is later (§ 15 (3) SGB II,
    ``law.ACTION_PLAN_REVIEW_MONTHS``); a missing day (31.08. + 6 months) gives the month's last day
    (§ 188 (3) BGB). An earlier review date planned in the plan (``review_on``) is the due date as
    long as no review has taken place since the agreement.
    """
    if reviewed_on is not None and reviewed_on > agreed_on:
        return add_months(reviewed_on, law.ACTION_PLAN_REVIEW_MONTHS)
    limit = add_months(agreed_on, law.ACTION_PLAN_REVIEW_MONTHS)
    return min(review_on, limit) if review_on is not None else limit


def action_plan_status(plans: pa.Table, day: date) -> pa.Table:
    """The action plan in force per person at ``day`` with its review due date.

    In force: agreed on or before ``day`` and not ended before ``day``; if several, the latest
    agreed. Columns: ``person_id``, ``agreed_on``, ``reviewed_on``, ``last_review`` (latest of
    agreement and review dates on or before ``day``), ``review_due``, ``overdue`` (due before ``day``),
    ``days_overdue``.
    """
    d = sql_date(day)
    current = query(
        {"plans": plans},
        f"""
        SELECT person_id, agreed_on, review_on, reviewed_on FROM (
            SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY agreed_on DESC, reviewed_on DESC NULLS LAST) rn
            FROM plans WHERE agreed_on <= {d} AND (ended_on IS NULL OR ended_on >= {d}))
        WHERE rn = 1 ORDER BY person_id
        """,
    )
    agreed = current.column("agreed_on").to_pylist()
    planned = current.column("review_on").to_pylist()
    # reviews recorded after the Stichtag are not known at the Stichtag
    reviewed = [r if r is not None and r <= day else None for r in current.column("reviewed_on").to_pylist()]
    last = [max(a, r) if r is not None else a for a, r in zip(agreed, reviewed)]
    due = [review_due(a, r, p) for a, r, p in zip(agreed, reviewed, planned)]
    overdue = [x < day for x in due]
    return pa.table(
        {
            "person_id": current.column("person_id"),
            "agreed_on": current.column("agreed_on"),
            "review_on": current.column("review_on"),
            "reviewed_on": pa.array(reviewed, pa.date32()),
            "last_review": pa.array(last, pa.date32()),
            "review_due": pa.array(due, pa.date32()),
            "overdue": pa.array(overdue, pa.bool_()),
            "days_overdue": pa.array([max((day - x).days, 0) for x in due], pa.int64()),
        }
    )


def overdue_reviews(plans: pa.Table, day: date) -> pa.Table:
    """Action plans in force at ``day`` whose review is overdue (due date before ``day``)."""
    st = action_plan_status(plans, day)
    return st.filter(pc.field("overdue")).sort_by([("review_due", "ascending"), ("person_id", "ascending")])


def caseload(ds: Dataset, stock: pa.Table, day: date) -> pa.Table:
    """Caseload per caseworker at ``day`` against the staffing ratios.

    ``stock``: the engine's status table of the eLb stock at ``day`` (``person_id`` column).
    Customers are the persons of the stock with an assignment covering ``day`` (the latest started if
    several). Required capacity in full-time positions = U25 / 75 + 25+ / 150
    (``law.STAFFING_RATIO_U25``, ``law.STAFFING_RATIO_25PLUS``); ``load_percent`` = 100 × that (a
    caseworker is counted as one full-time position).
    """
    u25 = law.U25_AGE_LIMIT
    sql = f"""
    WITH asg AS (
        SELECT person_id, caseworker_id FROM (
            SELECT a.person_id, a.caseworker_id,
                   row_number() OVER (PARTITION BY a.person_id ORDER BY a.start DESC, a.caseworker_id DESC) rn
            FROM assignments a WHERE {covers('a', day)}) WHERE rn = 1),
    cust AS (
        SELECT asg.caseworker_id, {age_years_sql('p.birth_date', day)} < {u25} AS is_u25
        FROM stock s JOIN asg USING (person_id) JOIN persons p USING (person_id))
    SELECT cw.caseworker_id, cw.name AS caseworker_name, cw.team, cw.jobcenter_id,
           count(cust.caseworker_id) AS customers,
           count_if(coalesce(cust.is_u25, false)) AS customers_u25,
           count_if(coalesce(NOT cust.is_u25, false)) AS customers_25plus,
           count_if(coalesce(cust.is_u25, false)) / {law.STAFFING_RATIO_U25} + count_if(coalesce(NOT cust.is_u25, false)) / {law.STAFFING_RATIO_25PLUS}
               AS required_fte,
           100.0 * (count_if(coalesce(cust.is_u25, false)) / {law.STAFFING_RATIO_U25}
                    + count_if(coalesce(NOT cust.is_u25, false)) / {law.STAFFING_RATIO_25PLUS}) AS load_percent
    FROM caseworkers cw LEFT JOIN cust ON cust.caseworker_id = cw.caseworker_id
    GROUP BY ALL ORDER BY load_percent DESC, cw.caseworker_id
    """
    out = query(
        {"assignments": ds["assignments"], "caseworkers": ds["caseworkers"], "persons": ds["persons"],
         "stock": stock.select(["person_id"])},
        sql,
    )
    over = pc.greater(out.column("load_percent"), 100.0)
    return out.append_column("over_ratio", over)
