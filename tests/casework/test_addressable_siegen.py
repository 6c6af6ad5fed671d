"""Issue 15 on the Siegen-Wittgenstein demo data (seed 1, Stichtag 15.06.2016): the list sizes before and
after the default exclusions that the README reports, recomputed independently — plain Python over the
CSV files (day sets for the 638/730 rule, no DuckDB, no list code) — and compared with the lists."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

S = date(2016, 6, 15)
#: README, section Fallsteuerung (issue 15): list → (before, after) the default exclusions
README_NUMBERS = {
    "lzb-praevention": (681, 536),
    "lzb-ohne-massnahme": (6435, 4168),
    "u25-ohne-ausbildung": (1285, 632),
}
#: README: pupils left out (school_attendance at S, issue 15 item 1)
README_PUPILS = {"lzb-praevention": 120, "u25-ohne-ausbildung": 653}
README_PARENTS = {"entries_per_bg": 258, "two_parent_entries": 109, "old_rows_per_person": 369}


def _read(folder: Path, table: str) -> list[dict]:
    with open(folder / f"{table}.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _day(s: str) -> date | None:
    return date.fromisoformat(s) if s else None


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _months(birth: date, on: date) -> int:
    m = (on.year - birth.year) * 12 + on.month - birth.month
    last = (date(on.year + on.month // 12, on.month % 12 + 1, 1) - timedelta(days=1)).day
    return m - (1 if on.day < birth.day and on.day != last else 0)


def _covers(r: dict, day: date, a: str = "start", b: str = "end") -> bool:
    return _day(r[a]) <= day and (not r[b] or _day(r[b]) >= day)


def recompute(folder: Path) -> dict:
    spells = _read(folder, "elb_spells")
    persons = {p["person_id"]: p for p in _read(folder, "persons")}
    birth = {k: _day(p["birth_date"]) for k, p in persons.items()}
    employment = _read(folder, "employment")
    measures = _read(folder, "measures")
    stock = {s["person_id"] for s in spells if s["status"] == "elb" and _covers(s, S)}
    lo = S - timedelta(days=729)
    days: dict[str, set[int]] = defaultdict(set)
    for s in spells:
        if s["status"] != "elb" or s["person_id"] not in stock:
            continue
        a, b = max(_day(s["start"]), lo), min(_day(s["end"]) or S, S)
        days[s["person_id"]].update(range(a.toordinal(), b.toordinal() + 1))
    lzb = {p for p in stock if len(days[p]) >= 638}

    # crossing within 6 months: continuing eLb from S on, first S_t (t = 1..6) with >= 638 of 730 days
    stichtage = [date(2016, m, 15) for m in range(7, 13)]
    crossing = set()
    for p in stock - lzb:
        for st in stichtage:
            window_lo = (st - timedelta(days=729)).toordinal()
            n = sum(1 for x in days[p] if x >= window_lo) + (st.toordinal() - S.toordinal())
            if n >= 638:
                crossing.add(p)
                break

    # employment status at S: svB (not publicly funded: FKV 2011 subsidies agh, fav, 16e_new, 16i) first,
    # then training
    svb, training = set(), set()
    for e in employment:
        if not _covers(e, S):
            continue
        if e["kind"] == "svb" and e["subsidy"] not in ("agh", "fav", "16e_new", "16i"):
            svb.add(e["person_id"])
        elif e["kind"] == "training":
            training.add(e["person_id"])
    apprentice = training - svb
    active = {"activation", "vocational_further_training", "other_active", "agh", "fav", "16f"}
    in_measure = {m["person_id"] for m in measures if m["instrument"] in active and _covers(m, S)}

    def age(p):
        return _age(birth[p], S)

    # pupils: by school attendance when the data has it (issue 15 item 1), else the 15–17 proxy
    if (folder / "school_attendance.csv").exists():
        at_school = {r["person_id"] for r in _read(folder, "school_attendance") if _covers(r, S)}

        def pupil(p):
            return p in at_school
    else:
        def pupil(p):
            return 15 <= age(p) <= 17

    out = {}
    prev = crossing
    out["lzb-praevention"] = (len(prev), len({p for p in prev if not (pupil(p) or age(p) >= 63)}))
    wm = lzb - in_measure
    out["lzb-ohne-massnahme"] = (len(wm), len({p for p in wm if p not in svb | apprentice and age(p) < 63}))
    u25 = {p for p in stock if age(p) < 25 and persons[p].get("vocational_degree", "") in ("none", "")
           and p not in training}
    out["u25-ohne-ausbildung"] = (len(u25), len({p for p in u25 if not pupil(p)}))
    out["pupils"] = {"lzb-praevention": sum(1 for p in prev if pupil(p)), "u25-ohne-ausbildung": sum(1 for p in u25 if pupil(p))}

    # parents: the person's BG = eLb spell covering S that started last (then greater bg_id)
    own_bg: dict[str, tuple] = {}
    for s in spells:
        if s["status"] == "elb" and s["person_id"] in stock and _covers(s, S):
            key = (_day(s["start"]), s["bg_id"])
            if s["person_id"] not in own_bg or key > own_bg[s["person_id"]][0]:
                own_bg[s["person_id"]] = (key, s["bg_id"], s["role"])
    parents_of: dict[str, list[str]] = defaultdict(list)
    for p, (_, bg, role) in own_bg.items():
        if role in ("head", "partner"):
            parents_of[bg].append(p)
    youngest: dict[str, date] = {}
    for s in spells:
        if s["role"] == "child" and _covers(s, S) and birth[s["person_id"]] <= S:
            b = birth[s["person_id"]]
            youngest[s["bg_id"]] = max(youngest.get(s["bg_id"], b), b)
    entries = [bg for bg in parents_of if bg in youngest and 12 <= _months(youngest[bg], S) <= 35]
    # the old rule: one row per eLb whose own youngest child (children table, born by S) is 12–35 months
    own_youngest: dict[str, date] = {}
    for c in _read(folder, "children"):
        b = _day(c["child_birth_date"])
        if c["person_id"] in stock and b <= S:
            own_youngest[c["person_id"]] = max(own_youngest.get(c["person_id"], b), b)
    old_rows = sum(1 for b in own_youngest.values() if 12 <= _months(b, S) <= 35)
    out["parents"] = {"entries_per_bg": len(entries),
                      "two_parent_entries": sum(1 for bg in entries if len(parents_of[bg]) == 2),
                      "old_rows_per_person": old_rows}
    return out


@pytest.mark.slow
def test_readme_numbers_recomputed_independently(siegen_dir):
    got = recompute(Path(siegen_dir))
    for name, pair in README_NUMBERS.items():
        assert got[name] == pair, name
    assert got["parents"] == README_PARENTS
    assert got["pupils"] == README_PUPILS


@pytest.mark.slow
def test_lists_match_the_recomputation(siegen_dataset):
    from zielwerk.casework import ListOptions, build_list
    from zielwerk.casework.common import excluded_of

    everyone = ListOptions(include=frozenset({"alle"}))
    for name, (before, after) in README_NUMBERS.items():
        default = build_list(name, siegen_dataset, S)
        assert build_list(name, siegen_dataset, S, options=everyone).num_rows == before, name
        assert default.num_rows == after, name
        assert excluded_of(default)["total"] == before - after, name
        if name in README_PUPILS:
            assert excluded_of(default)["pupil"] == README_PUPILS[name], name
    parents = build_list("eltern-kleinkind", siegen_dataset, S)
    assert parents.num_rows == README_PARENTS["entries_per_bg"]
    assert sum(1 for x in parents.column("partner_id").to_pylist() if x) == README_PARENTS["two_parent_entries"]


if __name__ == "__main__":  # print the numbers for the README
    import sys

    print(recompute(Path(sys.argv[1])))
