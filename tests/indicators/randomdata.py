"""Seeded random small datasets that hit the edge cases (gaps of 6–9 days, overlaps across BGs,
moves between units, nef spells, spells ending on/around Stichtage, open spells)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from zielwerk.data.dataset import Dataset
from zielwerk.domain import codes

JCS = [("J1", ["05970001", "05970002"]), ("J2", ["05970003"]), ("J3", ["05970004"])]
BASE = date(2015, 1, 1)
END = date(2020, 6, 30)


def _d(rng: random.Random, lo: date, hi: date) -> date:
    span = (hi - lo).days
    return lo + timedelta(days=rng.randint(0, max(span, 0)))


def random_dataset(seed: int, n_persons: int = 14, stichtag_day: int = 15, start: date = BASE,
                   end: date = END) -> Dataset:
    """Spells from ``start`` (the last ones begin about two years before ``end``), employment and
    measures from a year after ``start`` to three months before ``end``; as-of date ``end``."""
    rng = random.Random(seed)
    shift = start - BASE
    muns = [m for _, ms in JCS for m in ms]
    rows: dict[str, list[dict]] = {
        "jobcenters": [{"jobcenter_id": j, "name": f"Jobcenter {j}", "form": "gE"} for j, _ in JCS],
        "municipalities": [{"municipality_id": m, "name": f"Gemeinde {m}", "jobcenter_id": j}
                           for j, ms in JCS for m in ms],
        "persons": [], "elb_spells": [], "households": [], "payments": [], "employment": [], "measures": [],
    }
    bg_counter = 0
    for i in range(n_persons):
        pid = f"P{i:03d}"
        rows["persons"].append({"person_id": pid, "birth_date": _d(rng, date(1960, 1, 1), date(2001, 12, 31)),
                                "sex": rng.choice(["f", "m", "f", "m", "d"])})
        cur = _d(rng, start, end - timedelta(days=760))
        if rng.random() < 0.2:  # nef period first (e.g. a child), ending before the eLb spells
            nef_end = cur - timedelta(days=rng.randint(1, 30))
            rows["elb_spells"].append({"person_id": pid, "bg_id": f"B{bg_counter}", "municipality_id": rng.choice(muns),
                                       "status": "nef", "role": "child", "start": nef_end - timedelta(days=500),
                                       "end": nef_end})
            bg_counter += 1
        mun = rng.choice(muns)
        for _ in range(rng.randint(1, 4)):
            if cur > end:
                break
            bg_counter += 1
            bg = f"B{bg_counter}"
            length = rng.choice([rng.randint(1, 60), rng.randint(60, 400), rng.randint(400, 1000)])
            stop = cur + timedelta(days=length)
            open_ = rng.random() < 0.15 or stop > end
            if rng.random() < 0.3:
                mun = rng.choice(muns)  # move
            role = rng.choice(["head", "head", "partner", "other"])
            rows["elb_spells"].append({"person_id": pid, "bg_id": bg, "municipality_id": mun, "status": "elb",
                                       "role": role, "start": cur, "end": None if open_ else stop})
            btype = rng.choice(codes.BG_TYPES)
            if rng.random() < 0.3:
                mid = cur + timedelta(days=length // 2)
                rows["households"].append({"bg_id": bg, "bg_type": btype, "start": cur, "end": mid})
                rows["households"].append({"bg_id": bg, "bg_type": rng.choice(codes.BG_TYPES),
                                           "start": mid + timedelta(days=1), "end": None})
            else:
                rows["households"].append({"bg_id": bg, "bg_type": btype, "start": cur, "end": None})
            if rng.random() < 0.6 and not open_:
                y, mo = cur.year, cur.month
                for _k in range(rng.randint(1, 14)):
                    if rng.random() < 0.7:
                        rows["payments"].append({"bg_id": bg, "month": f"{y:04d}-{mo:02d}", "municipality_id": mun,
                                                 "llu": round(rng.uniform(100, 900), 2),
                                                 "luh": round(rng.uniform(50, 600), 2)})
                    mo += 1
                    if mo > 12:
                        y, mo = y + 1, 1
            if open_:
                break
            r = rng.random()
            if r < 0.2:  # overlapping spell in another BG
                cur = stop - timedelta(days=rng.randint(0, min(length, 40)))
            elif r < 0.7:  # short gap around the 7-day limit
                cur = stop + timedelta(days=rng.randint(1, 10))
            else:
                cur = stop + timedelta(days=rng.randint(10, 400))
        for _ in range(rng.randint(0, 4)):
            begin = _d(rng, date(2016, 1, 1) + shift, end - timedelta(days=121))
            kind = rng.choice(codes.EMPLOYMENT_KINDS)
            subsidy = rng.choice(codes.SUBSIDIES)
            stop = None if rng.random() < 0.3 else begin + timedelta(days=rng.randint(0, 500))
            rows["employment"].append({"person_id": pid, "kind": kind, "subsidy": subsidy, "start": begin, "end": stop})
        for _ in range(rng.randint(0, 2)):
            begin = _d(rng, date(2016, 1, 1) + shift, end - timedelta(days=121))
            rows["measures"].append({"person_id": pid, "instrument": rng.choice(codes.INSTRUMENTS), "start": begin,
                                     "end": begin + timedelta(days=rng.randint(0, 300))})
    # payments keys must be unique per (bg, month)
    seen = set()
    pay = []
    for r in rows["payments"]:
        if (r["bg_id"], r["month"]) not in seen:
            seen.add((r["bg_id"], r["month"]))
            pay.append(r)
    rows["payments"] = pay
    return Dataset.from_rows(rows, as_of=end, stichtag_day=stichtag_day)
