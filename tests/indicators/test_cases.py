"""Runs the legal case files in ``tests/indicators/cases/*.toml`` (one case per file).

A case file is meant to be read and written by a controller or a lawyer: the legal source, the
data of a few persons, and the expected values, each worked out by hand in a comment beside it
(the format is described in ``cases/README.md``). The runner builds the dataset, computes the
indicators (or the LZB status) and compares every expectation.
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.indicators import compute_kennzahlen, lzb_status

CASES = Path(__file__).parent / "cases"

#: The master data every case uses: Jobcenter J1 with the municipalities A1 and A2, J2 with B1.
JOBCENTERS = {"J1": ("Jobcenter Eins", "gE", ["A1", "A2"]), "J2": ("Jobcenter Zwei", "zkT", ["B1"])}
UNIT_TYPES = {"total": "total", **{j: "jobcenter" for j in JOBCENTERS},
              **{m: "municipality" for _, _, ms in JOBCENTERS.values() for m in ms}}


def _dataset(case: dict) -> Dataset:
    persons = {p["person"]: p for p in case.get("persons", [])}
    ids = sorted({s["person"] for s in case.get("spells", [])} | {e["person"] for e in case.get("employment", [])}
                 | set(persons))
    rows = {
        "jobcenters": [{"jobcenter_id": j, "name": n, "form": f} for j, (n, f, _) in JOBCENTERS.items()],
        "municipalities": [{"municipality_id": m, "name": f"Gemeinde {m}", "jobcenter_id": j}
                           for j, (_, _, ms) in JOBCENTERS.items() for m in ms],
        "persons": [{"person_id": p, "sex": persons.get(p, {}).get("sex", "f"),
                     "birth_date": persons.get(p, {}).get("birth", date(1980, 1, 1))} for p in ids],
        "elb_spells": [{"person_id": s["person"], "bg_id": s["bg"], "municipality_id": s["municipality"],
                        "start": s["start"], "end": s.get("end"), "status": s.get("status", "elb"),
                        "role": s.get("role", "head")} for s in case.get("spells", [])],
        "employment": [{"person_id": e["person"], "kind": e["kind"], "subsidy": e.get("subsidy", "none"),
                        "start": e["start"], "end": e.get("end")} for e in case.get("employment", [])],
        "measures": [{"person_id": m["person"], "instrument": m["instrument"], "start": m["start"],
                      "end": m.get("end")} for m in case.get("measures", [])],
        "households": [{"bg_id": h["bg"], "bg_type": h["type"], "start": h["start"], "end": h.get("end")}
                       for h in case.get("households", [])],
        "payments": [{"bg_id": p["bg"], "month": p["month"], "municipality_id": p["municipality"],
                      "llu": float(p["llu"]), "luh": float(p["luh"])} for p in case.get("payments", [])],
        "children": [],
    }
    return Dataset.from_rows(rows, as_of=case.get("as_of", date(2020, 12, 31)),
                             stichtag_day=case.get("stichtag_day", 15))


def _close(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=5e-4 if isinstance(expected, float) else 0)


def _check_indicators(case: dict, ds: Dataset) -> list[str]:
    first, last = (Month.parse(m) for m in case["period"])
    problems = []
    # one computation per combination of options (Stichtag day override, literal window)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for e in case.get("expect", []):
        groups[(e.get("stichtag_day"), e.get("literal_window", False))].append(e)
    for (day, literal), expects in groups.items():
        codes = sorted({e["indicator"] for e in expects})
        tbl = compute_kennzahlen(ds, first, last, level="all", stichtag_day=day, literal_window=literal,
                                 indicators=codes)
        rows = {(r["unit_type"], r["unit_id"], r["month"], r["indicator"], r["sex"]): r for r in tbl.to_pylist()}
        for e in expects:
            unit = e.get("unit", "total")
            key = (UNIT_TYPES[unit], unit, e["month"], e["indicator"], e.get("sex", "all"))
            row = rows.get(key)
            if e.get("absent", False):
                if row is not None:
                    problems.append(f"{key}: expected no row, got {row}")
                continue
            if row is None:
                problems.append(f"{key}: no row")
                continue
            for field in ("numerator", "denominator", "value"):
                if field in e and not _close(row[field], e[field] if e[field] != "leer" else None):
                    problems.append(f"{key} {field}: expected {e[field]}, computed {row[field]}")
    return problems


def _check_lzb(case: dict, ds: Dataset) -> list[str]:
    problems = []
    for e in case.get("expect_lzb", []):
        status = {r["person_id"]: r for r in lzb_status(ds, e["stichtag"]).to_pylist()}
        row = status.get(e["person"])
        if row is None:
            problems.append(f"{e['person']} at {e['stichtag']}: not in the eLb stock")
            continue
        for field, col in (("elb_days", "elb_days_730"), ("is_lzb", "is_lzb"), ("lzb_from", "lzb_from"),
                           ("jobcenter", "jobcenter_id"), ("municipality", "municipality_id")):
            if field in e and row[col] != e[field]:
                problems.append(f"{e['person']} at {e['stichtag']} {field}: expected {e[field]}, computed {row[col]}")
    return problems


def _cases() -> list:
    return [pytest.param(p, id=p.stem) for p in sorted(CASES.glob("*.toml"))]


@pytest.mark.parametrize("path", _cases())
def test_case(path: Path):
    case = tomllib.loads(path.read_text(encoding="utf-8"))
    for key in ("name", "source"):
        assert case.get(key), f"{path.name}: '{key}' fehlt"
    assert case.get("expect") or case.get("expect_lzb"), f"{path.name}: keine Erwartung"
    ds = _dataset(case)
    problems = (_check_indicators(case, ds) if case.get("expect") else []) + _check_lzb(case, ds)
    assert not problems, f"{case['name']}\n" + "\n".join(problems)


def test_every_case_file_is_found():
    assert len(_cases()) >= 19
