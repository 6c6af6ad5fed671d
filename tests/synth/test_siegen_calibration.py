"""Calibration targets of issue 2, recomputed by brute force from the written files.

Targets (issue 2, docs/domain.md § 1) at the Stichtage of 2016, ±5 %: about 11,000 eLb, about 7,000 LZB
(63-66 % of eLb by the 638-of-730-day rule), about 8,400 BG; single-parent BG 17-20 %; U25 17-20 %;
K2 24-28 % with women about 2/3 of the men's rate; monthly entry and exit rates 3-4 %.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import mean, median

from .conftest import FAR, d

STICHTAGE_2016 = [date(2016, m, 15) for m in range(1, 13)]


def S(year: int, month: int) -> date:
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 15)


def age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def elb_days_in_window(intervals, day: date) -> int:
    """Distinct covered days in [day - 729, day]: union of the clipped intervals."""
    lo = day - timedelta(days=729)
    clipped = sorted((max(s, lo), min(e, day)) for s, e, _, _ in intervals if s <= day and e >= lo)
    total, cur_s, cur_e = 0, None, None
    for s, e in clipped:
        if cur_e is None or s > cur_e + timedelta(days=1):
            if cur_e is not None:
                total += (cur_e - cur_s).days + 1
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += (cur_e - cur_s).days + 1
    return total


def test_elb_stock_about_11000(world):
    for day in STICHTAGE_2016:
        n = len(world.stock(day))
        assert 10450 <= n <= 11550, (day, n)


def test_lzb_about_7000_and_63_to_66_percent(world):
    shares = []
    for day in STICHTAGE_2016[::3]:
        stock = world.stock(day)
        lzb = [p for p in stock if elb_days_in_window(world.elb[p], day) >= 638]
        assert 6650 <= len(lzb) <= 7350, (day, len(lzb))
        shares.append(len(lzb) / len(stock))
    assert 0.63 <= mean(shares) <= 0.66, shares


def test_lzb_day_rule_by_hand_examples():
    """The brute-force helper itself: 638 of 730 days, overlaps counted once."""
    day = date(2016, 6, 15)
    full = [(date(2014, 1, 1), FAR, "a", "x")]
    assert elb_days_in_window(full, day) == 730
    gap = [(date(2014, 1, 1), date(2015, 12, 31), "a", "x"), (date(2016, 3, 1), FAR, "b", "x")]
    # window starts 2014-06-17: 2014-06-17..2015-12-31 = 563 days, 2016-03-01..06-15 = 107 days
    assert elb_days_in_window(gap, day) == 563 + 107
    overlap = [(date(2016, 6, 1), date(2016, 6, 10), "a", "x"), (date(2016, 6, 5), date(2016, 6, 15), "b", "y")]
    assert elb_days_in_window(overlap, day) == 15


def _bg_stock(world, day):
    return {bg for ivs in world.elb.values() for s, e, bg, _ in ivs if s <= day <= e}


def test_bg_about_8400_and_single_parent_share(world):
    hh = [(r["bg_id"], r["bg_type"], d(r["start"]), d(r["end"])) for r in world.tables["households"]]
    shares = []
    for day in STICHTAGE_2016[::3]:
        bgs = _bg_stock(world, day)
        assert 7980 <= len(bgs) <= 8820, (day, len(bgs))
        types = {b: t for b, t, s, e in hh if s <= day <= e}
        assert bgs <= set(types), "every BG in receipt has a household type on the Stichtag"
        shares.append(sum(1 for b in bgs if types[b] == "single_parent") / len(bgs))
    assert 0.17 <= mean(shares) <= 0.20, shares


def test_u25_share(world):
    shares = []
    for day in STICHTAGE_2016[::3]:
        stock = world.stock(day)
        shares.append(sum(1 for p in stock if age(world.birth[p], day) < 25) / len(stock))
    assert 0.17 <= mean(shares) <= 0.20, shares


def integration_events(employment, stocks) -> set[tuple[str, int]]:
    """C6 for the months t = 1..12 of 2016: (person, t) for an integration-relevant start in
    (S_{t-1}, S_t] of a person in the stock at S_{t-1}, or in (S_{t-2}, S_{t-1}] of a person who is in the
    stock at S_{t-1} but was not at S_{t-2}; at most one per person and month. ``stocks[k]`` is the set of
    persons in the stock at S(2016, k), k = -1..12."""
    events: set[tuple[str, int]] = set()
    for r in employment:
        if r["kind"] not in ("svb", "training", "self_employed") or r["subsidy"] in ("agh", "fav", "16e_new", "16i"):
            continue
        st = d(r["start"])
        p = r["person_id"]
        for t in range(1, 13):
            in_window = S(2016, t - 1) < st <= S(2016, t) and p in stocks[t - 1]
            late = S(2016, t - 2) < st <= S(2016, t - 1) and p in stocks[t - 1] and p not in stocks[t - 2]
            if in_window or late:
                events.add((p, t))
    return events


def test_integration_events_by_hand():
    stocks = {k: {"A", "B"} for k in range(-1, 13)}
    stocks[2] = {"A", "B", "C"}  # C enters between S(2016-01) and S(2016-02)
    for k in range(3, 13):
        stocks[k] = {"A", "B", "C"}
    employment = [
        {"person_id": "A", "kind": "svb", "subsidy": "none", "start": "2016-03-10"},  # month 3
        {"person_id": "A", "kind": "svb", "subsidy": "egz", "start": "2016-03-12"},  # same month: once
        {"person_id": "B", "kind": "public_funded", "subsidy": "agh", "start": "2016-04-01"},  # never
        {"person_id": "B", "kind": "svb", "subsidy": "agh", "start": "2016-05-01"},  # publicly funded
        {"person_id": "B", "kind": "training", "subsidy": "none", "start": "2016-08-16"},  # month 9
        {"person_id": "C", "kind": "svb", "subsidy": "none", "start": "2016-02-01"},  # entered: counts in 3
        {"person_id": "D", "kind": "svb", "subsidy": "none", "start": "2016-06-01"},  # not in stock
    ]
    assert integration_events(employment, stocks) == {("A", 3), ("B", 9), ("C", 3)}
    assert integration_events([], stocks) == set()


def test_k2_integration_rate_dec_2016_and_women_two_thirds(world):
    """C6/C7: integrations Jan-Dec 2016 over the average stock at S(2015-12)..S(2016-11)."""
    stocks = {k: world.stock(S(2016, k)) for k in range(-1, 13)}  # k=0 is 2015-12, -1 is 2015-11
    events = integration_events(world.tables["employment"], stocks)
    rates = {}
    for sex in ("all", "f", "m"):
        num = sum(1 for p, _ in events if sex == "all" or world.sex[p] == sex)
        den = mean(sum(1 for p in stocks[k] if sex == "all" or world.sex[p] == sex) for k in range(12))
        rates[sex] = num / den
    assert 0.24 <= rates["all"] <= 0.28, rates
    assert 0.58 <= rates["f"] / rates["m"] <= 0.76, rates


def test_entry_and_exit_rates_3_to_4_percent(world):
    """C4: per person (one Jobcenter) spells merged over gaps of at most 7 days."""
    entries, exits = Counter(), Counter()
    for ivs in world.elb.values():
        periods = []
        for s, e, _, _ in sorted(ivs):
            if periods and s <= periods[-1][1] + timedelta(days=8):
                periods[-1][1] = max(periods[-1][1], e)
            else:
                periods.append([s, e])
        for s, e in periods:
            for t in range(1, 13):
                if S(2016, t - 1) < s <= S(2016, t):
                    entries[t] += 1
                if e != FAR and S(2016, t - 1) < e + timedelta(days=1) <= S(2016, t):
                    exits[t] += 1
    stocks = {k: len(world.stock(S(2016, k))) for k in range(13)}
    entry_rate = sum(entries.values()) / sum(stocks[t] for t in range(1, 13))
    exit_rate = sum(exits.values()) / sum(stocks[t - 1] for t in range(1, 13))
    assert 0.03 <= entry_rate <= 0.04, entry_rate
    assert 0.03 <= exit_rate <= 0.04, exit_rate


def test_municipalities_real_ags_and_urban_premium(world):
    munis = {r["municipality_id"]: r["name"] for r in world.tables["municipalities"]}
    assert munis == {
        "05970004": "Bad Berleburg", "05970008": "Burbach", "05970012": "Erndtebrück", "05970016": "Freudenberg",
        "05970020": "Hilchenbach", "05970024": "Kreuztal", "05970028": "Bad Laasphe", "05970032": "Netphen",
        "05970036": "Neunkirchen", "05970040": "Siegen", "05970044": "Wilnsdorf",
    }
    pop = {"05970004": 18914, "05970008": 14856, "05970012": 6934, "05970016": 17711, "05970020": 14801,
           "05970024": 31122, "05970028": 13504, "05970032": 23081, "05970036": 13165, "05970040": 102770,
           "05970044": 20086}
    day = date(2016, 6, 15)
    count = Counter()
    for ivs in world.elb.values():
        here = [(s, m) for s, e, _, m in ivs if s <= day <= e]
        if here:
            count[max(here)[1]] += 1
    assert set(count) == set(pop), "every municipality has eLb"
    per_capita = {m: count[m] / pop[m] for m in pop}
    rest = sum(count[m] for m in pop if m != "05970040") / sum(pop[m] for m in pop if m != "05970040")
    assert 1.2 <= per_capita["05970040"] / rest <= 1.8
    # elsewhere eLb roughly follow the population (no municipality more than 1.5x off the rest's rate)
    for m, inhabitants in pop.items():
        if m != "05970040" and inhabitants > 10000:
            assert 0.66 <= per_capita[m] / rest <= 1.5, (m, per_capita[m] / rest)


def test_llu_and_luh_plausible_2016(world):
    single_2016 = {r["bg_id"] for r in world.tables["households"]
                   if r["bg_type"] == "single" and d(r["start"]) <= date(2016, 1, 1) and d(r["end"]) >= date(2016, 12, 31)}
    llu = [float(r["llu"]) for r in world.tables["payments"] if r["month"].startswith("2016") and r["bg_id"] in single_2016]
    luh = [float(r["luh"]) for r in world.tables["payments"] if r["month"].startswith("2016") and r["bg_id"] in single_2016]
    assert Counter(llu).most_common(1)[0][0] == 404.0  # standard need of a single adult 2016
    assert max(llu) <= 404.0 + 1e-9  # a single adult without additional needs never gets more
    assert 300 <= median(luh) <= 450
    all_pay = world.tables["payments"]
    assert all(float(r["llu"]) > 0 and float(r["luh"]) > 0 for r in all_pay)
    months = {r["month"] for r in all_pay}
    assert min(months) == "2012-01" and max(months) == "2017-12" and len(months) == 72
    # a couple with two small children gets more than a single
    per_bg = defaultdict(float)
    for r in all_pay:
        if r["month"] == "2016-06":
            per_bg[r["bg_id"]] += float(r["llu"])
    types = {r["bg_id"]: r["bg_type"] for r in world.tables["households"]
             if d(r["start"]) <= date(2016, 6, 30) and d(r["end"]) >= date(2016, 6, 1)}
    cc = [v for b, v in per_bg.items() if types.get(b) == "couple_children"]
    sg = [v for b, v in per_bg.items() if types.get(b) == "single"]
    assert median(cc) > 1.5 * median(sg)


def test_parents_in_second_and_third_year_exist(world):
    day = date(2016, 6, 15)
    stock = world.stock(day)
    youngest: dict[str, date] = {}
    for r in world.tables["children"]:
        b = d(r["child_birth_date"])
        youngest[r["person_id"]] = max(youngest.get(r["person_id"], b), b)
    n = 0
    for p in stock:
        if p in youngest:
            months = (day.year - youngest[p].year) * 12 + day.month - youngest[p].month - (day.day < youngest[p].day)
            if 12 <= months <= 35:
                n += 1
    assert n >= 150


def test_obstacles_more_and_more_complex_among_lzb(world):
    day = date(2016, 6, 15)
    stock = world.stock(day)
    lzb = {p for p in stock if elb_days_in_window(world.elb[p], day) >= 638}
    cnt = Counter(r["person_id"] for r in world.tables["obstacles"] if d(r["start"]) <= day <= d(r["end"]))
    mean_lzb = mean(cnt[p] for p in lzb)
    mean_non = mean(cnt[p] for p in stock - lzb)
    assert mean_lzb >= 1.2 * mean_non
    multi_lzb = sum(1 for p in lzb if cnt[p] >= 3) / len(lzb)
    multi_non = sum(1 for p in stock - lzb if cnt[p] >= 3) / len(stock - lzb)
    assert multi_lzb > multi_non
    health = Counter(r["person_id"] for r in world.tables["obstacles"]
                     if r["category"].startswith("health") and d(r["start"]) <= day <= d(r["end"]))
    assert sum(1 for p in lzb if health[p]) / len(lzb) > 0.15  # realistic prevalence of health limits


def test_caseworker_ratios_near_75_and_150(world):
    day = date(2016, 6, 15)
    teams = {r["caseworker_id"]: r["team"] for r in world.tables["caseworkers"]}
    u25_cw = {c for c, t in teams.items() if t.startswith("U25")}
    active = [r for r in world.tables["assignments"] if d(r["start"]) <= day <= d(r["end"])]
    u25_cases = sum(1 for r in active if r["caseworker_id"] in u25_cw)
    assert 65 <= u25_cases / len(u25_cw) <= 85
    assert 135 <= (len(active) - u25_cases) / (len(teams) - len(u25_cw)) <= 165
    # U25 cases are under 25 on the day, the others 25 or older
    for r in active[:2000]:
        a = age(world.birth[r["person_id"]], day)
        assert (a < 25) == (r["caseworker_id"] in u25_cw)
    assert {r["jobcenter_id"] for r in world.tables["caseworkers"]} == {"05970"}


def test_childcare_needs_off_peak_some_unmet(world):
    needs = world.tables["childcare_needs"]
    assert needs
    assert all(set(r["slots"].split()) <= {"early", "late", "weekend", "night"} and r["slots"] for r in needs)
    open_needs = [r for r in needs if not r["end"]]
    assert len(open_needs) >= 20
    providers = world.tables["childcare_providers"]
    assert {r["kind"] for r in providers} == {"kita", "tagespflege", "other"}
    assert any(r["slots"] for r in providers) and any(not r["slots"] for r in providers)
    # some open needs cannot be met by any provider in the municipality (slots, age, free place)
    muni_at = {}
    for p, ivs in world.elb.items():
        muni_at[p] = max(ivs)[3]
    unmet = 0
    for r in open_needs:
        want = set(r["slots"].split())
        child_months = (date(2017, 12, 31) - d(r["child_birth_date"])).days // 30
        ok = any(set(q["slots"].split()) >= want and int(q["free_places"]) > 0
                 and int(q["min_age_months"]) <= child_months <= int(q["max_age_months"])
                 and q["municipality_id"] == muni_at.get(r["person_id"]) for q in providers)
        unmet += not ok
    assert unmet >= 10
