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
    """One entry per Bedarfsgemeinschaft whose youngest child living in the BG is 12–35 completed
    months old at ``stichtag`` and which has at least one eLb parent in the stock.

    Household (docs/fallsteuerung.md, "Parents"): the BG of a person is the one of the eLb spell that
    covers the Stichtag (C2). Its parents are its eLb members with role ``head`` or ``partner`` in the
    eLb stock; its children are the members with role ``child`` (spell in the BG covering the
    Stichtag, birth date from ``persons``) — own children and the partner's alike (§ 10 Abs. 1 Nr. 3
    SGB II). Children of the ``children`` table without a spell in the BG live elsewhere and do not
    count. Columns: ``bg_id``, ``person_id`` (first parent: the head if eLb, else the partner),
    ``partner_id`` (second eLb parent, empty if none), ``parents`` (number of eLb parents),
    ``youngest_child_birth``, ``child_age_months``, ``child_turns_3``, ``children`` (children living in
    the BG), ``children_under_3``, and the first parent's case context.
    """
    st = status if status is not None else lzb_status(ds, stichtag)
    lo, hi = law.PARENT_WINDOW_MONTHS
    child_age = law.casework_rule("child_upbringing_age", stichtag).value
    base = query(
        {"st": st, "sp": ds["elb_spells"], "persons": ds["persons"]},
        f"""
        WITH cover AS (SELECT * FROM sp s WHERE {covers('s', stichtag)}),
        own AS (  -- the BG of each person of the stock: the eLb spell covering S that started last (C2)
            SELECT person_id, bg_id, role FROM (
                SELECT c.person_id, c.bg_id, c.role,
                       row_number() OVER (PARTITION BY c.person_id ORDER BY c.start DESC, c.bg_id DESC) AS rn
                FROM cover c SEMI JOIN st USING (person_id) WHERE c.status = 'elb') WHERE rn = 1),
        par AS (
            SELECT bg_id, list(person_id ORDER BY CASE role WHEN 'head' THEN 0 ELSE 1 END, person_id) AS ids
            FROM own WHERE role IN ('head', 'partner') GROUP BY bg_id),
        kids AS (
            SELECT c.bg_id, max(p.birth_date) AS youngest_child_birth, count(DISTINCT c.person_id) AS children,
                   count(DISTINCT c.person_id) FILTER (
                       WHERE {age_years_sql('p.birth_date', stichtag)} < {child_age}) AS children_under_3
            FROM cover c JOIN persons p USING (person_id)
            WHERE c.role = 'child' AND p.birth_date <= {sql_date(stichtag)} GROUP BY c.bg_id)
        SELECT par.bg_id, par.ids[1] AS person_id, par.ids[2] AS partner_id, len(par.ids) AS parents,
               st.jobcenter_id, st.municipality_id, st.is_lzb,
               kids.youngest_child_birth,
               {age_months_sql('kids.youngest_child_birth', stichtag)} AS child_age_months,
               kids.children, kids.children_under_3
        FROM par JOIN kids USING (bg_id) JOIN st ON st.person_id = par.ids[1]
        WHERE {age_months_sql('kids.youngest_child_birth', stichtag)} BETWEEN {lo} AND {hi}
        """,
    )
    turns3 = [third_birthday(b) for b in base.column("youngest_child_birth").to_pylist()]
    base = base.append_column("child_turns_3", pa.array(turns3, pa.date32()))
    contacts = None if records is None else records.contacts
    return with_details(ds, base, stichtag, contacts, order_by="child_turns_3, bg_id")


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
