"""Plain-Python view of the generated Siegen-Wittgenstein files for brute-force checks.

Nothing here uses the generator or its calibration module: the files are read with the ``csv``
module and every figure is recomputed in the tests with straightforward loops over dates.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

FAR = date(9999, 12, 31)


def read_csv(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def d(text: str) -> date:
    return date.fromisoformat(text) if text else FAR


@dataclass
class World:
    dir: Path
    tables: dict[str, list[dict[str, str]]]
    birth: dict[str, date] = field(default_factory=dict)
    sex: dict[str, str] = field(default_factory=dict)
    #: eLb intervals per person: (start, end, bg, municipality)
    elb: dict[str, list[tuple[date, date, str, str]]] = field(default_factory=lambda: defaultdict(list))

    def covers(self, pid: str, day: date) -> bool:
        return any(s <= day <= e for s, e, _, _ in self.elb[pid])

    def stock(self, day: date) -> set[str]:
        return {p for p, iv in self.elb.items() if any(s <= day <= e for s, e, _, _ in iv)}


@pytest.fixture(scope="session")
def world(siegen_dir) -> World:
    names = [
        "jobcenters", "municipalities", "persons", "elb_spells", "households", "payments", "employment",
        "measures", "children", "caseworkers", "assignments", "obstacles", "childcare_needs",
        "childcare_providers",
    ]
    w = World(siegen_dir, {n: read_csv(siegen_dir, n) for n in names})
    for r in w.tables["persons"]:
        w.birth[r["person_id"]] = d(r["birth_date"])
        w.sex[r["person_id"]] = r["sex"]
    for r in w.tables["elb_spells"]:
        if r["status"] == "elb":
            w.elb[r["person_id"]].append((d(r["start"]), d(r["end"]), r["bg_id"], r["municipality_id"]))
    return w
