"""C10 small-number suppression for figures shown outside the controlling role.

Rule (domain.md C10, :func:`zielwerk.domain.law.is_small_number`): a figure for a
group of fewer than 3 persons is replaced by ``*``. Here a row's group is its numerator and its
denominator (person counts for every indicator whose record does not measure money, i.e. except
K1/K1E1: :attr:`zielwerk.indicators.definitions.Indicator.measure`): if either is 1 or 2 the
row's numerator, denominator and value are suppressed (0 is shown: an empty group reveals nobody). Secondary suppression: within one unit, month and indicator, if exactly one of
the sexes f/m is suppressed while "all" is shown, the other sex is suppressed too, because
all − other would reveal it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from zielwerk.domain.law import is_small_number

from .definitions import INDICATORS, MONEY

#: what a suppressed figure shows
SUPPRESSED = "*"


def _money(code: str) -> bool:
    """The indicator's numerator/denominator are money amounts, not persons (no group size); an
    unknown code counts as persons (suppressed rather than revealed)."""
    ind = INDICATORS.get(code)
    return ind is not None and ind.measure == MONEY


def suppress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return copies of long-format indicator rows with C10 applied (primary and secondary)."""
    out = [dict(r) for r in rows]
    groups: dict[tuple, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in out:
        if _money(r["indicator"]):
            continue
        if is_small_number(r.get("numerator")) or is_small_number(r.get("denominator")):
            r["suppressed"] = True
        groups[(r["unit_type"], r["unit_id"], r["month"], r["indicator"])][r["sex"]] = r
    for by_sex in groups.values():
        f, m, total = by_sex.get("f"), by_sex.get("m"), by_sex.get("all")
        if total is None or total.get("suppressed"):
            continue
        flags = [x is not None and x.get("suppressed", False) for x in (f, m)]
        if flags == [True, False] and m is not None:
            m["suppressed"] = True
        elif flags == [False, True] and f is not None:
            f["suppressed"] = True
    for r in out:
        if r.pop("suppressed", False):
            r["numerator"] = r["denominator"] = r["value"] = SUPPRESSED
    return out


def suppress_official(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`suppress` for official figures (one row per Jobcenter, month, indicator and sex, keyed by
    ``jobcenter_id``): the peer comparison on the web, in the API and in the report."""
    out = suppress([{**r, "unit_type": "jobcenter", "unit_id": r["jobcenter_id"]} for r in rows])
    for r in out:
        r.pop("unit_type")
        r.pop("unit_id")
    return out
