"""The extension tables of issue 15 (docs/data.md, "Extension tables"), drawn from the contract tables.

One vectorised implementation (numpy over day numbers) for both scenarios: it reads only contract
tables (``persons``, ``elb_spells``, ``employment``, ``measures``, ``children`` and, if present,
``obstacles``), so the Siegen-Wittgenstein scenario calls it once on its finished tables and the
``germany`` scenario once per chunk. It uses its own random generator, so the tables the scenarios
wrote before stay byte-identical (the § 16a services are *added* to ``measures``).

Rules and prevalences (docs/synthetic.md, "Extension tables"; the bounds are checked by
``tests/synth/test_extension.py``):

- **receipt periods**: a person's eLb spells merged over gaps of up to 31 days;
- **school attendance**: every person of the data from the school year in which they turn 6 (start
  1 August) to the end of general schooling (31 July after the 16th birthday, 30 %; after the 17th,
  25 %; after the 19th, Abitur, the rest); after a school-leaving at 16 or 17, 45 % attend a full-time
  vocational school for one or two more years; only rows that end in 2010 or later are kept;
- **§ 10 exemptions**: ``child_under_3`` for a parent (head or partner) in receipt while a child of
  the ``children`` table is under 3 (mothers 80 %, fathers 8 % of such periods); ``school_training``
  for pupils aged 15 or more while in receipt (90 %); ``care_of_relative`` for 1.5 % of the receipt
  periods of persons aged 40 or more (6–36 months); ``other`` for 1 % of the adults' periods (3–12
  months). Each is cut to the receipt period;
- **registered unemployment**: the days of a receipt period, aged 15 to the day before the 65th
  birthday, that are not covered by svB, training, self-employment or publicly funded work
  (marginal jobs of up to 15 hours do not end unemployment), by an active measure (§ 16 Abs. 2
  SGB III), by school attendance or by an exemption; of those pieces (at least 14 days) 80 % are
  registered (the rest: unavailable, e.g. ill). Pieces are disjoint per person by construction;
- **profile stages** (4PM): assessed 0–30 days after the start of each receipt period of a person
  aged 15 or more, and again every 12 months of the period; the first stage depends on the person's
  vocational degree and age, a re-assessment moves one step towards the complex profiles (30 %) or
  towards the market (15 %); of the assessments before ``detail_from`` only a person's last one is kept;
- **action plans** (Eingliederungsvereinbarung/Kooperationsplan): 80 % of the receipt periods of
  persons aged 15 or more get a first plan 14–90 days after the start, followed by plans of six
  months with gaps of 0–60 days until the period ends;
- **§ 16a services** (``measures``): where the data has obstacles, 35 % of the debt, 40 % of the
  addiction, 25 % of the mental-health obstacles, 30 % of the childcare and 10 % of the
  care-of-relatives obstacles lead to the matching service 14–180 days after the obstacle was
  recorded; without obstacles (``germany``), 5 % / 1.5 % / 2 % / 3 % of the adults' receipt periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zielwerk.data.dataset import arrow_schema
from zielwerk.data.schema import TABLES_BY_NAME
from zielwerk.domain import codes, law

EPOCH = date(1970, 1, 1).toordinal()
OPEN = np.iinfo(np.int32).max  # an open end


def _days(arr: pa.ChunkedArray | pa.Array, fill: int = OPEN) -> np.ndarray:
    """date32 → day numbers (int64); missing → ``fill``."""
    return pc.fill_null(arr.cast(pa.int32()), fill).to_numpy().astype(np.int64)


def _year_days(years: np.ndarray, month: int, day: int) -> np.ndarray:
    """Day number of ``day``.``month``. of each year."""
    y = (np.asarray(years, np.int64) - 1970).astype("datetime64[Y]")
    return (y.astype("datetime64[M]") + (month - 1)).astype("datetime64[D]").astype(np.int64) + (day - 1)


def _years_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _birthday(birth: np.ndarray, years: int) -> np.ndarray:
    """Day number of the birthday at ``years`` (29 Feb → 1 Mar): same month, same day of the month."""
    b = np.asarray(birth, np.int64).astype("datetime64[D]")
    m = b.astype("datetime64[M]")
    day = (b - m.astype("datetime64[D]")).astype(np.int64)
    return (m + np.timedelta64(12 * years, "M")).astype("datetime64[D]").astype(np.int64) + day


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = arrow_schema(TABLES_BY_NAME[name])
    return pa.Table.from_arrays([columns[f.name].cast(f.type) for f in schema], schema=schema)


def _dates(days: np.ndarray, as_of: int) -> pa.Array:
    """Day numbers → date32; beyond ``as_of`` (or open) → missing (open end)."""
    d = np.asarray(days, np.int64)
    return pa.array(np.minimum(d, 2**31 - 1).astype(np.int32), mask=d > as_of).cast(pa.date32())


def _key(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """One int64 sort key for (person, day): one argsort instead of a slower lexsort. Days are clipped to
    1800–2300 (open ends lie beyond the as-of day only by one, so nothing that matters is clipped)."""
    return (np.asarray(p, np.int64) << 20) | (np.clip(d, -62_000, 120_000) + 62_000)


def _periods(p: np.ndarray, s: np.ndarray, e: np.ndarray, gap: int = 31) -> tuple[np.ndarray, ...]:
    """Merge intervals per person over gaps of up to ``gap`` days (inputs in any order)."""
    if not len(p):
        return p, s, e, p
    o = np.argsort(_key(p, s))
    p, s, e = p[o], s[o], e[o]
    # running maximum of the end within each person (ends never decrease the maximum)
    new_person = np.r_[True, p[1:] != p[:-1]]
    grp = np.cumsum(new_person) - 1
    offset = grp.astype(np.int64) * (2**33)
    run = np.maximum.accumulate(e + offset) - offset
    prev_end = np.r_[np.int64(-(2**40)), run[:-1]]
    starts_new = new_person | (s > prev_end + gap + 1)
    pid = np.cumsum(starts_new) - 1
    first = np.nonzero(starts_new)[0]
    last = np.r_[first[1:], len(p)] - 1
    return p[first], s[first], run[last], pid


def _merge_same_day(p: np.ndarray, s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    q, a, b, _ = _periods(p, s, e, gap=0)
    return q, a, b


def _sweep(p_ok: np.ndarray, s_ok: np.ndarray, e_ok: np.ndarray, p_bl: np.ndarray, s_bl: np.ndarray,
           e_bl: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The days covered by an ``ok`` interval and by no blocking interval, as maximal intervals per person.

    A sweep over all start/end events sorted by person and day; counts of open ``ok`` and blocking
    intervals are cumulative sums (each person's events sum to zero)."""
    ev_p = np.concatenate([p_ok, p_ok, p_bl, p_bl])
    ev_d = np.concatenate([s_ok, e_ok + 1, s_bl, e_bl + 1])
    ok_delta = np.concatenate([np.ones(len(p_ok)), -np.ones(len(p_ok)), np.zeros(2 * len(p_bl))]).astype(np.int64)
    bl_delta = np.concatenate([np.zeros(2 * len(p_ok)), np.ones(len(p_bl)), -np.ones(len(p_bl))]).astype(np.int64)
    o = np.argsort(_key(ev_p, ev_d))  # the order of events on one day does not matter (states after the day)
    ev_p, ev_d = ev_p[o], ev_d[o]
    ok_c, bl_c = np.cumsum(ok_delta[o]), np.cumsum(bl_delta[o])
    # after the last event of a day the state holds until the next event of the same person
    last_of_day = np.r_[(ev_p[1:] != ev_p[:-1]) | (ev_d[1:] != ev_d[:-1]), True]
    idx = np.nonzero(last_of_day)[0]
    p, d, on = ev_p[idx], ev_d[idx], (ok_c[idx] > 0) & (bl_c[idx] == 0)
    nxt_same = np.r_[p[1:] == p[:-1], False]
    seg = on & nxt_same
    a = d[seg]
    b = np.r_[d[1:], 0][seg] - 1
    return _merge_same_day(p[seg], a, b)


def _expand(first: np.ndarray, n: np.ndarray) -> np.ndarray:
    """first[0], first[0]+1, …, first[0]+n[0]−1, first[1], …: the rows of each range, concatenated."""
    rep = np.repeat(np.arange(len(n)), n)
    return first[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n))


def extension_tables(tables: Mapping[str, pa.Table], rng: np.random.Generator, as_of: date,
                     keep_from: date, detail_from: date | None = None) -> dict[str, pa.Table]:
    """The five extension tables and ``measures_16a`` (rows to add to ``measures``).

    Rows ending before ``keep_from`` are left out; action plans ending before ``detail_from`` (default
    ``keep_from``) too, and of the profile assessments before it only each person's last one (it still
    holds) — the ``germany`` scenario passes 01.01.2015 to keep its volume small (the lists look at
    recent Stichtage); the random draws do not depend on it."""
    AS = as_of.toordinal() - EPOCH
    KEEP = keep_from.toordinal() - EPOCH
    DETAIL = (detail_from or keep_from).toordinal() - EPOCH
    persons = tables["persons"]
    pids = persons.column("person_id").combine_chunks()
    birth = _days(persons.column("birth_date"))
    sex_f = pc.equal(persons.column("sex"), "f").to_numpy(zero_copy_only=False)
    voc_none = pc.fill_null(pc.equal(persons.column("vocational_degree"), "none"), False).to_numpy(
        zero_copy_only=False) if "vocational_degree" in persons.column_names else np.zeros(len(pids), bool)

    def idx(col: pa.ChunkedArray) -> np.ndarray:
        """Row of each person id in ``persons`` (−1: unknown)."""
        return pc.fill_null(pc.index_in(col, value_set=pids), -1).to_numpy(zero_copy_only=False).astype(np.int64)

    sp = tables["elb_spells"]
    elb = pc.equal(sp.column("status"), "elb")
    sp = sp.filter(elb)
    sp_p, sp_s, sp_e = idx(sp.column("person_id")), _days(sp.column("start")), _days(sp.column("end"))
    sp_e = np.minimum(sp_e, AS + 1)  # open: beyond the as-of day
    sp_head = pc.is_in(sp.column("role"), value_set=pa.array(["head", "partner"])).to_numpy(zero_copy_only=False)
    # receipt periods
    rp_p, rp_s, rp_e, _ = _periods(sp_p, sp_s, sp_e)
    rp_age = (rp_s - birth[rp_p]) / 365.25

    out: dict[str, pa.Table] = {}

    # --- school attendance -----------------------------------------------------------------------
    by = _years_of(birth[np.arange(len(pids))])
    sch_start = _year_days(by + 6, 8, 1)
    u = rng.random(len(pids))
    leave_age = np.where(u < 0.30, 16, np.where(u < 0.55, 17, 19))
    # general schooling ends on the 31 July after the birthday of leave_age
    bday = np.choose(np.searchsorted([16, 17, 19], leave_age), [_birthday(birth, a) for a in (16, 17, 19)])
    jul31 = _year_days(_years_of(bday), 7, 31)
    gen_end = np.where(jul31 >= bday, jul31, _year_days(_years_of(bday) + 1, 7, 31))
    voc = (leave_age < 19) & (rng.random(len(pids)) < 0.45)
    voc_years = rng.integers(1, 3, len(pids))
    voc_end = _year_days(_years_of(gen_end) + voc_years, 7, 31)
    rows_p = np.concatenate([np.arange(len(pids)), np.nonzero(voc)[0]])
    rows_t = np.concatenate([np.zeros(len(pids), np.int64), np.ones(int(voc.sum()), np.int64)])
    rows_s = np.concatenate([sch_start, gen_end[voc] + 1])
    rows_e = np.concatenate([gen_end, voc_end[voc]])
    keep = (rows_e >= KEEP) & (rows_s <= AS)
    rows_p, rows_t, rows_s, rows_e = rows_p[keep], rows_t[keep], rows_s[keep], rows_e[keep]
    o = np.lexsort((rows_s, rows_p))
    rows_p, rows_t, rows_s, rows_e = rows_p[o], rows_t[o], rows_s[o], rows_e[o]
    out["school_attendance"] = _table("school_attendance", {
        "person_id": pids.take(pa.array(rows_p)),
        "school_type": pa.array(np.array(codes.SCHOOL_TYPES)[rows_t]),
        "start": _dates(rows_s, AS), "end": _dates(rows_e, AS)})
    school = (rows_p, rows_s, rows_e)

    # --- § 10 exemptions -------------------------------------------------------------------------
    ex_p, ex_r, ex_s, ex_e = [], [], [], []

    def cut(p, a, b, reason):
        lo, hi = np.maximum(a, 0), b
        ok = hi >= lo
        ex_p.append(p[ok]); ex_r.append(np.full(int(ok.sum()), reason)); ex_s.append(lo[ok]); ex_e.append(hi[ok])

    # child under 3: per (parent spell as head/partner, child of the parent)
    ch = tables["children"]
    ch_p, ch_b = idx(ch.column("person_id")), _days(ch.column("child_birth_date"))
    hp, hs, he = sp_p[sp_head], sp_s[sp_head], sp_e[sp_head]
    hp2, hs2, he2, _ = _periods(hp, hs, he)
    order = np.argsort(ch_p, kind="stable")
    ch_p, ch_b = ch_p[order], ch_b[order]
    lo_i = np.searchsorted(ch_p, hp2, "left")
    hi_i = np.searchsorted(ch_p, hp2, "right")
    n = hi_i - lo_i
    rep = np.repeat(np.arange(len(hp2)), n)
    kid = _expand(lo_i, n)
    kb = ch_b[kid]
    a = np.maximum(hs2[rep], kb)
    b = np.minimum(he2[rep], _birthday(kb, law.CHILD_UPBRINGING_AGE_YEARS) - 1)
    par = hp2[rep]
    take = rng.random(len(rep)) < np.where(sex_f[par], 0.80, 0.08)
    cut(par[take], a[take], b[take], 0)
    # school/training: pupils aged 15+ while in receipt
    sp15 = _birthday(birth[school[0]], law.ELB_MIN_AGE)
    s_a, s_b, s_p = np.maximum(school[1], sp15), school[2], school[0]
    lo_i = np.searchsorted(rp_p, s_p, "left") if len(rp_p) else np.zeros(len(s_p), np.int64)
    hi_i = np.searchsorted(rp_p, s_p, "right") if len(rp_p) else np.zeros(len(s_p), np.int64)
    n = hi_i - lo_i
    rep = np.repeat(np.arange(len(s_p)), n)
    per = _expand(lo_i, n)
    a = np.maximum(s_a[rep], rp_s[per])
    b = np.minimum(s_b[rep], rp_e[per])
    take = rng.random(len(rep)) < 0.90
    cut(s_p[rep][take], a[take], b[take], 2)
    # care of a relative (40+), other (adults)
    for reason, prob, min_age, lo_m, hi_m in ((1, 0.015, 40, 6, 36), (3, 0.01, 18, 3, 12)):
        hit = np.nonzero((rp_age >= min_age) & (rng.random(len(rp_p)) < prob))[0]
        start = rp_s[hit] + (rng.random(len(hit)) * np.maximum(np.minimum(rp_e[hit], AS) - rp_s[hit], 0)).astype(np.int64)
        end = np.minimum(start + rng.integers(lo_m * 30, hi_m * 30, len(hit)), rp_e[hit])
        cut(rp_p[hit], start, end, reason)
    ex_p, ex_r, ex_s, ex_e = (np.concatenate(x) for x in (ex_p, ex_r, ex_s, ex_e))
    keep = (ex_s <= AS) & (ex_e >= KEEP)
    ex_p, ex_r, ex_s, ex_e = ex_p[keep], ex_r[keep], ex_s[keep], ex_e[keep]
    o = np.lexsort((ex_r, ex_s, ex_p))
    ex_p, ex_r, ex_s, ex_e = ex_p[o], ex_r[o], ex_s[o], ex_e[o]
    out["exemptions"] = _table("exemptions", {
        "person_id": pids.take(pa.array(ex_p)), "reason": pa.array(np.array(codes.EXEMPTION_REASONS)[ex_r]),
        "start": _dates(ex_s, AS), "end": _dates(ex_e, AS)})

    # --- registered unemployment -------------------------------------------------------------------
    # only days in receipt (spells merged where they touch, not over gaps)
    rp0_p, rp0_s, rp0_e, _ = _periods(sp_p, sp_s, sp_e, gap=0)
    ok_s = np.maximum(rp0_s, _birthday(birth[rp0_p], law.ELB_MIN_AGE))
    ok_e = np.minimum(rp0_e, _birthday(birth[rp0_p], 65) - 1)
    good = ok_e >= ok_s
    emp = tables["employment"]
    blocking_kind = pc.is_in(emp.column("kind"), value_set=pa.array(["svb", "training", "self_employed",
                                                                      "public_funded"]))
    emp = emp.filter(pc.or_(blocking_kind, pc.is_in(emp.column("subsidy"), value_set=pa.array(["agh", "fav", "16i"]))))
    mea = tables["measures"]
    active = sorted(law.REGULATIONS[0].active_instruments)
    mea = mea.filter(pc.is_in(mea.column("instrument"), value_set=pa.array(active)))
    bl_p = np.concatenate([idx(emp.column("person_id")), idx(mea.column("person_id")), school[0], ex_p])
    bl_s = np.concatenate([_days(emp.column("start")), _days(mea.column("start")), school[1], ex_s])
    bl_e = np.concatenate([np.minimum(_days(emp.column("end")), AS + 1), np.minimum(_days(mea.column("end")), AS + 1),
                           school[2], ex_e])
    ok = bl_p >= 0
    up, us, ue = _sweep(rp0_p[good], ok_s[good], ok_e[good], bl_p[ok], bl_s[ok], bl_e[ok])
    keep = (ue - us + 1 >= 14) & (rng.random(len(up)) < 0.80) & (us <= AS) & (ue >= KEEP)
    up, us, ue = up[keep], us[keep], ue[keep]
    out["unemployment_spells"] = _table("unemployment_spells", {
        "person_id": pids.take(pa.array(up)), "start": _dates(us, AS), "end": _dates(ue, AS)})

    # --- profile stages ------------------------------------------------------------------------------
    adult = rp_age >= law.ELB_MIN_AGE
    ap, as_, ae, aage = rp_p[adult], rp_s[adult], rp_e[adult], rp_age[adult]
    # first stage: index 0..5 (market..support); lower vocational degree and higher age → more complex
    mean = 2.4 + 0.8 * voc_none[ap] + 0.6 * (aage >= 50) - 0.5 * (aage < 25)
    first = np.clip(np.rint(mean + rng.normal(0, 1.1, len(ap))), 0, 5).astype(np.int64)
    pr_p, pr_st, pr_d = [ap], [first], [as_ + rng.integers(0, 31, len(ap))]
    stage = first
    for year in range(1, int((AS - as_.min()) // 365) + 2 if len(ap) else 1):  # re-assessed every 12 months
        t = as_ + round(year * 365.25)
        go = (ae >= t) & (t <= AS)
        if not go.any():
            continue
        r = rng.random(len(ap))
        stage = np.clip(stage + np.where(r < 0.30, 1, np.where(r < 0.45, -1, 0)), 0, 5)
        pr_p.append(ap[go]); pr_st.append(stage[go]); pr_d.append(t[go])
    pr_p, pr_st, pr_d = (np.concatenate(x) for x in (pr_p, pr_st, pr_d))
    keep = pr_d <= AS
    pr_p, pr_st, pr_d = pr_p[keep], pr_st[keep], pr_d[keep]
    o = np.lexsort((pr_d, pr_p))
    pr_p, pr_st, pr_d = pr_p[o], pr_st[o], pr_d[o]
    # before detail_from (2010 for Siegen-Wittgenstein) only each person's last assessment is kept (it still
    # holds then)
    next_kept = np.r_[(pr_p[1:] != pr_p[:-1]) | (pr_d[1:] >= DETAIL), True]
    keep = (pr_d >= DETAIL) | next_kept
    pr_p, pr_st, pr_d = pr_p[keep], pr_st[keep], pr_d[keep]
    first_of_day = np.r_[True, (pr_p[1:] != pr_p[:-1]) | (pr_d[1:] != pr_d[:-1])]  # key (person, day)
    pr_p, pr_st, pr_d = pr_p[first_of_day], pr_st[first_of_day], pr_d[first_of_day]
    out["profile_stages"] = _table("profile_stages", {
        "person_id": pids.take(pa.array(pr_p)), "stage": pa.array(np.array(codes.PROFILE_STAGES)[pr_st]),
        "assessed_on": _dates(pr_d, AS)})

    # --- action plan periods ------------------------------------------------------------------------
    has = np.nonzero(rng.random(len(ap)) < 0.80)[0]
    gap = rng.integers(0, 61, len(has))
    s0 = as_[has] + rng.integers(14, 91, len(has))
    span = np.maximum(np.minimum(ae[has], AS) - s0, -1)
    k = np.where(span >= 0, span // (183 + gap) + 1, 0)
    rep = np.repeat(np.arange(len(has)), k)
    j = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    st = s0[rep] + j * (183 + gap[rep])
    en = np.minimum(st + 182, ae[has][rep])
    keep = en >= DETAIL
    pl_p, pl_s, pl_e = ap[has][rep][keep], st[keep], en[keep]
    o = np.lexsort((pl_s, pl_p))
    out["action_plan_periods"] = _table("action_plan_periods", {
        "person_id": pids.take(pa.array(pl_p[o])), "start": _dates(pl_s[o], AS), "end": _dates(pl_e[o], AS)})

    # --- § 16a services -----------------------------------------------------------------------------
    service = {"debt": ("16a_debt", 0.35, 90, 365), "addiction": ("16a_addiction", 0.40, 90, 540),
               "health_mental": ("16a_psychosocial", 0.25, 180, 720), "childcare": ("16a_childcare", 0.30, 180, 1095),
               "care_of_relatives": ("16a_childcare", 0.10, 180, 720)}
    k_p, k_i, k_s, k_e = [], [], [], []
    obs = tables.get("obstacles")
    if obs is not None and obs.num_rows:
        cat = obs.column("category")
        for c, (code, prob, lo_d, hi_d) in service.items():
            o_ = obs.filter(pc.equal(cat, c))
            p_, s_, e_ = idx(o_.column("person_id")), _days(o_.column("start")), _days(o_.column("end"))
            hit = rng.random(len(p_)) < prob
            st = s_[hit] + rng.integers(14, 181, int(hit.sum()))
            ok = (st <= np.minimum(e_[hit], AS)) & (p_[hit] >= 0)
            k_p.append(p_[hit][ok]); k_i.append(np.full(int(ok.sum()), codes.KREIS_SERVICES.index(code)))
            k_s.append(st[ok]); k_e.append(st[ok] + rng.integers(lo_d, hi_d, int(ok.sum())))
    else:
        for code, prob, lo_d, hi_d in (("16a_debt", 0.05, 90, 365), ("16a_addiction", 0.015, 90, 540),
                                       ("16a_psychosocial", 0.02, 180, 720), ("16a_childcare", 0.03, 180, 1095)):
            hit = np.nonzero((rp_age >= 18) & (rng.random(len(rp_p)) < prob))[0]
            st = rp_s[hit] + (rng.random(len(hit)) * np.maximum(np.minimum(rp_e[hit], AS) - rp_s[hit], 0)).astype(np.int64)
            k_p.append(rp_p[hit]); k_i.append(np.full(len(hit), codes.KREIS_SERVICES.index(code)))
            k_s.append(st); k_e.append(st + rng.integers(lo_d, hi_d, len(hit)))
    k_p, k_i, k_s, k_e = (np.concatenate(x) if x else np.zeros(0, np.int64) for x in (k_p, k_i, k_s, k_e))
    keep = (k_s <= AS) & (k_e >= KEEP)
    k_p, k_i, k_s, k_e = k_p[keep], k_i[keep], k_s[keep], k_e[keep]
    o = np.lexsort((k_i, k_s, k_p))
    out["measures_16a"] = _table("measures", {
        "person_id": pids.take(pa.array(k_p[o])), "instrument": pa.array(np.array(codes.KREIS_SERVICES)[k_i[o]]),
        "start": _dates(k_s[o], AS), "end": _dates(k_e[o], AS)})
    return out
