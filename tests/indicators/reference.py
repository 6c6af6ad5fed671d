"""Brute-force reference for the indicators, written independently of the engine.

Days are Python ``set``s of ordinals, everything is plain loops over persons, months and days,
directly from the wording of docs/domain.md § 2, C1–C12 and the regulation's text (SGB2§48aFKV in
the versions of 2011 and 2019). It shares nothing with ``zielwerk.indicators`` except the legal
parameters of ``zielwerk.domain.law`` (the one place the law lives: the dated ``Regulation`` fields,
read through ``law.regulation_for`` at call time, so a test may replace ``law.REGULATIONS``). Only for
small datasets.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month, stichtag

OFFICIAL = ["K1", "K1E1", "K1E2", "K1E3", "K1E4", "K2", "K2E1", "K2E2", "K2E3", "K2E4", "K3", "K3E1", "K3E2",
            "K3E3", "K3E4"]


class Ref:
    def __init__(self, ds: Dataset, first: Month, last: Month, day: int | None = None, literal: bool = False):
        self.ds = ds
        self.day = day if day is not None else ds.stichtag_day
        self.literal = literal
        self.first, self.last = first, last
        self.hi = last.index
        self.limit = self.S(self.hi) + 40  # open spells are cut here (no exit can be seen before)
        rows = {n: ds[n].to_pylist() for n in ("jobcenters", "municipalities", "persons", "elb_spells",
                                                  "households", "payments", "employment", "measures")}
        self.jc_of = {r["municipality_id"]: r["jobcenter_id"] for r in rows["municipalities"]}
        self.jcs = [r["jobcenter_id"] for r in rows["jobcenters"]]
        self.muns = [r["municipality_id"] for r in rows["municipalities"]]
        self.sex = {r["person_id"]: r["sex"] for r in rows["persons"]}
        self.birth = {r["person_id"]: r["birth_date"] for r in rows["persons"]}
        self.spells = [r for r in rows["elb_spells"] if r["status"] == "elb"]
        self.households = rows["households"]
        self.payments = rows["payments"]
        self.employment = rows["employment"]
        self.measures = rows["measures"]
        self.days: dict[str, set[int]] = defaultdict(set)
        for sp in self.spells:
            self.days[sp["person_id"]].update(range(sp["start"].toordinal(), self._end(sp["end"]) + 1))
        self._stock_cache: dict[int, dict[str, dict]] = {}

    # --- calendar -------------------------------------------------------------------------
    def S(self, t: int) -> int:
        return stichtag(Month.from_index(t), self.day).toordinal()

    def _end(self, end: date | None) -> int:
        return self.limit if end is None else min(end.toordinal(), self.limit)

    def month_of(self, d: int) -> int:
        t = date.fromordinal(d).year * 12 + date.fromordinal(d).month - 1
        while not (self.S(t - 1) < d <= self.S(t)):
            t += 1 if d > self.S(t) else -1
        return t

    @staticmethod
    def covers(r: dict, d: int) -> bool:
        return r["start"].toordinal() <= d and (r["end"] is None or r["end"].toordinal() >= d)

    # --- building blocks --------------------------------------------------------------------
    def stock(self, t: int) -> dict[str, dict]:
        """person → the spell that attributes them at S_t (C2)."""
        if t not in self._stock_cache:
            s = self.S(t)
            best: dict[str, dict] = {}
            for sp in self.spells:
                if self.covers(sp, s):
                    p = sp["person_id"]
                    if p not in best or (sp["start"], sp["bg_id"]) > (best[p]["start"], best[p]["bg_id"]):
                        best[p] = sp
            self._stock_cache[t] = best
        return self._stock_cache[t]

    @staticmethod
    def reg(t: int) -> law.Regulation:
        """The version in force for month t (history before 2011 is read with the first version)."""
        return law.regulation_for(Month.from_index(max(t, law.REGULATIONS[0].first_month.index)))

    def days_in_window(self, p: str, s: int, window: int) -> int:
        return sum(1 for d in range(s - window + 1, s + 1) if d in self.days[p])

    def is_lzb(self, p: str, t: int) -> bool:
        # § 6 Abs. 1: "in den vergangenen 24 Monaten mindestens 21 Monate hilfebedürftig", day-exact (C3)
        reg = self.reg(t)
        return p in self.stock(t) and self.days_in_window(p, self.S(t), reg.lzb_window_days) >= reg.lzb_min_days

    def is_ae(self, p: str, t: int) -> bool:
        sp = self.stock(t).get(p)
        if sp is None or sp["role"] != "head":
            return False
        return any(h["bg_id"] == sp["bg_id"] and h["bg_type"] == "single_parent" and self.covers(h, self.S(t))
                   for h in self.households)

    def is_active(self, p: str, t: int) -> bool:
        # § 6 Abs. 2 Nr. 2 with § 2 Abs. 2 Nr. 1 of the version in force for t: a "Maßnahme der aktiven
        # Arbeitsförderung" covering S_t (C12)
        reg = self.reg(t)
        return any(m["person_id"] == p and m["instrument"] in reg.active_instruments and self.covers(m, self.S(t))
                   for m in self.measures)

    def unit(self, sp: dict, level: str) -> str:
        return {"jobcenter": self.jc_of[sp["municipality_id"]], "municipality": sp["municipality_id"],
                "total": "total"}[level]

    def counted_starts(self, p: str, m: int) -> list[dict]:
        """Employment episodes of ``p`` whose start counts in month m (C6)."""
        if p not in self.stock(m - 1):
            return []
        lo = self.S(m - 2) if p not in self.stock(m - 2) else self.S(m - 1)
        return [e for e in self.employment if e["person_id"] == p and lo < e["start"].toordinal() <= self.S(m)]

    def entries_exits(self, level: str, unit: str, p: str) -> tuple[list[int], list[int]]:
        """Entry and exit days of p in ``unit`` (C4): merged periods, gaps of at most ``merge_gap_days``
        joined (the value of the last reporting month's version)."""
        gap = self.reg(self.hi).merge_gap_days
        days = sorted({d for sp in self.spells if sp["person_id"] == p and self.unit(sp, level) == unit
                       for d in range(sp["start"].toordinal(), self._end(sp["end"]) + 1)})
        entries, exits = [], []
        for i, d in enumerate(days):
            if i == 0 or d - days[i - 1] - 1 > gap:
                entries.append(d)
            last_day = i == len(days) - 1 or days[i + 1] - d - 1 > gap
            if last_day and d < self.limit:
                exits.append(d + 1)
        return entries, exits

    # --- per-group quantities ---------------------------------------------------------------
    def groups_of(self, p: str, sp: dict, level: str) -> list[tuple[str, str]]:
        u = self.unit(sp, level)
        sx = self.sex.get(p)
        return [(u, "all")] + ([(u, sx)] if sx in ("f", "m") else [])

    def tally(self, level: str) -> dict:
        """counts[(unit, sex)][block][t]"""
        c: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
        lo = self.first.index - 27
        persons = sorted(self.sex)
        for t in range(lo, self.hi + 1):
            st = self.stock(t)
            for p, sp in st.items():
                for g in self.groups_of(p, sp, level):
                    c[g]["elb"][t] += 1
                    if self.is_lzb(p, t):
                        c[g]["lzb"][t] += 1
                        if self.is_active(p, t):
                            c[g]["lzb_active"][t] += 1
                        if not self.is_lzb(p, t - 1):
                            c[g]["lzb_in"][t] += 1
                    if self.is_ae(p, t):
                        c[g]["ae"][t] += 1
            prev = self.stock(t - 1)
            for p, sp in prev.items():
                if self.is_lzb(p, t - 1) and not self.is_lzb(p, t):
                    for g in self.groups_of(p, sp, level):
                        c[g]["lzb_out"][t] += 1
            mreg = self.reg(t)
            for p in persons:
                starts = self.counted_starts(p, t)
                if not starts:
                    continue
                sp = self.stock(t - 1)[p]
                integ = [e for e in starts if law.is_integration(e["kind"], e["subsidy"], mreg)]
                for g in self.groups_of(p, sp, level):
                    if integ:
                        c[g]["integ"][t] += 1
                        if self.is_lzb(p, t - 1):
                            c[g]["integ_lzb"][t] += 1
                        if self.is_ae(p, t - 1):
                            c[g]["integ_ae"][t] += 1
                    if any(law.is_marginal(e["kind"], e["subsidy"], mreg) for e in starts):
                        c[g]["marg"][t] += 1
                    if any(law.is_publicly_funded(e["kind"], e["subsidy"], mreg) for e in starts):
                        c[g]["pub"][t] += 1
        # entries/exits (C4)
        units = {"jobcenter": self.jcs, "municipality": self.muns, "total": ["total"]}[level]
        for u in units:
            for p in persons:
                ent, ext = self.entries_exits(level, u, p)
                sx = self.sex[p]
                gs = [(u, "all")] + ([(u, sx)] if sx in ("f", "m") else [])
                for d in ent:
                    t = self.month_of(d)
                    if lo <= t <= self.hi:
                        for g in gs:
                            c[g]["elb_in"][t] += 1
                for d in ext:
                    t = self.month_of(d)
                    if lo <= t <= self.hi:
                        for g in gs:
                            c[g]["elb_out"][t] += 1
        # payments (no sex)
        for r in self.payments:
            mo = Month.parse(r["month"]).index
            fake = {"municipality_id": r["municipality_id"]}
            u = self.unit(fake, level)
            c[(u, "all")]["llu"][mo] += r["llu"]
            c[(u, "all")]["luh"][mo] += r["luh"]
        return c

    def k2e3(self, level: str, t: int) -> dict[tuple[str, str], tuple[int, int]]:
        """§ 5 Abs. 2 Nr. 3 of the version in force for t (C8): the base are the integrations of the
        ``k2e3_base_months`` months up to t − L that take up "eine sozialversicherungspflichtige
        Beschäftigung" (``k2e3_base_kinds``; a training start is no such integration); sustained
        (2011: "nach zwölf Monaten") or continuous (2019: "in jedem der sechs … folgenden Monate")
        employment of a kind in ``k2e3_check_kinds``."""
        reg = self.reg(t)
        L = reg.k2e3_lag_months
        out: dict = defaultdict(lambda: [0, 0])
        for m in range(t - L - reg.k2e3_base_months + 1, t - L + 1):
            mreg = self.reg(m)
            for p in sorted(self.sex):
                starts = self.counted_starts(p, m)
                if not any(law.is_integration(e["kind"], e["subsidy"], mreg) and e["kind"] in reg.k2e3_base_kinds
                           for e in starts):
                    continue

                def in_svb(k: int, p: str = p) -> bool:
                    return any(e["person_id"] == p and e["kind"] in reg.k2e3_check_kinds and self.covers(e, self.S(k))
                               for e in self.employment)
                if reg.k2e3_rule == "at_lag":
                    ok = in_svb(m + L)
                else:
                    ok = all(in_svb(m + k) for k in range(1, L + 1))
                for g in self.groups_of(p, self.stock(m - 1)[p], level):
                    out[g][1] += 1
                    if ok:
                        out[g][0] += 1
        return out

    # --- the indicators -------------------------------------------------------------------------
    def compute(self, levels=("jobcenter", "municipality", "total")) -> dict:
        """(unit_type, unit_id, month, indicator, sex) → (numerator, denominator, value)."""
        res = {}
        for level in levels:
            c = self.tally(level)
            units = {"jobcenter": self.jcs, "municipality": self.muns, "total": ["total"]}[level]
            for u in units:
                for sx in ("all", "f", "m"):
                    b = c[(u, sx)]
                    for t in range(self.first.index, self.hi + 1):
                        mo = str(Month.from_index(t))
                        k2e3 = self.k2e3(level, t).get((u, sx), (0, 0))

                        def s(block, a, z, b=b, t=t):
                            return sum(b[block][k] for k in range(t + a, t + z + 1))

                        stock_win = (-11, 0) if self.literal else (-12, -1)
                        vals = {
                            "K1": (b["llu"][t], b["llu"][t - 12], "c"),
                            "K1E1": (b["luh"][t], b["luh"][t - 12], "c"),
                            "K1E2": (b["elb"][t], b["elb"][t - 12], "c"),
                            "K1E3": (s("elb_in", -11, 0), s("elb", -11, 0), "p"),
                            "K1E4": (s("elb_out", -11, 0), s("elb", -12, -1), "p"),
                            "K2": (s("integ", -11, 0), s("elb", *stock_win) / 12, "p"),
                            "K2E1": (s("marg", -11, 0), s("elb", *stock_win) / 12, "p"),
                            "K2E2": (s("pub", -11, 0), s("elb", *stock_win) / 12, "p"),
                            "K2E3": (k2e3[0], k2e3[1], "p"),
                            "K2E4": (s("integ_ae", -11, 0), s("ae", *stock_win) / 12, "p"),
                            "K3": (b["lzb"][t], b["lzb"][t - 12], "c"),
                            "K3E1": (s("integ_lzb", -11, 0), s("lzb", *stock_win) / 12, "p"),
                            "K3E2": (b["lzb_active"][t], b["lzb"][t], "p"),
                            "K3E3": (s("lzb_in", -11, 0), s("lzb", -11, 0), "p"),
                            "K3E4": (s("lzb_out", -11, 0), s("lzb", -12, -1), "p"),
                        }
                        for code, (num, den, kind) in vals.items():
                            if code in ("K1", "K1E1") and sx != "all":
                                continue
                            if den == 0:
                                v = None
                            elif kind == "p":
                                v = num / den * 100
                            else:
                                v = (num / den - 1) * 100
                            res[(level, u, mo, code, sx)] = (float(num), float(den), v)
        return res

    def lzb_status(self, when: date) -> dict[str, tuple]:
        """person → (jobcenter, municipality, days, is_lzb, lzb_from) by day-by-day projection."""
        s = when.toordinal()
        best: dict[str, dict] = {}
        for sp in self.spells:
            if self.covers(sp, s):
                p = sp["person_id"]
                if p not in best or (sp["start"], sp["bg_id"]) > (best[p]["start"], best[p]["bg_id"]):
                    best[p] = sp
        out = {}
        reg = self.reg(Month.of(when).index)
        w, n = reg.lzb_window_days, reg.lzb_min_days
        for p, sp in best.items():
            days = self.days_in_window(p, s, w)
            projected = {d for d in self.days[p] if d <= s} | set(range(s + 1, s + w + 70))
            cands = [when] + [stichtag(Month.of(when) + k, self.day) for k in range(1, n // 28 + 5)]
            cands = [c for c in cands if c >= when]
            lzb_from = next(c for c in cands
                            if sum(1 for d in range(c.toordinal() - w + 1, c.toordinal() + 1) if d in projected) >= n)
            out[p] = (self.jc_of[sp["municipality_id"]], sp["municipality_id"], days, days >= n, lzb_from)
        return out
