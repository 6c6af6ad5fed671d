"""Structural sanity of the Siegen-Wittgenstein dataset: contract rules, realistic histories."""

from __future__ import annotations

import csv
import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta

from zielwerk.data.schema import TABLES

from .conftest import FAR, d


def test_all_tables_and_dataset_toml(siegen_dir):
    for t in TABLES:
        path = siegen_dir / f"{t.name}.csv"
        assert path.exists(), t.name
        with open(path, newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header == list(t.column_names)
    toml = (siegen_dir / "dataset.toml").read_text(encoding="utf-8")
    assert "as_of = 2017-12-31" in toml and "stichtag_day = 15" in toml


def test_jobcenter(world):
    assert world.tables["jobcenters"] == [
        {"jobcenter_id": "05970", "name": "Jobcenter Kreis Siegen-Wittgenstein", "form": "gE", "vergleichstyp": "IIb"}
    ]
    assert {r["jobcenter_id"] for r in world.tables["municipalities"]} == {"05970"}


def test_spell_rules(world):
    """end >= start; no overlap per person+BG; never eLb and nef on the same day; references exist."""
    persons = set(world.birth)
    munis = {r["municipality_id"] for r in world.tables["municipalities"]}
    by_key = defaultdict(list)
    by_person = defaultdict(list)
    for r in world.tables["elb_spells"]:
        s, e = d(r["start"]), d(r["end"])
        assert e >= s, r
        assert r["person_id"] in persons and r["municipality_id"] in munis
        by_key[(r["person_id"], r["bg_id"])].append((s, e))
        by_person[r["person_id"]].append((s, e, r["status"]))
    for key, ivs in by_key.items():
        ivs.sort()
        for (_, e1), (s2, _) in itertools.pairwise(ivs):
            assert s2 > e1, key
    for p, ivs in by_person.items():
        ivs.sort()
        for (_, e1, _), (s2, _, _) in itertools.pairwise(ivs):
            assert s2 > e1, p  # no overlap at all in this scenario (so no eLb and nef on one day)


def test_status_follows_age(world):
    for r in world.tables["elb_spells"][:20000]:
        b = world.birth[r["person_id"]]
        s = d(r["start"])
        age = s.year - b.year - ((s.month, s.day) < (b.month, b.day))
        assert (age >= 15) == (r["status"] == "elb"), r


def test_other_tables_reference_persons_and_dates(world):
    persons = set(world.birth)
    for name in ("employment", "measures", "children", "assignments", "obstacles", "childcare_needs"):
        for r in world.tables[name]:
            assert r["person_id"] in persons, (name, r)
            if "start" in r:
                assert d(r["end"]) >= d(r["start"]), (name, r)
                assert d(r["start"]) <= date(2017, 12, 31)
    cws = {r["caseworker_id"] for r in world.tables["caseworkers"]}
    assert all(r["caseworker_id"] in cws for r in world.tables["assignments"])
    munis = {r["municipality_id"] for r in world.tables["municipalities"]}
    assert all(r["municipality_id"] in munis for r in world.tables["payments"])
    assert all(r["municipality_id"] in munis for r in world.tables["childcare_providers"])
    keys = Counter((r["bg_id"], r["month"]) for r in world.tables["payments"])
    assert max(keys.values()) == 1


def test_realistic_histories(world):
    """Several spells per person, gaps, moves, history before 2012, all kinds of employment and measures."""
    spells_per_person = Counter(r["person_id"] for r in world.tables["elb_spells"])
    assert sum(1 for n in spells_per_person.values() if n >= 2) > 3000
    with_gap = 0
    for ivs in world.elb.values():
        ivs = sorted(ivs)
        if any(s2 - e1 > timedelta(days=31) for (_, e1, _, _), (s2, _, _, _) in itertools.pairwise(ivs)):
            with_gap += 1
    assert with_gap > 1000
    movers = sum(1 for ivs in world.elb.values() if len({m for _, _, _, m in ivs}) > 1)
    assert movers > 200
    assert min(d(r["start"]) for r in world.tables["elb_spells"]) < date(2010, 1, 1)
    assert any(r["end"] == "" for r in world.tables["elb_spells"])
    kinds = Counter((r["kind"], r["subsidy"]) for r in world.tables["employment"])
    for k in ("svb", "training", "self_employed", "marginal", "public_funded"):
        assert any(kk == k for kk, _ in kinds), k
    assert kinds[("svb", "egz")] > 0 and kinds[("public_funded", "agh")] > 0
    instruments = {r["instrument"] for r in world.tables["measures"]}
    assert {"activation", "vocational_further_training", "placement_budget", "agh", "egz"} <= instruments
    types = Counter(r["bg_type"] for r in world.tables["households"])
    assert set(types) == {"single", "single_parent", "couple", "couple_children", "other"}
    # household changes: BGs whose type changes over time
    per_bg = defaultdict(set)
    for r in world.tables["households"]:
        per_bg[r["bg_id"]].add(r["bg_type"])
    assert sum(1 for v in per_bg.values() if len(v) > 1) > 300


def test_children_and_births(world):
    kids = world.tables["children"]
    assert len(kids) > 5000
    # births during receipt: nef spells that start on the birth date
    births = sum(1 for r in world.tables["elb_spells"]
                 if r["status"] == "nef" and d(r["start"]) == world.birth[r["person_id"]])
    assert births > 200
    assert all(d(r["child_birth_date"]) <= date(2017, 12, 31) for r in kids)


def test_open_ends_only_for_running_rows(world):
    for name in ("elb_spells", "households", "employment", "measures"):
        for r in world.tables[name]:
            if r["end"]:
                assert d(r["end"]) <= date(2017, 12, 31), (name, r)
    assert FAR > date(2017, 12, 31)


def test_valid_by_the_contract_reader(siegen_dataset):
    """The real reader/validator accepts the dataset (raises DatasetInvalid otherwise)."""
    assert siegen_dataset.as_of == date(2017, 12, 31)
    assert siegen_dataset["elb_spells"].num_rows > 50000



def test_household_type_episodes_of_a_bg_do_not_overlap(world):
    """A BG has one type on any day (the reader warns otherwise; generator v6 produced one overlap)."""
    by_bg = defaultdict(list)
    for r in world.tables["households"]:
        by_bg[r["bg_id"]].append((d(r["start"]), d(r["end"])))
    for bg, episodes in by_bg.items():
        episodes.sort()
        for (s1, e1), (s2, _e2) in itertools.pairwise(episodes):
            assert s2 > e1, (bg, s1, e1, s2)
