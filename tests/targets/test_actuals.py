"""Actual series through the real engine on a tiny dataset: warm-up months are blanked, not zero."""

from __future__ import annotations

from zielwerk.domain.calendar import Month
from zielwerk.targets import collect, monitor, parse_agreement
from zielwerk.targets.actuals import coverage_start, warmup_months
from zielwerk.targets.monitoring import NO_DATA

from .conftest import SMALL
from .test_local import _ds


def test_warmup_rules():
    # the LZB status needs 730 days of history (C3); the K3 change another 12 months; rolling quotas 12 + 1
    assert (warmup_months("LZB_JD"), warmup_months("K3"), warmup_months("K2")) == (24, 36, 13)


def test_collect_blanks_months_without_enough_history():
    ds = _ds()  # eLb spells start in 2015: no meaningful LZB values before 2017, no K2 before 2016-02
    assert coverage_start(ds) == Month(2015, 1)
    a = parse_agreement(SMALL)
    series = collect(ds, a, Month(2016, 6))
    assert series.year(("LZB_JD", "all"), 2015) == [None] * 12
    assert series.year(("LZB_JD", "all"), 2016)[:6] == [None] * 6
    assert series.year(("K2", "all"), 2016)[:6] == [None] * 6  # year-to-date: January 2016 is in the warm-up
    mon = monitor(a, series, Month(2016, 6))
    lzb = mon.targets[0]
    assert lzb.resolved is None and "kein Vorjahreswert für LZB_JD" in lzb.problem
    assert lzb.status == NO_DATA
