"""Lists for parents (docs/domain.md § 4; § 10 (1) Nr. 3 SGB II, § 24 SGB VIII, § 7a BBiG).

* Outreach list: eLb parents whose youngest child is 12 to 35 completed months old at the Stichtag
  (second and third year of upbringing, ``law.PARENT_WINDOW_MONTHS``), with the day the child turns 3.
* Young parents without vocational degree: eLb parents under 25 (``law.YOUNG_PARENT_AGE_LIMIT``,
  configurable) with ``vocational_degree = none`` who are not in vocational training at the Stichtag —
  the path into (part-time) training.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law

from .common import age_months_sql, age_years_sql, covers, lzb_status, query, sql_date, with_details


def third_birthday(birth: date) -> date:
    """The day a child completes its third year; born 29.02. → 28.02. (§ 188 (3) BGB)."""
    y = birth.year + law.CHILD_UPBRINGING_AGE_YEARS
    try:
        return birth.replace(year=y)
    except ValueError:
        return date(y, 2, 28)


def parents_young_child(ds: Dataset, stichtag: date, records=None, status: pa.Table | None = None) -> pa.Table:
    """eLb at ``stichtag`` whose youngest child (born on or before the Stichtag) is 12–35 completed
    months old. Columns include ``youngest_child_birth``, ``child_age_months``, ``child_turns_3``,
    ``children`` (number of children born by the Stichtag), ``bg_type``-free case context."""
    st = status if status is not None else lzb_status(ds, stichtag)
    lo, hi = law.PARENT_WINDOW_MONTHS
    d = sql_date(stichtag)
    base = query(
        {"st": st, "children": ds["children"]},
        f"""
        WITH kids AS (
            SELECT person_id, max(child_birth_date) AS youngest_child_birth, count(*) AS children
            FROM children WHERE child_birth_date <= {d} GROUP BY person_id)
        SELECT st.person_id, st.jobcenter_id, st.municipality_id, st.is_lzb,
               kids.youngest_child_birth, {age_months_sql('kids.youngest_child_birth', stichtag)} AS child_age_months,
               kids.children
        FROM st JOIN kids USING (person_id)
        WHERE {age_months_sql('kids.youngest_child_birth', stichtag)} BETWEEN {lo} AND {hi}
        """,
    )
    turns3 = [third_birthday(b) for b in base.column("youngest_child_birth").to_pylist()]
    base = base.append_column("child_turns_3", pa.array(turns3, pa.date32()))
    contacts = None if records is None else records.contacts
    return with_details(ds, base, stichtag, contacts, order_by="child_turns_3, person_id")


def young_parents_without_degree(
    ds: Dataset,
    stichtag: date,
    records=None,
    status: pa.Table | None = None,
    age_limit: int = law.YOUNG_PARENT_AGE_LIMIT,
) -> pa.Table:
    """eLb parents younger than ``age_limit`` at ``stichtag`` with vocational degree ``none`` and no
    vocational training (employment kind ``training``) covering the Stichtag. A missing degree entry
    is unknown, not "none": such persons are not listed (docs/fallsteuerung.md)."""
    st = status if status is not None else lzb_status(ds, stichtag)
    d = sql_date(stichtag)
    base = query(
        {"st": st, "children": ds["children"], "persons": ds["persons"], "employment": ds["employment"]},
        f"""
        WITH kids AS (
            SELECT person_id, max(child_birth_date) AS youngest_child_birth, count(*) AS children
            FROM children WHERE child_birth_date <= {d} GROUP BY person_id)
        SELECT st.person_id, st.jobcenter_id, st.municipality_id, p.school_degree,
               kids.youngest_child_birth, kids.children
        FROM st JOIN kids USING (person_id) JOIN persons p USING (person_id)
        WHERE {age_years_sql('p.birth_date', stichtag)} < {int(age_limit)}
          AND p.vocational_degree = 'none'
          AND NOT EXISTS (SELECT 1 FROM employment e WHERE e.person_id = st.person_id
                          AND e.kind = 'training' AND {covers('e', stichtag)})
        """,
    )
    contacts = None if records is None else records.contacts
    return with_details(ds, base, stichtag, contacts, order_by="age, person_id")
