"""Lists for the LZB goal: prevention (who becomes LZB when), projection, intensive case work.

The crossing date comes from the engine: ``lzb_from`` of :func:`zielwerk.indicators.lzb_status` is
the first monthly Stichtag on or after the given one at which the person is LZB if they stay eLb
without a break (638 of 730 days, convention C3). Nothing here re-implements that rule.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.domain.law import INTEGRATION_KINDS, regulation_for

from .common import (
    covers,
    lzb_status,
    profile_rank_sql,
    query,
    sql_date,
    status_batch,
    stichtag_after,
    with_details,
)

HORIZONS = (1, 3, 6)


def _contacts(records) -> pa.Table | None:
    return None if records is None else records.contacts


def _action_plans(records):
    return None if records is None else records.action_plans


def lzb_prevention(
    ds: Dataset, stichtag: date, horizon_months: int = 6, records=None, status: pa.Table | None = None
) -> pa.Table:
    """eLb at ``stichtag`` who are not yet LZB and will be within ``horizon_months`` if they stay.

    One row per person with ``lzb_from`` (the crossing Stichtag), ``months_to_lzb`` (reporting months
    from the Stichtag's month to the crossing month), ``horizon`` (the smallest of 1, 3, 6 months
    that contains the crossing, larger values for longer horizons), ``elb_days_730``, the case context
    (obstacles, measures, caseworker, last contact, status and flags), ``employment_days_730``
    (days in svB, training or self-employment in the last 730 days) and ``obstacle_count``. Ranked
    (``priority`` 1, 2, …) by crossing date, then the chances that intensive counselling prevents
    long-term receipt: more employment days first, then fewer open obstacles, then the profile stage
    (4PM, closer to the labour market first: Markt-, Aktivierungs-, Förder-, Entwicklungs-,
    Stabilisierungs-, Unterstützungsprofil; without a profile — or without the table — last), then person.
    """
    if horizon_months < 1:
        raise ValueError("Der Horizont muss mindestens 1 Monat betragen.")
    st = status if status is not None else lzb_status(ds, stichtag)
    limit = stichtag_after(ds, stichtag, horizon_months)
    m0 = Month.of(stichtag).index
    base = query(
        {"st": st},
        f"""
        SELECT person_id, jobcenter_id, municipality_id, elb_days_730, lzb_from,
               (year(lzb_from) * 12 + month(lzb_from) - 1) - {m0} AS months_to_lzb
        FROM st
        WHERE NOT is_lzb AND lzb_from IS NOT NULL AND lzb_from <= {sql_date(limit)}
        """,
    )
    mt = base.column("months_to_lzb").to_pylist()
    horizon = [next((h for h in HORIZONS if m <= h), m) for m in mt]
    base = base.append_column("horizon", pa.array(horizon, pa.int64()))
    base = _with_chances(ds, base, stichtag)
    out = with_details(ds, base, stichtag, _contacts(records),
                       order_by="lzb_from, employment_days_730 DESC, obstacle_count, "
                                f"{profile_rank_sql('details.profile_stage')} NULLS LAST, person_id")
    return out.append_column("priority", pa.array(range(1, out.num_rows + 1), pa.int64()))


def _with_chances(ds: Dataset, base: pa.Table, stichtag: date) -> pa.Table:
    """``base`` with ``employment_days_730`` (distinct days in the 730 days up to the Stichtag covered
    by employment of an integration kind, ``law.INTEGRATION_KINDS``: svB, training, self-employment)
    and ``obstacle_count`` (open obstacle categories at the Stichtag) — the chances used to rank the
    prevention list after the crossing date."""
    lo = date.fromordinal(stichtag.toordinal() - 729)
    kinds = ", ".join(f"'{k}'" for k in sorted(INTEGRATION_KINDS))
    return query(
        {"base": base, "employment": ds["employment"], "obstacles": ds["obstacles"]},
        f"""
        WITH days AS (
            SELECT DISTINCT e.person_id, unnest(generate_series(greatest(e.start, {sql_date(lo)}),
                   least(coalesce(e."end", {sql_date(stichtag)}), {sql_date(stichtag)}), INTERVAL 1 DAY)) AS d
            FROM employment e SEMI JOIN base USING (person_id)
            WHERE e.kind IN ({kinds}) AND e.start <= {sql_date(stichtag)}
              AND (e."end" IS NULL OR e."end" >= {sql_date(lo)})),
        emp AS (SELECT person_id, count(DISTINCT d) AS n FROM days GROUP BY person_id),
        obs AS (SELECT person_id, count(DISTINCT category) AS n FROM obstacles o
                WHERE {covers('o', stichtag)} GROUP BY person_id)
        SELECT base.*, coalesce(emp.n, 0) AS employment_days_730, coalesce(obs.n, 0) AS obstacle_count
        FROM base LEFT JOIN emp USING (person_id) LEFT JOIN obs USING (person_id)
        """,
    )


def projected_crossings(ds: Dataset, stichtag: date, months: int = 12, status: pa.Table | None = None) -> pa.Table:
    """Projected LZB entries per reporting month after ``stichtag`` (feeds the target module's forecast).

    ``projected_crossings`` for month t = persons in the eLb stock at ``stichtag`` who are not LZB
    there and whose ``lzb_from`` is S_t, i.e. who enter LZB in month t if they stay in receipt.
    Upper bound for the LZB entries of month t from the current stock: those who leave receipt
    before S_t do not cross; entries of people who are not in today's stock (new or returning
    recipients) are not included (docs/fallsteuerung.md). Columns: ``month`` (YYYY-MM),
    ``projected_crossings``, ``cumulative``.
    """
    st = status if status is not None else lzb_status(ds, stichtag)
    # the first month whose Stichtag lies after the given day (the same month for a day before its S)
    first = Month.of(stichtag)
    if stichtag >= stichtag_after(ds, stichtag, 0):
        first = first + 1
    counts = query(
        {"st": st},
        f"""SELECT strftime(lzb_from, '%Y-%m') AS month, count(*) AS n FROM st
           WHERE NOT is_lzb AND lzb_from IS NOT NULL AND lzb_from > {sql_date(stichtag)} GROUP BY 1""",
    )
    by_month = dict(zip(counts.column("month").to_pylist(), counts.column("n").to_pylist()))
    ms = [str(first + i) for i in range(months)]
    vals = [int(by_month.get(m, 0)) for m in ms]
    cum = [sum(vals[: i + 1]) for i in range(len(vals))]
    return pa.table(
        {"month": pa.array(ms, pa.string()), "projected_crossings": pa.array(vals, pa.int64()),
         "cumulative": pa.array(cum, pa.int64())}
    )


def lzb_without_measure(ds: Dataset, stichtag: date, records=None, status: pa.Table | None = None) -> pa.Table:
    """LZB at ``stichtag`` without an active labour-market measure covering the Stichtag (activation,
    K3E2). Active instruments: those of the regulation in force for the Stichtag's month
    (``Regulation.active_instruments``)."""
    st = status if status is not None else lzb_status(ds, stichtag)
    active = sorted(regulation_for(Month.of(stichtag)).active_instruments)
    inlist = ", ".join(f"'{i}'" for i in active)
    base = query(
        {"st": st, "measures": ds["measures"]},
        f"""
        SELECT st.person_id, st.jobcenter_id, st.municipality_id, st.elb_days_730
        FROM st WHERE st.is_lzb AND NOT EXISTS (
            SELECT 1 FROM measures m WHERE m.person_id = st.person_id AND m.instrument IN ({inlist})
              AND {covers('m', stichtag)})
        """,
    )
    return with_details(ds, base, stichtag, _contacts(records))


def lzb_obstacles_without_plan(ds: Dataset, stichtag: date, records=None, status: pa.Table | None = None) -> pa.Table:
    """LZB at ``stichtag`` with at least one open placement obstacle and no action plan in force
    (no plan agreed on or before the Stichtag that has not ended; case records — and, when the dataset
    has the extension table ``action_plan_periods``, no period of it covering the Stichtag)."""
    st = status if status is not None else lzb_status(ds, stichtag)
    plans = _action_plans(records)
    if plans is None:
        from .records import ACTION_PLANS_SCHEMA

        plans = ACTION_PLANS_SCHEMA.empty_table()
    d = sql_date(stichtag)
    base = query(
        {"st": st, "obstacles": ds["obstacles"], "plans": plans, "periods": ds["action_plan_periods"]},
        f"""
        SELECT st.person_id, st.jobcenter_id, st.municipality_id, st.elb_days_730,
               (SELECT count(DISTINCT o.category) FROM obstacles o
                 WHERE o.person_id = st.person_id AND {covers('o', stichtag)}) AS obstacle_count
        FROM st
        WHERE st.is_lzb
          AND EXISTS (SELECT 1 FROM obstacles o WHERE o.person_id = st.person_id AND {covers('o', stichtag)})
          AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.person_id = st.person_id AND p.agreed_on <= {d}
                          AND (p.ended_on IS NULL OR p.ended_on >= {d}))
          AND NOT EXISTS (SELECT 1 FROM periods a WHERE a.person_id = st.person_id AND {covers('a', stichtag)})
        """,
    )
    return with_details(ds, base, stichtag, _contacts(records), order_by="obstacle_count DESC, person_id")


def projection_check(ds: Dataset, stichtag: date, months: int = 6) -> pa.Table:
    """Check the projection from ``stichtag`` against what happened in the following ``months``.

    For each month t: ``projected_crossings`` (see :func:`projected_crossings`);
    ``realised_from_cohort`` — of those projected for t, how many entered LZB in t (LZB at S_t, not at
    S_{t-1}); ``lzb_entries`` — all LZB entries of month t as the engine defines them (C5: LZB at S_t
    and not at S_{t-1}, from the engine's status tables; the monthly summand of the K3E3 numerator);
    the other entries split into ``entries_new`` (not in the eLb stock at ``stichtag``),
    ``entries_former_lzb`` (LZB at ``stichtag``, lost and regained the status) and ``entries_delayed``
    (projected for an earlier month, crossed later after an interruption); ``left_or_delayed`` —
    projected for t but not entered in t (left receipt or interrupted). Identity:
    ``lzb_entries = realised_from_cohort + entries_new + entries_former_lzb + entries_delayed``.
    All membership comes from :func:`zielwerk.indicators.lzb_status`.
    """
    with status_batch(ds, [stichtag_after(ds, stichtag, i) for i in range(months + 1)]):
        return _projection_check(ds, stichtag, months)


def _projection_check(ds: Dataset, stichtag: date, months: int) -> pa.Table:
    st0 = lzb_status(ds, stichtag)
    proj = projected_crossings(ds, stichtag, months, status=st0)
    ids0 = st0.column("person_id").to_pylist()
    lzb0 = {p for p, v in zip(ids0, st0.column("is_lzb").to_pylist()) if v}
    cross_at = {p: c for p, v, c in zip(ids0, st0.column("is_lzb").to_pylist(), st0.column("lzb_from").to_pylist())
                if not v and c is not None}
    stock0 = set(ids0)
    prev = lzb0
    cols: dict[str, list[int]] = {k: [] for k in ("realised_from_cohort", "lzb_entries", "entries_new",
                                                   "entries_former_lzb", "entries_delayed", "left_or_delayed")}
    for i in range(1, months + 1):
        s_t = stichtag_after(ds, stichtag, i)
        st = lzb_status(ds, s_t)
        now = set(st.filter(st.column("is_lzb")).column("person_id").to_pylist())
        entries = now - prev
        planned = {p for p, c in cross_at.items() if c == s_t}
        realised = entries & planned
        cols["realised_from_cohort"].append(len(realised))
        cols["lzb_entries"].append(len(entries))
        cols["entries_new"].append(len(entries - stock0))
        cols["entries_former_lzb"].append(len(entries & lzb0))
        cols["entries_delayed"].append(len({p for p in entries if p in cross_at and cross_at[p] < s_t}))
        cols["left_or_delayed"].append(len(planned - realised))
        prev = now
    for k, v in cols.items():
        proj = proj.append_column(k, pa.array(v, pa.int64()))
    return proj


def forecast_lzb_entries(ds: Dataset, stichtag: date, months: int = 6, calibrate_months_back: int = 12) -> pa.Table:
    """Forecast of LZB entries per month after ``stichtag`` for the target module.

    The projection (:func:`projected_crossings`) counts crossings if everybody stays in receipt. It is
    corrected with what happened after an earlier Stichtag (``calibrate_months_back`` months before,
    whose ``months`` following months must lie before the as-of date): for the k-th month ahead,
    ``survival`` = realised / projected crossings of the cohort then, and ``others`` = entries from
    outside the cohort then (new, former LZB, delayed; :func:`projection_check`).
    ``forecast = projected × survival + others``. Columns: ``month``, ``projected_crossings``,
    ``survival``, ``others``, ``forecast``.
    """
    earlier = stichtag_after(ds, stichtag, -calibrate_months_back)
    if stichtag_after(ds, earlier, months) > ds.as_of:
        raise ValueError("Für die Kalibrierung der Prognose fehlen Daten (Kalibrierungszeitraum nach dem Datenstand).")
    cal = projection_check(ds, earlier, months).to_pylist()
    proj = projected_crossings(ds, stichtag, months).to_pylist()
    rows = []
    for c, p in zip(cal, proj):
        survival = c["realised_from_cohort"] / c["projected_crossings"] if c["projected_crossings"] else 1.0
        others = c["entries_new"] + c["entries_former_lzb"] + c["entries_delayed"]
        rows.append({"month": p["month"], "projected_crossings": p["projected_crossings"], "survival": survival,
                     "others": others, "forecast": p["projected_crossings"] * survival + others})
    schema = pa.schema([("month", pa.string()), ("projected_crossings", pa.int64()), ("survival", pa.float64()),
                        ("others", pa.int64()), ("forecast", pa.float64())])
    return pa.Table.from_pylist(rows, schema=schema)
