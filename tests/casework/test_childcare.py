"""Off-peak childcare matching: all slots, age window, capacity (greedy, never promised twice),
nearest municipality first, unmatched needs with reason and planning aggregation."""

from __future__ import annotations

import pytest

from zielwerk.casework import match_childcare, unmatched_by_municipality_slot
from zielwerk.casework.childcare import distance_km

from .helpers import BERLEBURG, SIEGEN, WILNSDORF, d, make_ds, person, spell

S = d("2015-06-15")


def provider(pid, muni, slots, lo=0, hi=72, free=1, kind="kita"):
    return {"provider_id": pid, "name": f"Anbieter {pid}", "municipality_id": muni, "kind": kind, "slots": slots,
            "min_age_months": lo, "max_age_months": hi, "capacity": 20, "free_places": free}


def need(pid, slots, birth="2013-06-15", start="2015-01-01", end=None):
    return {"person_id": pid, "child_birth_date": birth, "slots": slots, "start": start, "end": end}


def ds_with(needs, providers, muni=None):
    muni = muni or {}
    pids = sorted({n["person_id"] for n in needs})
    return make_ds([person(p) for p in pids], [spell(p, "2014-01-01", muni=muni.get(p, SIEGEN)) for p in pids],
                   childcare_needs=needs, childcare_providers=providers)


def test_distance_known_and_unknown():
    # Siegen (50.87, 8.02) – Wilnsdorf (50.82, 8.10): Δlat 5.6 km, Δlon 0.08° × 111.3 × cos(50.85°) ≈ 5.6 km
    assert distance_km(SIEGEN, WILNSDORF) == pytest.approx(7.9, abs=0.3)
    assert distance_km(SIEGEN, SIEGEN) == 0.0
    assert distance_km(SIEGEN, "09999999") is None


def test_all_slots_needed_and_nearest_first():
    needs = [need("A", "early late")]
    providers = [
        provider("P-only-early", SIEGEN, "early", free=5),  # misses "late"
        provider("P-far", BERLEBURG, "early late weekend", free=5),
        provider("P-near", WILNSDORF, "late early", free=5),
        provider("P-same", SIEGEN, "early late", free=5),
    ]
    props, unmatched = match_childcare(ds_with(needs, providers), S, alternatives=5)
    assert unmatched.num_rows == 0
    assert props.column("provider_id").to_pylist() == ["P-same", "P-near", "P-far"]
    assert props.column("rank").to_pylist() == [1, 2, 3]
    assert props.column("reserved").to_pylist() == [True, False, False]
    assert props.column("free_places_left").to_pylist()[0] == 4


def test_age_window_boundaries():
    # child born 15.06.2013: 24 months at S
    needs = [need("A", "late")]
    for lo, hi, ok in [(24, 30, True), (12, 24, True), (25, 36, False), (0, 23, False)]:
        props, unmatched = match_childcare(ds_with(needs, [provider("P", SIEGEN, "late", lo, hi)]), S)
        assert (props.num_rows == 1) is ok
        if not ok:
            assert unmatched.column("reason").to_pylist() == ["no_age"]


def test_capacity_is_not_promised_twice():
    # three needs, waiting since different dates; Siegen provider has 1 place, Wilnsdorf 1 place
    needs = [need("C", "night", start="2015-03-01"), need("A", "night", start="2015-01-01"),
             need("B", "night", start="2015-02-01")]
    providers = [provider("P1", SIEGEN, "night", free=1), provider("P2", WILNSDORF, "night", free=1)]
    props, unmatched = match_childcare(ds_with(needs, providers), S)
    reserved = {r["person_id"]: r["provider_id"] for r in props.to_pylist() if r["reserved"]}
    assert reserved == {"A": "P1", "B": "P2"}  # longest waiting first, nearest first
    # B sees only P2 (P1 is taken): alternatives never include a full provider
    assert [r["provider_id"] for r in props.to_pylist() if r["person_id"] == "B"] == ["P2"]
    assert unmatched.column("person_id").to_pylist() == ["C"]
    assert unmatched.column("reason").to_pylist() == ["no_place"]


def test_unmatched_reasons_and_planning():
    needs = [need("A", "weekend"), need("B", "weekend night"), need("C", "weekend"), need("D", "weekend"),
             need("E", "early", end="2015-05-31")]  # E's need has ended: not open
    providers = [provider("P", SIEGEN, "early late", free=3)]
    ds = ds_with(needs, providers, muni={"D": WILNSDORF})
    props, unmatched = match_childcare(ds, S)
    assert props.num_rows == 0
    assert sorted(unmatched.column("person_id").to_pylist()) == ["A", "B", "C", "D"]
    assert set(unmatched.column("reason").to_pylist()) == {"no_slot"}
    plan = {(r["municipality_name"], r["slot"]): r for r in unmatched_by_municipality_slot(unmatched).to_pylist()}
    assert plan[("Siegen", "weekend")]["needs"] == 3 and plan[("Siegen", "weekend")]["needs_display"] == "3"
    assert plan[("Siegen", "night")]["needs"] == 1 and plan[("Siegen", "night")]["needs_display"] == "*"
    assert plan[("Wilnsdorf", "weekend")]["needs_display"] == "*"


def test_need_of_person_not_in_receipt_ignored():
    ds = make_ds([person("A")], [spell("A", "2014-01-01", "2015-05-31")],
                 childcare_needs=[need("A", "late")], childcare_providers=[provider("P", SIEGEN, "late")])
    props, unmatched = match_childcare(ds, S)
    assert props.num_rows == 0 and unmatched.num_rows == 0
