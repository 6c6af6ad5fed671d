"""Overlap and eLb/nEf rules against a day-by-day brute force on random spells."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import pytest

from zielwerk.data.reader import read_dataset

HORIZON = date(2030, 1, 1)  # open spells: far beyond every date used


def _days(start: date, end: date | None) -> set[date]:
    last = end or HORIZON
    return {start + timedelta(d) for d in range((last - start).days + 1)}


def _expected(rows: list[dict]) -> tuple[set[int], set[int]]:
    """(lines overlapping an earlier-ordered spell of the same person and BG, nEf lines sharing a day with eLb)."""
    days = [_days(r["start"], r["end"]) for r in rows]
    overlap, conflict = set(), set()
    for i, r in enumerate(rows):
        for j, q in enumerate(rows):
            if i == j or q["person_id"] != r["person_id"] or not days[i] & days[j]:
                continue
            if q["bg_id"] == r["bg_id"] and (q["start"], q["line"]) < (r["start"], r["line"]):
                overlap.add(r["line"])
            if r["status"] == "nef" and q["status"] == "elb":
                conflict.add(r["line"])
    return overlap, conflict


def _random_spells(rng: random.Random, n: int) -> list[dict]:
    out = []
    for _ in range(n):
        start = date(2016, 1, 1) + timedelta(rng.randrange(90))
        end = None if rng.random() < 0.2 else start + timedelta(rng.randrange(40))
        out.append(
            {
                "person_id": rng.choice(["P0002", "P0005", "007"]),
                "bg_id": rng.choice(["BGX1", "BGX2"]),
                "status": rng.choice(["elb", "elb", "nef"]),
                "start": start,
                "end": end,
            }
        )
    return out


@pytest.mark.parametrize("seed", range(15))
def test_overlap_and_elb_nef_rules_match_brute_force(seed, corpus, tmp_path):
    rng = random.Random(seed)
    folder = tmp_path / "ds"
    shutil.copytree(corpus / "base", folder)
    base_lines = (folder / "elb_spells.csv").read_text(encoding="utf-8").splitlines()
    rows = []
    for number, line in enumerate(base_lines[1:], start=2):
        p, bg, _m, status, _role, start, end = line.split(",")
        rows.append(
            {
                "person_id": p,
                "bg_id": bg,
                "status": status,
                "start": date.fromisoformat(start),
                "end": date.fromisoformat(end) if end else None,
                "line": number,
            }
        )
    extra = _random_spells(rng, 12)
    lines = list(base_lines)
    for k, r in enumerate(extra):
        r["line"] = len(base_lines) + 1 + k
        end = r["end"].isoformat() if r["end"] else ""
        lines.append(
            f"{r['person_id']},{r['bg_id']},05970040,{r['status']},head,{r['start'].isoformat()},{end}"
        )
    (folder / "elb_spells.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    overlap, conflict = _expected(rows + extra)

    report = read_dataset(folder)
    got_overlap = {p.line for p in report.problems if p.table == "elb_spells" and p.column == "start"}
    got_conflict = {p.line for p in report.problems if p.table == "elb_spells" and p.column == "status"}
    assert got_overlap == overlap
    assert got_conflict == conflict
    assert report.ok == (not overlap and not conflict)
    assert all(p.table == "elb_spells" for p in report.problems)
