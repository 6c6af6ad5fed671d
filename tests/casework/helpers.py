"""Hand-made datasets for the casework tests and an independent brute-force LZB reference."""

from __future__ import annotations

from datetime import date, timedelta

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month, stichtag

JC = "05970"
SIEGEN, WILNSDORF, BERLEBURG, NETPHEN = "05970040", "05970044", "05970004", "05970032"
MUNIS = {SIEGEN: "Siegen", WILNSDORF: "Wilnsdorf", BERLEBURG: "Bad Berleburg", NETPHEN: "Netphen"}


def d(s: str) -> date:
    return date.fromisoformat(s)


def person(pid: str, birth: str = "1980-01-01", sex: str = "f", voc: str | None = "none") -> dict:
    return {"person_id": pid, "birth_date": birth, "sex": sex, "vocational_degree": voc}


def spell(pid: str, start: str, end: str | None = None, muni: str = SIEGEN, bg: str | None = None,
          status: str = "elb") -> dict:
    return {"person_id": pid, "bg_id": bg or f"BG-{pid}", "municipality_id": muni, "status": status,
            "role": "head", "start": start, "end": end}


def make_ds(persons: list[dict], spells: list[dict], as_of: str = "2017-12-31", **tables) -> Dataset:
    rows = {
        "jobcenters": [{"jobcenter_id": JC, "name": "Jobcenter Test", "form": "gE"}],
        "municipalities": [{"municipality_id": k, "name": v, "jobcenter_id": JC} for k, v in MUNIS.items()],
        "persons": persons,
        "elb_spells": spells,
    }
    rows.update(tables)
    return Dataset.from_rows(rows, as_of=d(as_of))


def ref_lzb_from(spells: list[dict], pid: str, s: date, horizon: int = 30) -> date | None:
    """Brute force (day sets): first Stichtag S_t >= s at which the person has >= 638 eLb days in the
    730 days ending at S_t, assuming continuous eLb receipt from s on."""
    days: set[date] = set()
    for sp in spells:
        if sp["person_id"] != pid or sp["status"] != "elb":
            continue
        a = d(sp["start"])
        b = min(d(sp["end"]) if sp["end"] else s, s)
        while a <= b:
            days.add(a)
            a += timedelta(days=1)
    for k in range(horizon + 1):
        st = stichtag(Month.of(s) + k)
        if st < s:
            continue
        hyp = set(days)
        x = s
        while x <= st:
            hyp.add(x)
            x += timedelta(days=1)
        lo = st - timedelta(days=729)
        if sum(1 for y in hyp if lo <= y <= st) >= 638:
            return st
    return None
