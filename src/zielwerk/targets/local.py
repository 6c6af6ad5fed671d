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

The U25 training integrations come from the engine (local indicator ``L_U25_AUSB``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month, month_of_day, stichtag
from zielwerk.domain.law import PARENT_WINDOW_MONTHS, age_in_months

SEXES = ("all", "f", "m")


def _year_bounds(year: int, through: Month, day: int) -> tuple[date, date]:
    """Flow window of Jan..through: (S_{Dec year−1}, S_through] as inclusive dates."""
    lo = stichtag(Month(year - 1, 12), day)
    return date.fromordinal(lo.toordinal() + 1), stichtag(through, day)


def _elb_jobcenter(ds: Dataset, events: pd.DataFrame, jobcenter_id: str) -> pd.DataFrame:
    """Keep events (person_id, d) whose day is covered by an eLb spell in ``jobcenter_id``."""
    if events.empty:
        return events
    spells = ds["elb_spells"].select(["person_id", "municipality_id", "status", "start", "end"]).to_pandas()
    spells = spells[spells["status"] == "elb"]
    mun = ds["municipalities"].select(["municipality_id", "jobcenter_id"]).to_pandas()
    spells = spells.merge(mun, on="municipality_id")
    spells = spells[spells["jobcenter_id"] == jobcenter_id]
    m = events.merge(spells[["person_id", "start", "end"]], on="person_id")
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
    persons = ds["persons"].select(["person_id", "sex"]).to_pandas()
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
    ms = ds["measures"].select(["person_id", "instrument", "start"]).to_pandas().rename(columns={"start": "d"})
    ms = ms[ms["instrument"].isin(sorted(PARENT_OFFER_INSTRUMENTS))][["person_id", "d"]]
    if records is not None and records.contacts.num_rows:
        co = records.contacts.select(["person_id", "contact_date", "kind"]).to_pandas()
        co = co[co["kind"].isin(sorted(PARENT_CONTACT_KINDS))].rename(columns={"contact_date": "d"})
        ms = pd.concat([ms, co[["person_id", "d"]]], ignore_index=True)
    ms = ms[(ms["d"] >= lo) & (ms["d"] <= hi)]
    kids = ds["children"].select(["person_id", "child_birth_date"]).to_pandas()
    m = ms.merge(kids, on="person_id")
    m = m[m["child_birth_date"] <= m["d"]]
    youngest = m.groupby(["person_id", "d"], as_index=False)["child_birth_date"].max()
    if not youngest.empty:
        ages = [age_in_months(b, d) for b, d in zip(youngest["child_birth_date"], youngest["d"])]
        youngest = youngest[[PARENT_WINDOW_MONTHS[0] <= a <= PARENT_WINDOW_MONTHS[1] for a in ages]]
    ev = _elb_jobcenter(ds, youngest[["person_id", "d"]], jobcenter_id)
    ev = ev.sort_values("d").drop_duplicates("person_id")  # once per person and year
    return _cumulate(_with_sex(ds, ev), year, through, day)


def childcare_solved(ds: Dataset, jobcenter_id: str, year: int, through: Month) -> dict[str, list[float | None]]:
    """``RANDZEIT`` year-to-date (see module docstring); the same counts for every sex key."""
    day = ds.stichtag_day
    lo, hi = _year_bounds(year, through, day)
    needs = ds["childcare_needs"].select(["person_id", "end"]).to_pandas().rename(columns={"end": "d"})
    needs = needs[needs["d"].notna()]
    needs = needs[(needs["d"] >= lo) & (needs["d"] <= hi)]
    ev = _elb_jobcenter(ds, needs[["person_id", "d"]].reset_index(drop=True).assign(n=lambda x: x.index),
                        jobcenter_id)
    ev = ev.drop_duplicates("n")
    series = _cumulate(_with_sex(ds, ev), year, through, day)["all"]
    return {sex: series for sex in SEXES}


LOCAL_FUNCTIONS = {"ELTERN_2J": parents_reached, "RANDZEIT": childcare_solved}
