"""Actual series through the real engine on a tiny dataset: warm-up months are blanked, not zero."""

from __future__ import annotations

from zielwerk.domain.calendar import Month
from zielwerk.targets import collect, monitor, parse_agreement
from zielwerk.targets.actuals import coverage_start, warmup_months
from zielwerk.targets.monitoring import NO_DATA

from .conftest import SMALL
from .test_local import _ds


def test_warmup_rules():
    # Worked out from the definitions, with the data starting on the 1st of month 0:
    # - LZB_JD (year-to-date average of the LZB stock): the LZB status at S_t reads 730 days (C3), which lie
    #   in the data from month 24 on (24 months span at least 730 days); January must be month 24 or later.
    # - K3 (LZB stock at S_t against S_{t−12}): 24 + 12 = 36.
    # - K2 in an agreement is the year-to-date value: January's integrations are counted with the stock and
    #   status at S_Dec (C6, C7), so January must be month 1 or later.
    # - K2E1 (rolling): starts of t−11..t need the stock at S_{t−12} ≥ month 0: 12.
    # - K3E1 (year-to-date): January's LZB integrations need the LZB status at S_Dec: 24 + 1 = 25.
    # - K2E3 under FKV 2011: svB integrations of t−23..t−12, each counted with the stock at S_{m−1}: 24.
    got = {c: warmup_months(c) for c in ("LZB_JD", "K3", "K2", "K2E1", "K3E1", "K2E3")}
    assert got == {"LZB_JD": 24, "K3": 36, "K2": 1, "K2E1": 12, "K3E1": 25, "K2E3": 24}


def test_collect_blanks_months_without_enough_history():
    ds = _ds()  # eLb spells start in 2015: no meaningful LZB values before 2017, no year-to-date K2 in 2015
    assert coverage_start(ds) == Month(2015, 1)
    a = parse_agreement(SMALL)
    series = collect(ds, a, Month(2016, 6))
    assert series.year(("LZB_JD", "all"), 2015) == [None] * 12
    assert series.year(("LZB_JD", "all"), 2016)[:6] == [None] * 6
    # year-to-date: January 2015 is the first month (its integrations would need S_Dec 2014); in 2016 no
    # integrations over the 4 eLb of Jobcenter J1 at S_Dec 2015 (P1, P2, P4, P5): 0 %
    assert series.year(("K2", "all"), 2015) == [None] * 12
    assert series.year(("K2", "all"), 2016)[:6] == [0.0] * 6
    mon = monitor(a, series, Month(2016, 6))
    lzb = mon.targets[0]
    assert lzb.resolved is None and "kein Vorjahreswert für LZB_JD" in lzb.problem
    assert lzb.status == NO_DATA
