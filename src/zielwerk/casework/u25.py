"""Lists for the goal "young people under 25 into vocational training" (§ 3 (2) SGB II).

* U25 without vocational degree and not in training: eLb in the stock at the Stichtag, younger than
  25 (``law.U25_AGE_LIMIT``), ``vocational_degree = none`` (missing = unknown, listed separately as
  ``degree_unknown`` so that nobody falls through), no training episode covering the Stichtag.
* U25 integrations into training this year vs last year, month by month and cumulative: the
  agreement's "at least as many as last year".
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month, month_of_day
from zielwerk.domain.calendar import stichtag as stichtag_of

from .common import age_years_sql, covers, lzb_status, query, sql_date, with_details


def u25_without_training(
    ds: Dataset, stichtag: date, records=None, status: pa.Table | None = None, include_unknown: bool = True
) -> pa.Table:
    """U25 eLb at ``stichtag`` without vocational degree and not in vocational training."""
    st = status if status is not None else lzb_status(ds, stichtag)
    degree = "(p.vocational_degree = 'none' OR p.vocational_degree IS NULL)" if include_unknown else "p.vocational_degree = 'none'"
    base = query(
        {"st": st, "persons": ds["persons"], "employment": ds["employment"]},
        f"""
        SELECT st.person_id, st.jobcenter_id, st.municipality_id, st.is_lzb, p.school_degree,
               p.vocational_degree IS NULL AS degree_unknown
        FROM st JOIN persons p USING (person_id)
        WHERE {age_years_sql('p.birth_date', stichtag)} < {law.U25_AGE_LIMIT}
          AND {degree}
          AND NOT EXISTS (SELECT 1 FROM employment e WHERE e.person_id = st.person_id
                          AND e.kind = 'training' AND {covers('e', stichtag)})
        """,
    )
    contacts = None if records is None else records.contacts
    return with_details(ds, base, stichtag, contacts, order_by="age DESC, person_id")


def training_integrations_u25(ds: Dataset, first: Month, last: Month) -> pa.Table:
    """U25 integrations into vocational training per reporting month ``first``..``last``.

    Counted as the integrations of C6 restricted to employment kind ``training`` whose subsidy is not
    publicly funded under the regulation in force (``law.is_integration``): a person in the eLb stock
    at S_{t-1} who starts training in (S_{t-1}, S_t]; or who is in the stock at S_{t-1} but was not at
    S_{t-2} and started in (S_{t-2}, S_{t-1}]. At most one per person and month; U25 = younger than 25
    on the start day. eLb stock at S = an eLb spell covers S (C2). Returns ``month``, ``count``.
    """
    day = ds.stichtag_day
    lo = stichtag_of(first - 2, day)
    hi = stichtag_of(last, day)
    starts = _u25_training_starts(ds, lo, hi)
    counted: set[tuple[str, Month]] = set()
    for pid, start, subsidy, in_prev, in_cur in starts:
        t = month_of_day(start, day)
        if not law.is_integration("training", subsidy, law.regulation_for(t)):
            continue
        # main rule: in the stock at S_{t-1}; counts in month t
        if in_prev and first <= t <= last:
            counted.add((pid, t))
        # late rule: start in (S_{t-1}, S_t], in the stock at S_t but not at S_{t-1}; counts in t+1
        if in_cur and not in_prev and first <= t + 1 <= last:
            counted.add((pid, t + 1))
    ms = [first + i for i in range(last - first + 1)]
    counts = {m: 0 for m in ms}
    for _, m in counted:
        counts[m] += 1
    return pa.table({"month": [str(m) for m in ms], "count": pa.array([counts[m] for m in ms], pa.int64())})


def _u25_training_starts(ds: Dataset, lo: date, hi: date) -> list[tuple]:
    """Training starts in (lo, hi] of persons younger than 25 on the start day, with flags whether the
    person was in the eLb stock (C2: an eLb spell covers the day) at S_{t-1} and S_t of the start's
    reporting month t (month_of_day); one join over the few starts instead of a stock per month."""
    day = ds.stichtag_day
    tbl = query(
        {"employment": ds["employment"], "persons": ds["persons"]},
        f"""
        SELECT e.person_id, e.start, e.subsidy FROM employment e JOIN persons p USING (person_id)
        WHERE e.kind = 'training' AND e.start > {sql_date(lo)} AND e.start <= {sql_date(hi)}
          AND (year(e.start) - year(p.birth_date)
               - CASE WHEN month(p.birth_date) > month(e.start)
                        OR (month(p.birth_date) = month(e.start) AND day(p.birth_date) > day(e.start))
                      THEN 1 ELSE 0 END) < {law.U25_AGE_LIMIT}
        """,
    )
    pids, starts = tbl.column("person_id").to_pylist(), tbl.column("start").to_pylist()
    s_prev = [stichtag_of(month_of_day(x, day) - 1, day) for x in starts]
    s_cur = [stichtag_of(month_of_day(x, day), day) for x in starts]
    probe = pa.table({"i": pa.array(range(len(pids)), pa.int64()), "person_id": pa.array(pids, pa.string()),
                      "s_prev": pa.array(s_prev, pa.date32()), "s_cur": pa.array(s_cur, pa.date32())})
    flags = query(
        {"probe": probe, "sp": ds["elb_spells"]},
        """
        SELECT i,
               bool_or(sp.status = 'elb' AND sp."start" <= s_prev AND (sp."end" IS NULL OR sp."end" >= s_prev)) AS in_prev,
               bool_or(sp.status = 'elb' AND sp."start" <= s_cur AND (sp."end" IS NULL OR sp."end" >= s_cur)) AS in_cur
        FROM probe LEFT JOIN sp USING (person_id) GROUP BY i ORDER BY i
        """,
    )
    in_prev = [bool(x) for x in flags.column("in_prev").to_pylist()]
    in_cur = [bool(x) for x in flags.column("in_cur").to_pylist()]
    subs = tbl.column("subsidy").to_pylist()
    return [(pids[i], starts[i], subs[i], in_prev[i], in_cur[i]) for i in range(len(pids))]


def training_comparison(ds: Dataset, stichtag: date) -> pa.Table:
    """This year's U25 training integrations vs last year's, month by month and cumulative.

    This year: January .. the month of ``stichtag`` if its Stichtag has been reached, else the month
    before (only complete reporting months). Last year: all 12 months. Columns: ``month_no``,
    ``month_this_year``, ``this_year``, ``this_year_cumulative``, ``month_last_year``, ``last_year``,
    ``last_year_cumulative``, ``difference_cumulative`` (this − last; empty for months not yet reached).
    """
    year = stichtag.year
    cur = Month.of(stichtag)
    if stichtag < stichtag_of(cur, ds.stichtag_day):
        cur = cur - 1
    last_year = training_integrations_u25(ds, Month(year - 1, 1), Month(year - 1, 12))
    ly = last_year.column("count").to_pylist()
    if cur.year == year:
        this = training_integrations_u25(ds, Month(year, 1), cur).column("count").to_pylist()
    else:
        this = []
    rows = []
    cum_t = cum_l = 0
    for i in range(12):
        cum_l += ly[i]
        has = i < len(this)
        if has:
            cum_t += this[i]
        rows.append({
            "month_no": i + 1,
            "month_this_year": str(Month(year, i + 1)),
            "this_year": this[i] if has else None,
            "this_year_cumulative": cum_t if has else None,
            "month_last_year": str(Month(year - 1, i + 1)),
            "last_year": ly[i],
            "last_year_cumulative": cum_l,
            "difference_cumulative": (cum_t - cum_l) if has else None,
        })
    schema = pa.schema([("month_no", pa.int64()), ("month_this_year", pa.string()), ("this_year", pa.int64()),
                        ("this_year_cumulative", pa.int64()), ("month_last_year", pa.string()),
                        ("last_year", pa.int64()), ("last_year_cumulative", pa.int64()),
                        ("difference_cumulative", pa.int64())])
    return pa.Table.from_pylist(rows, schema=schema)
