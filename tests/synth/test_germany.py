"""The germany scenario at a tiny scale (F = 0.002): structure, validity, determinism, rough calibration."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import mean

import pyarrow.parquet as pq
import pytest

from zielwerk.synth import generate

SCALE = 0.002


@pytest.fixture(scope="module")
def de_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("germany") / "d"
    generate("germany", out, seed=1, scale=SCALE)
    return out


@pytest.fixture(scope="module")
def rows(de_dir):
    return {f.stem: pq.read_table(f).to_pylist() for f in de_dir.glob("*.parquet")}


def test_files_and_validity(de_dir):
    from zielwerk.data.reader import load_dataset

    names = {f.name for f in de_dir.iterdir()}
    assert names == {f"{t}.parquet" for t in ("jobcenters", "municipalities", "persons", "elb_spells",
                                              "households", "payments", "employment", "measures",
                                              "children", "unemployment_spells", "school_attendance",
                                              "exemptions", "profile_stages", "action_plan_periods")} | {
        "dataset.toml", "amtliche-kennzahlen.csv"}  # the official table (issue 14)
    ds = load_dataset(de_dir)  # raises DatasetInvalid on any contract violation
    assert ds.as_of == date(2017, 12, 31) and ds.stichtag_day == 15
    # issue 15: the § 16a services are instruments of measures
    assert {"16a_childcare", "16a_debt", "16a_psychosocial", "16a_addiction"} <= set(
        ds["measures"].column("instrument").to_pylist())


def test_jobcenters_varying_size_and_ags(rows):
    jcs = rows["jobcenters"]
    assert len(jcs) == 407
    assert len({j["jobcenter_id"] for j in jcs}) == 407
    assert {j["form"] for j in jcs} == {"gE", "zkT"}
    munis = rows["municipalities"]
    assert all(len(m["municipality_id"]) == 8 and m["municipality_id"].isdigit() for m in munis)
    assert all(m["municipality_id"].startswith(m["jobcenter_id"]) for m in munis)
    jc_of = {m["municipality_id"]: m["jobcenter_id"] for m in munis}
    day = date(2016, 6, 15)
    size = Counter(jc_of[s["municipality_id"]] for s in rows["elb_spells"]
                   if s["status"] == "elb" and s["start"] <= day and (s["end"] is None or s["end"] >= day))
    names = {j["jobcenter_id"]: j["name"] for j in jcs}
    top = [names[j] for j, _ in size.most_common(5)]
    assert "Jobcenter Hamburg" in top
    # log-normal-ish: the largest is many times the median
    values = sorted(size.values())
    assert values[-1] > 8 * values[len(values) // 2]


def test_stock_lzb_and_integrations_roughly_national(rows):
    """Brute force at four Stichtage of 2016: eLb ≈ 4.3 million × F, LZB about two thirds."""
    elb = defaultdict(list)
    sex = {p["person_id"]: p["sex"] for p in rows["persons"]}
    for s in rows["elb_spells"]:
        if s["status"] == "elb":
            elb[s["person_id"]].append((s["start"], s["end"] or date(9999, 12, 31)))
    stocks, shares = [], []
    for m in (3, 6, 9, 12):
        day = date(2016, m, 15)
        lo = day - timedelta(days=729)
        stock = [p for p, iv in elb.items() if any(a <= day <= b for a, b in iv)]
        lzb = 0
        for p in stock:
            # union of the clipped intervals, counted day-exactly
            clipped = sorted((max(a, lo), min(b, day)) for a, b in elb[p] if a <= day and b >= lo)
            total, cur = 0, None
            for a, b in clipped:
                if cur is None or a > cur[1] + timedelta(days=1):
                    total += 0 if cur is None else (cur[1] - cur[0]).days + 1
                    cur = [a, b]
                else:
                    cur[1] = max(cur[1], b)
            total += 0 if cur is None else (cur[1] - cur[0]).days + 1
            lzb += total >= 638
        stocks.append(len(stock))
        shares.append(lzb / len(stock))
    assert 0.9 * 4_300_000 * SCALE <= mean(stocks) <= 1.1 * 4_300_000 * SCALE
    assert 0.60 <= mean(shares) <= 0.70
    assert Counter(sex[p] for p in elb)["f"] > 0.35 * len(elb)


def test_realistic_structure(rows):
    spells = rows["elb_spells"]
    per_person = Counter(s["person_id"] for s in spells)
    assert sum(1 for n in per_person.values() if n >= 2) > 0.2 * len(per_person)
    jc_of = {m["municipality_id"]: m["jobcenter_id"] for m in rows["municipalities"]}
    jcs = defaultdict(set)
    munis = defaultdict(set)
    for s in spells:
        jcs[s["person_id"]].add(jc_of[s["municipality_id"]])
        munis[s["person_id"]].add(s["municipality_id"])
    assert sum(1 for v in jcs.values() if len(v) > 1) > 20  # moves between Jobcenters
    assert sum(1 for v in munis.values() if len(v) > 1) > sum(1 for v in jcs.values() if len(v) > 1)
    by_key = defaultdict(list)
    for s in spells:
        by_key[(s["person_id"], s["bg_id"])].append((s["start"], s["end"] or date(9999, 12, 31), s["status"]))
    short_gaps = 0
    for ivs in by_key.values():
        ivs.sort()
        for (_, e1, _), (s2, _, _) in itertools.pairwise(ivs):
            assert s2 > e1
            short_gaps += (s2 - e1).days <= 8
    assert short_gaps > 10  # returns within the merge gap of C4 exist
    kinds = Counter(e["kind"] for e in rows["employment"])
    assert set(kinds) == {"svb", "training", "self_employed", "marginal", "public_funded"}
    assert {m["instrument"] for m in rows["measures"]} >= {"activation", "agh", "egz"}
    assert len(rows["children"]) > 1000
    months = {p["month"] for p in rows["payments"]}
    assert min(months) == "2012-01" and max(months) == "2017-12"
    assert len({(p["bg_id"], p["month"]) for p in rows["payments"]}) == len(rows["payments"])


def _digest(directory):
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(directory.iterdir())}


def test_deterministic_per_seed(de_dir, tmp_path):
    generate("germany", tmp_path / "same", seed=1, scale=SCALE)
    assert _digest(tmp_path / "same") == _digest(de_dir)
    generate("germany", tmp_path / "other", seed=2, scale=SCALE)
    assert _digest(tmp_path / "other")["elb_spells.parquet"] != _digest(de_dir)["elb_spells.parquet"]
