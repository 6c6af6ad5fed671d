"""Reconciliation categories, one constructed case of each kind (issue 14 item 4); values by hand."""

from __future__ import annotations

import pyarrow as pa
import pytest

from zielwerk.official.reconcile import DEFINITION, LATE, PROVISIONAL, ROUNDING, line, reconcile, summary


def _own(rows):
    cols = ["unit_type", "unit_id", "month", "indicator", "sex", "numerator", "denominator", "value", "provisional"]
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})


def _pct(n, d):
    return n / d * 100


OWN = _own([
    # 1. rounding: own 1234/20000 = 6.17 %, official 6.2 with the same counts → 6.17 − 6.2 = −0.03
    ("jobcenter", "A", "2016-06", "K2", "all", 1234.0, 20000.0, _pct(1234, 20000), False),
    # 2. late-recorded: own 1200 integrations, official 1230 (+2.5 %), same stock 20000:
    #    6.00 % vs 6.15 → 6,2 published; difference 6.0 − 6.2 = −0.2 pp, beyond rounding (0.05+0.0025+0.0008)
    ("jobcenter", "A", "2016-06", "K2E1", "all", 1200.0, 20000.0, _pct(1200, 20000), False),
    # 3. provisional locally: large difference, but the own month is still in the waiting period
    ("jobcenter", "A", "2016-12", "K2", "all", 900.0, 20000.0, _pct(900, 20000), True),
    # 4. definition: the stock differs by 5 % (own 21000 vs official 20000)
    ("jobcenter", "A", "2016-06", "K3E2", "all", 3000.0, 21000.0, _pct(3000, 21000), False),
    # 5. definition: numerator 10 % off with the same stock (a measure counted differently)
    ("jobcenter", "A", "2016-06", "K2E2", "all", 1100.0, 20000.0, _pct(1100, 20000), False),
    # 6. late-recorded, small count: 4 vs 6 (−33 % but within 3 persons), same stock 500
    ("jobcenter", "A", "2016-06", "K2E4", "f", 4.0, 500.0, _pct(4, 500), False),
    # no official counterpart: not in the result
    ("jobcenter", "A", "2016-06", "K3", "all", 1.0, 1.0, 0.0, False),
    # a municipality row: ignored
    ("municipality", "A1", "2016-06", "K2", "all", 1.0, 2.0, 50.0, False),
])
OFFICIAL = [
    {"unit_id": "A", "month": "2016-06", "indicator": "K2", "sex": "all", "numerator": 1234.0,
     "denominator": 20000.0, "value": 6.2},
    {"unit_id": "A", "month": "2016-06", "indicator": "K2E1", "sex": "all", "numerator": 1230.0,
     "denominator": 20000.0, "value": 6.2},
    {"unit_id": "A", "month": "2016-12", "indicator": "K2", "sex": "all", "numerator": 1300.0,
     "denominator": 20000.0, "value": 6.5},
    {"unit_id": "A", "month": "2016-06", "indicator": "K3E2", "sex": "all", "numerator": 3000.0,
     "denominator": 20000.0, "value": 15.0},
    {"unit_id": "A", "month": "2016-06", "indicator": "K2E2", "sex": "all", "numerator": 1000.0,
     "denominator": 20000.0, "value": 5.0},
    {"unit_id": "A", "month": "2016-06", "indicator": "K2E4", "sex": "f", "numerator": 6.0,
     "denominator": 500.0, "value": 1.2},
]


def test_each_category():
    rows = {(r.indicator, r.sex, r.month): r for r in reconcile(OWN, OFFICIAL)}
    assert set(rows) == {("K2", "all", "2016-06"), ("K2E1", "all", "2016-06"), ("K2", "all", "2016-12"),
                         ("K3E2", "all", "2016-06"), ("K2E2", "all", "2016-06"), ("K2E4", "f", "2016-06")}
    assert rows[("K2", "all", "2016-06")].category == ROUNDING
    assert rows[("K2", "all", "2016-06")].difference == pytest.approx(6.17 - 6.2)
    assert rows[("K2E1", "all", "2016-06")].category == LATE
    assert rows[("K2E1", "all", "2016-06")].difference == pytest.approx(-0.2)
    assert rows[("K2", "all", "2016-12")].category == PROVISIONAL
    assert rows[("K2", "all", "2016-12")].difference == pytest.approx(4.5 - 6.5)
    assert rows[("K3E2", "all", "2016-06")].category == DEFINITION
    assert rows[("K3E2", "all", "2016-06")].difference == pytest.approx(3000 / 210 - 15.0)
    assert rows[("K2E2", "all", "2016-06")].category == DEFINITION
    assert rows[("K2E4", "f", "2016-06")].category == LATE
    assert summary(rows.values()) == {PROVISIONAL: 1, ROUNDING: 1, LATE: 2, DEFINITION: 2}


def test_thresholds_are_parameters():
    # with a 1 % numerator threshold and no floor, the K2E1 case (2.5 %) becomes a definition question
    rows = {(r.indicator, r.sex): r for r in reconcile(OWN, OFFICIAL, late_numerator=0.01, late_min=0.0)
            if r.month == "2016-06"}
    assert rows[("K2E1", "all")].category == DEFINITION
    assert rows[("K2E4", "f")].category == DEFINITION


def test_value_on_one_side_only_is_definition():
    own = _own([("jobcenter", "A", "2016-06", "K2", "all", 0.0, 0.0, None, False)])
    off = [{"unit_id": "A", "month": "2016-06", "indicator": "K2", "sex": "all", "numerator": 5.0,
            "denominator": 100.0, "value": 5.0}]
    (r,) = reconcile(own, off)
    assert r.category == DEFINITION and r.difference is None


def test_report_line():
    rows = {(r.indicator, r.month): r for r in reconcile(OWN, OFFICIAL)}
    assert line(rows[("K2E1", "2016-06")]) == "Abgleich 2016-06: eigene 6,0 %, amtlich 6,2 % (−0,20 Pp.; Nacherfassung)"
    assert line(None).startswith("Abgleich mit der amtlichen Statistik: noch kein Monat")
