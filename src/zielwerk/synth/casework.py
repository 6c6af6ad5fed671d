"""Casework tables of the Siegen-Wittgenstein scenario, derived from the simulated receipt histories.

- caseworkers: one Jobcenter, teams by local-office region, separate U25 teams; their number follows
  the staffing ratios 1:75 (under 25) and 1:150 (25 and older) of ``zielwerk.domain.law`` applied to the
  average 2016 stock of each region;
- assignments: each receipt period (eLb spells merged over gaps of up to 31 days, split at a change of
  region and at the 25th birthday) is assigned to a caseworker of the matching team;
- obstacles (Handlungsbedarfe): drawn at profiling (period start) with prevalences that rise with the
  person's persistence class, and added after 12 and 24 months of receipt, so long-term recipients
  have more and more complex obstacles; some are resolved before the period ends;
- childcare needs at off-peak hours of eLb parents with young children; some met after a while, some
  still open at the as-of date (unmet);
- childcare providers (Kita, Tagespflege, other) per municipality with off-peak slots, age ranges,
  capacity and free places — off-peak supply is scarce, above all outside Siegen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from zielwerk.data.dataset import arrow_schema
from zielwerk.data.schema import TABLES_BY_NAME
from zielwerk.domain import law

from . import siegen_params as P

AS_OF = date(*P.AS_OF)
PERIODS_FROM = date(2012, 1, 1)
REGION = {m[0]: m[3] for m in P.MUNICIPALITIES}
REGIONS = ("Siegen", "Nord", "Süd", "Wittgenstein")

FIRST_NAMES = (
    "Anna", "Birgit", "Claudia", "Daniela", "Elke", "Frank", "Gabriele", "Heike", "Ingo", "Jens", "Karin",
    "Lars", "Monika", "Nicole", "Oliver", "Petra", "Ralf", "Sabine", "Thomas", "Ute", "Volker", "Wolfgang",
    "Yvonne", "Andreas", "Britta", "Christian", "Dirk", "Eva", "Florian", "Julia", "Katrin", "Markus",
    "Nadine", "Stefan", "Tanja", "Melanie", "Sven", "Jörg", "Silke", "Martina",
)
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Klein", "Hoffmann", "Schäfer", "Koch",
    "Richter", "Bauer", "Wolf", "Krämer", "Jung", "Hahn", "Schröder", "Zimmermann", "Braun", "Krüger",
    "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Born", "Irle",
    "Dango", "Stötzel", "Heinz", "Menn", "Kolb", "Roth", "Thomas", "Schuppener", "Achenbach", "Flender",
)

#: base prevalence at profiling and the factor for the long-term persistence class
OBSTACLE_BASE: dict[str, tuple[float, float]] = {
    "health_physical": (0.16, 1.9),
    "health_mental": (0.10, 2.1),
    "addiction": (0.04, 2.0),
    "care_of_relatives": (0.03, 1.3),
    "debt": (0.14, 1.6),
    "housing": (0.05, 1.5),
    "work_experience": (0.14, 1.8),
    "motivation": (0.05, 2.0),
    "mobility": (0.09, 1.5),
    "other": (0.03, 1.2),
}
#: obstacles that appear with long receipt (after 12 and after 24 months), probability each
ACCRUING = (("health_mental", 0.10), ("motivation", 0.08), ("debt", 0.07), ("work_experience", 0.08),
            ("health_physical", 0.07))


def _table(name: str, columns: dict[str, list]) -> pa.Table:
    schema = arrow_schema(TABLES_BY_NAME[name])
    return pa.Table.from_arrays([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return date(birth.year + years, 3, 1)


def receipt_periods(spells: list[tuple]) -> list[tuple[int, date, date | None, str, str]]:
    """eLb periods per person: (person, start, end, region, role), merged over gaps ≤ 31 days within a
    region."""
    by_person: dict[int, list[tuple]] = defaultdict(list)
    for s in spells:
        if s[3] == "elb":
            by_person[s[0]].append(s)
    periods = []
    far = date(9999, 12, 31)
    for p in sorted(by_person):
        rows = sorted(by_person[p], key=lambda s: s[5])
        cur = None
        for s in rows:
            region = REGION[s[2]]
            end = s[6] or far
            if cur and region == cur[3] and (s[5] - cur[2]).days <= 32:
                cur[2] = max(cur[2], end)
                continue
            if cur:
                periods.append(cur)
            cur = [p, s[5], end, region, s[4]]
        periods.append(cur)
    return [(a, b, None if c == far else c, d, e) for a, b, c, d, e in periods]


def _add_obstacle(obs: list, rng: np.random.Generator, found: set[str], p: int, cat: str, start: date,
                  e: date | None) -> None:
    """Record obstacle ``cat`` of person ``p`` from ``start`` until the period end ``e`` or an earlier
    resolution; each category at most once per period."""
    if cat in found or start > AS_OF or (e is not None and start > e):
        return
    found.add(cat)
    end = e
    resolve = {"debt": 0.25, "language": 0.3, "housing": 0.4, "childcare": 0.35, "mobility": 0.2}.get(cat, 0.1)
    if rng.random() < resolve:
        r_end = start + timedelta(days=int(rng.integers(120, 600)))
        if e is None or r_end < e:
            end = r_end
    obs.append((p, cat, start, None if end is None or end > AS_OF else end))


def casework_tables(out, tables: dict[str, pa.Table], seed: int, pid: Callable[[int], str]) -> dict[str, pa.Table]:
    rng = np.random.default_rng([seed, 2])
    persons = out.persons
    kept = {int(x[1:]) - 1 for x in tables["persons"].column("person_id").to_pylist()}
    spells = [s for s in out.spells if s[0] in kept]
    periods = [pr for pr in receipt_periods(spells) if pr[2] is None or pr[2] >= PERIODS_FROM]

    # --- caseworkers sized by the 2016 stock ---------------------------------------------------
    stichtage = [date(2016, m, 15) for m in range(1, 13)]
    stock = defaultdict(float)
    for p, s, e, region, _ in periods:
        for S in stichtage:
            if s <= S and (e is None or e >= S):
                u25 = _age(persons[p].birth, S) < law.U25_AGE_LIMIT
                stock[(region, u25)] += 1 / len(stichtage)
    cw_rows = []
    team_members: dict[tuple[str, bool], list[str]] = {}
    n = 0
    for region in REGIONS:
        for u25 in (True, False):
            ratio = law.STAFFING_RATIO_U25 if u25 else law.STAFFING_RATIO_25PLUS
            k = max(1, round(stock[(region, u25)] / ratio))
            team = f"U25 {region}" if u25 else f"Markt und Integration {region}"
            ids = []
            for _ in range(k):
                n += 1
                cid = f"FM{n:04d}"
                name = f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]} {LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]}"
                cw_rows.append((cid, name, team))
                ids.append(cid)
            team_members[(region, u25)] = ids
    caseworkers = _table(
        "caseworkers",
        {"caseworker_id": [r[0] for r in cw_rows], "name": [r[1] for r in cw_rows], "team": [r[2] for r in cw_rows],
         "jobcenter_id": [P.JOBCENTER_ID] * len(cw_rows)},
    )

    # --- assignments -------------------------------------------------------------------------------
    asg = []
    for p, s, e, region, _ in periods:
        b25 = _birthday(persons[p].birth, law.U25_AGE_LIMIT)
        pieces = [(s, e)]
        if s < b25 <= AS_OF and (e is None or e >= b25):
            pieces = [(s, b25 - timedelta(days=1)), (b25, e)]
        for a, b in pieces:
            ids = team_members[(region, a < b25)]
            asg.append((p, ids[int(rng.integers(len(ids)))], a, b))
    assignments = _table(
        "assignments",
        {"person_id": [pid(r[0]) for r in asg], "caseworker_id": [r[1] for r in asg],
         "start": [r[2] for r in asg], "end": [r[3] for r in asg]},
    )

    # --- obstacles ---------------------------------------------------------------------------------
    obs = []
    for p, s, e, region, role in periods:
        per = persons[p]
        cls_factor = {0: 0.0, 1: 0.5, 2: 1.0}[per.cls]
        found: set[str] = set()

        def add(cat: str, start: date, p: int = p, e: date | None = e, found: set[str] = found) -> None:
            _add_obstacle(obs, rng, found, p, cat, start, e)

        u = rng.random(len(OBSTACLE_BASE) + 4)
        for k, (cat, (base, long_f)) in enumerate(OBSTACLE_BASE.items()):
            prob = base * (1 + (long_f - 1) * cls_factor)
            if cat == "mobility" and region == "Wittgenstein":
                prob *= 1.6
            if u[k] < prob:
                add(cat, s)
        lang = {"de": 0.01, "eu": 0.3, "non_eu": 0.45}[per.cit]
        if u[-4] < lang:
            add("language", s)
        if per.school == "none" and u[-3] < 0.8:
            add("school_qualification", s)
        if per.voc == "none" and _age(per.birth, s) >= 20 and u[-2] < 0.6:
            add("vocational_qualification", s)
        young_kids = [k for k in per.kids if k <= s and _age(k, s) < 6]
        if young_kids and role in ("head", "partner") and u[-1] < (0.5 if per.sex == "f" else 0.15):
            add("childcare", s)
        for months in (12, 24):
            t = s + timedelta(days=round(months * 30.44))
            if e is None or e >= t:
                for cat, prob in ACCRUING:
                    if rng.random() < prob * (1 + cls_factor):
                        add(cat, t)
    obs.sort(key=lambda r: (r[0], r[2], r[1]))
    obstacles = _table(
        "obstacles",
        {"person_id": [pid(r[0]) for r in obs], "category": [r[1] for r in obs], "start": [r[2] for r in obs],
         "end": [r[3] for r in obs]},
    )

    # --- childcare needs at off-peak hours -------------------------------------------------------
    needs = []
    for p, s, e, region, role in periods:
        per = persons[p]
        if role not in ("head", "partner"):
            continue
        s0 = max(s, PERIODS_FROM)
        kids = [k for k in per.kids if k <= s0 and _age(k, s0) < 10]
        if not kids:
            continue
        if rng.random() >= (0.30 if per.sex == "f" else 0.10):
            continue
        start = s0 + timedelta(days=int(rng.integers(0, 180)))
        if start > AS_OF or (e is not None and start > e):
            continue
        child = max(kids)
        slots = [sl for sl, pr in (("early", 0.55), ("late", 0.6), ("weekend", 0.15), ("night", 0.05))
                 if rng.random() < pr] or ["late"]
        if rng.random() < 0.6:
            end = start + timedelta(days=int(rng.integers(30, 300)))
            if e is not None and end > e:
                end = e
        else:
            end = e
        needs.append((p, child, " ".join(slots), start, None if end is None or end > AS_OF else end))
    needs.sort(key=lambda r: (r[0], r[3]))
    childcare_needs = _table(
        "childcare_needs",
        {"person_id": [pid(r[0]) for r in needs], "child_birth_date": [r[1] for r in needs],
         "slots": [r[2] for r in needs], "start": [r[3] for r in needs], "end": [r[4] for r in needs]},
    )

    # --- childcare providers ---------------------------------------------------------------------
    prov = []
    for ags, name, pop, _region in P.MUNICIPALITIES:
        n_kita = max(2, round(pop / 2600))
        n_tp = max(1, round(pop / 5000))
        for k in range(n_kita):
            r = rng.random()
            slots = None if r < 0.68 else "early" if r < 0.84 else "late" if r < 0.94 else "early late"
            lo = int(rng.choice([0, 12, 24, 36]))
            cap = int(rng.integers(35, 125))
            free = int(rng.integers(0, 4)) if rng.random() < 0.3 else 0
            prov.append((f"KT{ags[-3:]}{k + 1:02d}", f"Kita {name} {k + 1}", ags, "kita", slots, lo, 72, cap, free))
        for k in range(n_tp):
            r = rng.random()
            slots = ("early late" if r < 0.45 else "late" if r < 0.7 else "early late weekend" if r < 0.8
                     else "early")
            cap = 5
            free = int(rng.integers(0, 3))
            prov.append((f"TP{ags[-3:]}{k + 1:02d}", f"Kindertagespflege {name} {k + 1}", ags, "tagespflege",
                         slots, 0, 36, cap, free))
    prov.append(("SO04001", "Notfallbetreuung Siegen (Nacht und Wochenende)", P.SIEGEN_AGS, "other",
                 "night weekend", 12, 144, 6, 1))
    providers = _table(
        "childcare_providers",
        {
            "provider_id": [r[0] for r in prov], "name": [r[1] for r in prov], "municipality_id": [r[2] for r in prov],
            "kind": [r[3] for r in prov], "slots": [r[4] for r in prov], "min_age_months": [r[5] for r in prov],
            "max_age_months": [r[6] for r in prov], "capacity": [r[7] for r in prov],
            "free_places": [r[8] for r in prov],
        },
    )
    return {
        "caseworkers": caseworkers,
        "assignments": assignments,
        "obstacles": obstacles,
        "childcare_needs": childcare_needs,
        "childcare_providers": providers,
    }
