"""Nearest neighbours of a Jobcenter by structural features (pure; docs/vergleich.md).

The Vergleichstypen are the statistics office's clusters; the neighbours are a finer, transparent
complement computed from what the official table holds for one month (sex "all"):

=================  ====================================================================  ===========
feature            from the official figures                                              scale
=================  ====================================================================  ===========
size               eLb stock at the Stichtag: numerator of K1E2                           log10
LZB share          LZB stock / eLb stock at the Stichtag: numerator K3 / numerator K1E2   percent
single parents     average single-parent eLb / average eLb: denominator K2E4 / K2         percent
=================  ====================================================================  ===========

Scaling: each feature (size after log10, because sizes span three orders of magnitude and a
neighbour of a 2,000-eLb district should be one of 1,000–4,000, not one of 1,000 more) is turned into
a z-score over all Jobcenters of the month that have every feature: z = (x − mean) / standard
deviation (population SD; a feature with SD 0 is left out). Distance: the Euclidean distance of the
z-score vectors, unweighted. The k nearest Jobcenters (the Jobcenter itself excluded) are returned,
nearest first, ties by name; whether a neighbour shares the Vergleichstyp is shown beside it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FEATURES: tuple[tuple[str, str], ...] = (
    ("groesse", "Größe (eLb, log10)"),
    ("lzb_anteil", "Anteil LZB an den eLb (%)"),
    ("ae_anteil", "Anteil Alleinerziehender an den eLb (%)"),
)


@dataclass(frozen=True)
class Profile:
    jobcenter_id: str
    jobcenter_name: str
    vergleichstyp: str | None
    elb: float
    lzb_share: float
    single_parent_share: float

    def raw(self) -> tuple[float, float, float]:
        return (math.log10(self.elb), self.lzb_share, self.single_parent_share)


@dataclass(frozen=True)
class Neighbour:
    profile: Profile
    distance: float
    same_type: bool


def _num(x: Any) -> float | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        return None
    return float(x)


def profiles(rows: Iterable[Mapping[str, Any]], month: str) -> list[Profile]:
    """The structural profile of every Jobcenter with all features in ``month`` (rows: official figures)."""
    want = {("K1E2", "numerator"), ("K3", "numerator"), ("K2E4", "denominator"), ("K2", "denominator")}
    got: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["month"] != month or r["sex"] != "all":
            continue
        d = got.setdefault(r["jobcenter_id"], {"name": r.get("jobcenter_name") or r["jobcenter_id"],
                                                "vtyp": r.get("vergleichstyp")})
        for code, part in want:
            if r["indicator"] == code:
                d[(code, part)] = _num(r.get(part))
    out = []
    for jid, d in got.items():
        elb, lzb = d.get(("K1E2", "numerator")), d.get(("K3", "numerator"))
        ae, avg = d.get(("K2E4", "denominator")), d.get(("K2", "denominator"))
        if elb is None or lzb is None or ae is None or avg is None or elb <= 0 or avg <= 0:
            continue
        out.append(Profile(jid, d["name"], d["vtyp"], elb, 100.0 * lzb / elb, 100.0 * ae / avg))
    return sorted(out, key=lambda p: p.jobcenter_id)


def zscores(items: list[Profile]) -> dict[str, tuple[float, ...]]:
    """z-scores of the features (population SD over ``items``; features with SD 0 left out)."""
    if not items:
        return {}
    raws = [p.raw() for p in items]
    k = len(raws[0])
    means = [sum(r[i] for r in raws) / len(raws) for i in range(k)]
    sds = [math.sqrt(sum((r[i] - means[i]) ** 2 for r in raws) / len(raws)) for i in range(k)]
    keep = [i for i in range(k) if sds[i] > 0]
    return {p.jobcenter_id: tuple((r[i] - means[i]) / sds[i] for i in keep) for p, r in zip(items, raws, strict=True)}


def nearest(items: list[Profile], jobcenter_id: str, k: int = 5) -> list[Neighbour]:
    """The ``k`` Jobcenters nearest to ``jobcenter_id`` (empty if it has no profile)."""
    z = zscores(items)
    own = next((p for p in items if p.jobcenter_id == jobcenter_id), None)
    if own is None:
        return []
    me = z[jobcenter_id]
    out = [Neighbour(p, math.dist(me, z[p.jobcenter_id]), p.vergleichstyp == own.vergleichstyp)
           for p in items if p.jobcenter_id != jobcenter_id]
    out.sort(key=lambda n: (n.distance, n.profile.jobcenter_name))
    return out[:k]
