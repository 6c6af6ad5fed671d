"""Two small local indicators that no other module provides (kept deliberately small).

Both are *year-to-date counts* for one Jobcenter: events in the flow windows (S_{t−1}, S_t] of the
months January..m of the year (C1), counted in the Jobcenter of the eLb spell that covers the
event day.

- ``ELTERN_2J`` — parents from the 2nd year of upbringing reached with a counselling or support offer:
  distinct persons who, while eLb and while their youngest child is 12 to 35 completed months old
  (:data:`zielwerk.domain.law.PARENT_WINDOW_MONTHS`, § 10 (1) Nr. 3 SGB II), start a measure that is a
  counselling/support offer (:data:`PARENT_OFFER_INSTRUMENTS`: activation and coaching under § 16 with
  § 45 SGB III, free support § 16f, other active measures — not the Vermittlungsbudget, wage subsidies,
  Einstiegsgeld or employment schemes, which are payments or jobs, not offers of counselling), or — when
  case records are passed — have a recorded contact of a counselling kind
  (:data:`PARENT_CONTACT_KINDS`: an offer, a personal, telephone or video conversation; letters do not
  count). Each person counts once per year, in the month first reached (issue 15 item 3).
- ``RANDZEIT`` — off-peak childcare needs solved: ``childcare_needs`` episodes that end in the
  month while the parent is still eLb on the end day (the need ended while in receipt, i.e. was
  solved, not lost by leaving benefits).

- ``JUNGE_ELTERN_QUALI`` — young parents (under 25, no vocational degree, with a child) who start a
  qualification (further vocational training or an in-company, also part-time, training), year to date.
- ``HEMMNIS_BEARB`` — share of the LZB with an open health, childcare or addiction obstacle whose
  obstacle has a recorded step (a counselling/support measure, a childcare need worked on, or an action
  plan taking it up), at each Stichtag (a point-in-time quota, not cumulative).

- ``L16A`` and ``L16A_KB`` / ``L16A_SB`` / ``L16A_PSB`` / ``L16A_SUCHT`` — the Kreis's own services under
  § 16a SGB II (childcare, debt counselling, psychosocial care, addiction counselling) started
  year-to-date (:func:`kreis_services_started`; the Kreis's side of the linked goals, issue 15).

The U25 training integrations come from the engine (local indicator ``L_U25_AUSB``).
"""

from __future__ import annotations

import threading
import weakref
from datetime import date

import pandas as pd

from zielwerk.data.dataset import Dataset
from zielwerk.domain import codes
from zielwerk.domain.calendar import Month, month_of_day, stichtag
from zielwerk.domain.law import PARENT_WINDOW_MONTHS, YOUNG_PARENT_AGE_LIMIT, age_in_months

SEXES = ("all", "f", "m")


def _year_bounds(year: int, through: Month, day: int) -> tuple[date, date]:
    """Flow window of Jan..through: (S_{Dec year−1}, S_through] as inclusive dates."""
    lo = stichtag(Month(year - 1, 12), day)
    return date.fromordinal(lo.toordinal() + 1), stichtag(through, day)


#: the eLb spells of one Jobcenter, kept for the few calls of one monitoring run (every local count of
#: every year asks for them): (id(ds), jobcenter) → (weakref to ds, frame); a weak reference guards a reused id
_ELB_SPELLS: dict[tuple[int, str], tuple[weakref.ref, pd.DataFrame]] = {}
_ELB_SPELLS_SIZE = 4
_ELB_SPELLS_LOCK = threading.Lock()


#: pandas copies of dataset columns, kept for one monitoring run (every local count of every year reads the
#: same few columns): (id(ds), table, columns) → (weakref to ds, frame)
_FRAMES: dict[tuple[int, str, tuple[str, ...]], tuple[weakref.ref, pd.DataFrame]] = {}
_FRAMES_SIZE = 24


def _frame(ds: Dataset, table: str, columns: list[str]) -> pd.DataFrame:
    """``ds[table].select(columns).to_pandas()``, converted once per dataset (a copy is returned, so a caller
    changing it changes nothing shared)."""
    key = (id(ds), table, tuple(columns))
    with _ELB_SPELLS_LOCK:
        hit = _FRAMES.get(key)
    if hit is not None and hit[0]() is ds:
        return hit[1].copy()
    frame = ds[table].select(list(columns)).to_pandas()
    with _ELB_SPELLS_LOCK:
        if len(_FRAMES) >= _FRAMES_SIZE:
            _FRAMES.pop(next(iter(_FRAMES)))
        _FRAMES[key] = (weakref.ref(ds), frame)
    return frame.copy()


def _jobcenter_elb_spells(ds: Dataset, jobcenter_id: str) -> pd.DataFrame:
    """person_id, start, end of the eLb spells in ``jobcenter_id`` (the spell's municipality, C2)."""
    key = (id(ds), jobcenter_id)
    with _ELB_SPELLS_LOCK:
        hit = _ELB_SPELLS.get(key)
        if hit is not None and hit[0]() is ds:
            return hit[1]
    spells = _frame(ds, "elb_spells", ["person_id", "municipality_id", "status", "start", "end"])
    spells = spells[spells["status"] == "elb"]
    mun = _frame(ds, "municipalities", ["municipality_id", "jobcenter_id"])
    spells = spells.merge(mun, on="municipality_id")
    frame = spells.loc[spells["jobcenter_id"] == jobcenter_id, ["person_id", "start", "end"]].reset_index(drop=True)
    with _ELB_SPELLS_LOCK:
        if len(_ELB_SPELLS) >= _ELB_SPELLS_SIZE:
            _ELB_SPELLS.pop(next(iter(_ELB_SPELLS)))
        _ELB_SPELLS[key] = (weakref.ref(ds), frame)
    return frame


def _elb_jobcenter(ds: Dataset, events: pd.DataFrame, jobcenter_id: str) -> pd.DataFrame:
    """Keep events (person_id, d) whose day is covered by an eLb spell in ``jobcenter_id``."""
    if events.empty:
        return events
    m = events.merge(_jobcenter_elb_spells(ds, jobcenter_id), on="person_id")
    covered = (m["start"] <= m["d"]) & (m["end"].isna() | (m["end"] >= m["d"]))
    return m[covered].drop(columns=["start", "end"]).drop_duplicates()


def _cumulate(events: pd.DataFrame, year: int, through: Month, day: int) -> dict[str, list[float | None]]:
    """Year-to-date counts per sex for months 1..12 (None after ``through``)."""
    months = [Month(year, m) for m in range(1, 13)]
    out: dict[str, list[float | None]] = {}
    for sex in SEXES:
        ev = events if sex == "all" else events[events["sex"] == sex]
        per_month = {m: 0 for m in months}
        for d in ev["d"]:
            m = month_of_day(d, day)
            per_month[m] = per_month.get(m, 0) + 1
        total = 0.0
        series: list[float | None] = []
        for m in months:
            total += per_month[m]
            series.append(total if m <= through else None)
        out[sex] = series
    return out


def _with_sex(ds: Dataset, events: pd.DataFrame) -> pd.DataFrame:
    persons = _frame(ds, "persons", ["person_id", "sex"])
    return events.merge(persons, on="person_id", how="left")


#: ``measures`` instruments that are counselling/support offers for parents (ELTERN_2J).
PARENT_OFFER_INSTRUMENTS = frozenset({"activation", "16f", "other_active"})
#: recorded contact kinds (store channel / case-record ``kind``) that are counselling or an offer.
PARENT_CONTACT_KINDS = frozenset({"angebot", "persoenlich", "telefon", "telefonisch", "video"})


def parents_reached(ds: Dataset, jobcenter_id: str, year: int, through: Month,
                    records=None) -> dict[str, list[float | None]]:
    """``ELTERN_2J`` year-to-date per sex (see module docstring). ``records``: optional case records
    (an object with a ``contacts`` Arrow table: ``person_id``, ``contact_date``, ``kind``)."""
    day = ds.stichtag_day
    lo, hi = _year_bounds(year, through, day)
    return _cumulate(_with_sex(ds, parent_offer_events(ds, jobcenter_id, lo, hi, records)), year, through, day)


def parent_offer_events(ds: Dataset, jobcenter_id: str, lo: date, hi: date, records=None) -> pd.DataFrame:
    """(person_id, d) of ``ELTERN_2J``: the first offer per person on a day in [lo, hi]."""
    ms = _frame(ds, "measures", ["person_id", "instrument", "start"]).rename(columns={"start": "d"})
    ms = ms[ms["instrument"].isin(sorted(PARENT_OFFER_INSTRUMENTS))][["person_id", "d"]]
    if records is not None and records.contacts.num_rows:
        co = records.contacts.select(["person_id", "contact_date", "kind"]).to_pandas()
        co = co[co["kind"].isin(sorted(PARENT_CONTACT_KINDS))].rename(columns={"contact_date": "d"})
        ms = pd.concat([ms, co[["person_id", "d"]]], ignore_index=True)
    ms = ms[(ms["d"] >= lo) & (ms["d"] <= hi)]
    kids = _frame(ds, "children", ["person_id", "child_birth_date"])
    m = ms.merge(kids, on="person_id")
    m = m[m["child_birth_date"] <= m["d"]]
    youngest = m.groupby(["person_id", "d"], as_index=False)["child_birth_date"].max()
    if not youngest.empty:
        ages = [age_in_months(b, d) for b, d in zip(youngest["child_birth_date"], youngest["d"])]
        youngest = youngest[[PARENT_WINDOW_MONTHS[0] <= a <= PARENT_WINDOW_MONTHS[1] for a in ages]]
    ev = _elb_jobcenter(ds, youngest[["person_id", "d"]], jobcenter_id)
    return ev.sort_values("d").drop_duplicates("person_id")  # once per person and year


def childcare_solved(ds: Dataset, jobcenter_id: str, year: int, through: Month) -> dict[str, list[float | None]]:
    """``RANDZEIT`` year-to-date (see module docstring); the same counts for every sex key."""
    day = ds.stichtag_day
    lo, hi = _year_bounds(year, through, day)
    needs = _frame(ds, "childcare_needs", ["person_id", "end"]).rename(columns={"end": "d"})
    needs = needs[needs["d"].notna()]
    needs = needs[(needs["d"] >= lo) & (needs["d"] <= hi)]
    ev = _elb_jobcenter(ds, needs[["person_id", "d"]].reset_index(drop=True).assign(n=lambda x: x.index),
                        jobcenter_id)
    ev = ev.drop_duplicates("n")
    series = _cumulate(_with_sex(ds, ev), year, through, day)["all"]
    return {sex: series for sex in SEXES}


# --- young parents' qualification and placement obstacles addressed (issue 15 item 5) -----------

#: measures that are a vocational qualification (§ 16 SGB II with § 81 SGB III); an employment spell of
#: kind ``training`` (in-company training, also part-time training: § 8 Abs. 1 Satz 2 BBiG until 2019,
#: § 7a BBiG since 2020, ``law.casework_rule("part_time_training", day)``) counts as well
QUALIFICATION_INSTRUMENTS = frozenset({"vocational_further_training"})


def young_parent_qualification_events(ds: Dataset, jobcenter_id: str, lo: date, hi: date) -> pd.DataFrame:
    """(person_id, d): eLb under 25 (:data:`~zielwerk.domain.law.YOUNG_PARENT_AGE_LIMIT`) without a
    vocational degree, with a child born on or before ``d``, who start a qualification (a measure of
    :data:`QUALIFICATION_INSTRUMENTS` or a training employment) on a day ``d`` in [lo, hi], in
    ``jobcenter_id``; the first start per person."""
    ms = _frame(ds, "measures", ["person_id", "instrument", "start"])
    ms = ms[ms["instrument"].isin(sorted(QUALIFICATION_INSTRUMENTS))][["person_id", "start"]]
    em = _frame(ds, "employment", ["person_id", "kind", "start"])
    em = em[em["kind"] == "training"][["person_id", "start"]]
    ev = pd.concat([ms, em], ignore_index=True).rename(columns={"start": "d"})
    ev = ev[(ev["d"] >= lo) & (ev["d"] <= hi)]
    cols = ["person_id", "birth_date"] + (["vocational_degree"] if "vocational_degree" in ds["persons"].column_names
                                          else [])
    persons = _frame(ds, "persons", list(cols))
    if "vocational_degree" in persons:  # unknown (empty) counts as without a degree
        persons = persons[persons["vocational_degree"].isna() | (persons["vocational_degree"] == "none")]
    ev = ev.merge(persons, on="person_id")
    ev = ev[[age_in_months(b, d) < YOUNG_PARENT_AGE_LIMIT * 12 for b, d in zip(ev["birth_date"], ev["d"])]] \
        if not ev.empty else ev
    kids = _frame(ds, "children", ["person_id", "child_birth_date"])
    ev = ev.merge(kids, on="person_id")
    ev = ev[ev["child_birth_date"] <= ev["d"]][["person_id", "d"]].drop_duplicates()
    ev = _elb_jobcenter(ds, ev.reset_index(drop=True), jobcenter_id)
    return ev.sort_values(["d", "person_id"]).drop_duplicates("person_id")[["person_id", "d"]]


def young_parents_qualified(ds: Dataset, jobcenter_id: str, year: int, through: Month,
                            records=None) -> dict[str, list[float | None]]:
    """``JUNGE_ELTERN_QUALI`` year-to-date per sex: distinct young parents (see
    :func:`young_parent_qualification_events`) starting a qualification since January, once per person
    and year, in the month of their first start."""
    day = ds.stichtag_day
    lo, hi = _year_bounds(year, through, day)
    return _cumulate(_with_sex(ds, young_parent_qualification_events(ds, jobcenter_id, lo, hi)), year, through, day)


#: obstacle categories the agreement names (press release: health, childcare, addiction)
ADDRESSED_OBSTACLES = frozenset({"health_physical", "health_mental", "addiction", "childcare"})
#: measures that are a step on any such obstacle: counselling and support offers (activation/coaching
#: § 45 SGB III, § 16f, § 16h, other active measures)
STEP_INSTRUMENTS = frozenset({"activation", "16f", "16h", "other_active"})
#: the Kreis's own services (§ 16a SGB II) are a step on the obstacle they address: childcare (Nr. 1),
#: psychosocial care (Nr. 3) for mental health, addiction counselling (Nr. 4); debt counselling (Nr. 2)
#: addresses debt, which is not one of :data:`ADDRESSED_OBSTACLES`
SERVICE_FOR_OBSTACLE = {"childcare": frozenset({"16a_childcare"}), "health_mental": frozenset({"16a_psychosocial"}),
                        "addiction": frozenset({"16a_addiction"}), "health_physical": frozenset()}
#: a measure counts as a step if it runs at the Stichtag or started in the months before it
STEP_MONTHS = 6


def _months_before(d: date, months: int) -> date:
    """The same day ``months`` months earlier, clamped to the month's end (§ 188 (2), (3) BGB)."""
    m = Month.of(d) - months
    return date(m.year, m.month, min(d.day, m.last_day().day))


def obstacle_status(ds: Dataset, jobcenter_id: str, days: list[date], records=None) -> pd.DataFrame:
    """Per Stichtag in ``days``: the LZB of ``jobcenter_id`` (engine, C3) with an open obstacle of
    :data:`ADDRESSED_OBSTACLES`, columns ``day``, ``person_id``, ``sex``, ``addressed``.

    ``addressed``: a step on the obstacle is recorded — a measure of :data:`STEP_INSTRUMENTS` or a § 16a
    service matching the obstacle (:data:`SERVICE_FOR_OBSTACLE`) running at the Stichtag or started in
    the :data:`STEP_MONTHS` months before it; for a childcare obstacle also a
    recorded childcare need (the Jobcenter works on a care solution, § 16a Nr. 1 SGB II); with case
    records an action plan (Eingliederungsvereinbarung / Kooperationsplan) in force at the Stichtag that
    was agreed or reviewed on or after the obstacle's start (the plan takes it up).
    """
    from zielwerk.indicators.engine import lzb_status_shared

    out_cols = ["day", "person_id", "sex", "addressed"]
    if not days:
        return pd.DataFrame(columns=out_cols)
    status = lzb_status_shared(ds, days)
    frames = []
    for d in days:
        st = status[d].select(["person_id", "jobcenter_id", "is_lzb"]).to_pandas()
        st = st[st["is_lzb"] & (st["jobcenter_id"] == jobcenter_id)][["person_id"]]
        frames.append(st.assign(day=d))
    lzb = pd.concat(frames, ignore_index=True)
    ob = _frame(ds, "obstacles", ["person_id", "category", "start", "end"])
    ob = ob[ob["category"].isin(sorted(ADDRESSED_OBSTACLES))]
    m = lzb.merge(ob, on="person_id")
    m = m[(m["start"] <= m["day"]) & (m["end"].isna() | (m["end"] >= m["day"]))]
    m = m[["day", "person_id", "category", "start"]].rename(columns={"start": "ob_start"})
    if m.empty:
        return pd.DataFrame(columns=out_cols)
    ms = _frame(ds, "measures", ["person_id", "instrument", "start", "end"])
    services = set().union(*SERVICE_FOR_OBSTACLE.values())
    ms = ms[ms["instrument"].isin(sorted(STEP_INSTRUMENTS | services))]
    x = m[["day", "person_id", "category"]].merge(ms, on="person_id")
    keep = [i in STEP_INSTRUMENTS or i in SERVICE_FOR_OBSTACLE[c] for i, c in zip(x["instrument"], x["category"])]
    x = x.loc[pd.Series(keep, index=x.index, dtype=bool)]  # a boolean mask: an empty list would select no columns
    window_lo = x["day"].map({d: _months_before(d, STEP_MONTHS) for d in days})  # one bound per Stichtag
    ok = (x["start"] <= x["day"]) & ((x["start"] >= window_lo)
                                     | x["end"].isna() | (x["end"] >= x["day"]))
    stepped = set(zip(x.loc[ok, "day"], x.loc[ok, "person_id"]))
    cc = _frame(ds, "childcare_needs", ["person_id", "start"])
    y = m[m["category"] == "childcare"].merge(cc, on="person_id")
    stepped |= set(zip(y.loc[y["start"] <= y["day"], "day"], y.loc[y["start"] <= y["day"], "person_id"]))
    if records is not None and records.action_plans.num_rows:
        ap = records.action_plans.select(["person_id", "agreed_on", "reviewed_on", "ended_on"]).to_pandas()
        z = m.merge(ap, on="person_id")
        last = pd.Series([r if isinstance(r, date) and r > a else a for a, r in zip(z["agreed_on"], z["reviewed_on"])],
                         index=z.index, dtype=object)
        inforce = (z["agreed_on"] <= z["day"]) & (z["ended_on"].isna() | (z["ended_on"] >= z["day"]))
        hit = inforce & (last >= z["ob_start"]) & (last <= z["day"])
        stepped |= set(zip(z.loc[hit, "day"], z.loc[hit, "person_id"]))
    base = m[["day", "person_id"]].drop_duplicates()
    base["addressed"] = [(d, p) in stepped for d, p in zip(base["day"], base["person_id"])]
    return _with_sex(ds, base)[out_cols].reset_index(drop=True)


def lzb_obstacles_addressed(ds: Dataset, jobcenter_id: str, year: int, through: Month,
                            records=None) -> dict[str, list[float | None]]:
    """``HEMMNIS_BEARB`` per sex, months 1..12 (None after ``through`` and where nobody has an
    obstacle): share in % of the LZB with an open obstacle of :data:`ADDRESSED_OBSTACLES` at the
    Stichtag S_m whose obstacle has a recorded step (:func:`obstacle_status`); a point-in-time quota."""
    day = ds.stichtag_day
    months = [Month(year, m) for m in range(1, through.month + 1)] if through.year == year else \
        [Month(year, m) for m in range(1, 13)]
    days = [stichtag(m, day) for m in months]
    st = obstacle_status(ds, jobcenter_id, days, records)
    out: dict[str, list[float | None]] = {}
    for sex in SEXES:
        part = st if sex == "all" else st[st["sex"] == sex]
        series: list[float | None] = [None] * 12
        for i, d in enumerate(days):
            rows = part[part["day"] == d]
            if len(rows):
                series[i] = 100.0 * float(rows["addressed"].sum()) / len(rows)
        out[sex] = series
    return out


LOCAL_FUNCTIONS = {"ELTERN_2J": parents_reached, "RANDZEIT": childcare_solved,
                   "JUNGE_ELTERN_QUALI": young_parents_qualified, "HEMMNIS_BEARB": lzb_obstacles_addressed}


def kreis_services_started(ds: Dataset, jobcenter_id: str, year: int, through: Month,
                           kinds: tuple[str, ...] = codes.KREIS_SERVICES) -> dict[str, list[float | None]]:
    """``L16A`` and its kinds (issue 15): the Kreis's own services under § 16a SGB II (``measures`` rows
    with an instrument of ``kinds``, :data:`zielwerk.domain.codes.KREIS_SERVICES`) started year-to-date,
    counted in the Jobcenter of the eLb spell covering the start day. Services, not persons: a second
    start counts again. Not § 48a measures (K3E2 does not count them)."""
    day = ds.stichtag_day
    lo, hi = _year_bounds(year, through, day)
    ms = _frame(ds, "measures", ["person_id", "instrument", "start"]).rename(columns={"start": "d"})
    ms = ms[ms["instrument"].isin(list(kinds)) & (ms["d"] >= lo) & (ms["d"] <= hi)]
    ev = _elb_jobcenter(ds, ms[["person_id", "d"]].reset_index(drop=True).assign(n=lambda x: x.index),
                        jobcenter_id)
    return _cumulate(_with_sex(ds, ev.drop_duplicates("n")), year, through, day)


def _kreis_service(kind: str):
    def count(ds: Dataset, jobcenter_id: str, year: int, through: Month) -> dict[str, list[float | None]]:
        return kreis_services_started(ds, jobcenter_id, year, through, (kind,))

    count.__doc__ = f"``{kind}`` services started year-to-date (:func:`kreis_services_started`)."
    return count


#: local indicator code → § 16a instrument (codes.KREIS_SERVICES); ``L16A`` counts all four
KREIS_SERVICE_CODES = {"L16A_KB": "16a_childcare", "L16A_SB": "16a_debt", "L16A_PSB": "16a_psychosocial",
                       "L16A_SUCHT": "16a_addiction"}
LOCAL_FUNCTIONS.update({"L16A": kreis_services_started,
                        **{code: _kreis_service(kind) for code, kind in KREIS_SERVICE_CODES.items()}})
