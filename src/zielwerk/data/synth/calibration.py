"""Calibration report: the targets of the Siegen-Wittgenstein scenario measured on the written data.

This module reads the dataset folder as written (CSV or Parquet, canonical dialect) and computes each
calibration figure with plain numpy on the files' columns — it knows nothing about the simulation.
It implements the conventions of docs/domain.md § 3 for what the targets need (C1 Stichtag, C2 stock,
C3 LZB 638 of 730 days, C4 entries/exits with merge gap, C6/C7 integrations and the rolling quota);
the product's indicator engine is ``zielwerk.indicators``, this is only the generator's self-check.
Figures are averages over the 12 Stichtage of 2016 unless stated otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zielwerk.data.dataset import ARROW_TYPES
from zielwerk.data.schema import TABLES_BY_NAME
from zielwerk.domain import law
from zielwerk.domain.calendar import Month, stichtag

YEAR = 2016
EPOCH = np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class Target:
    key: str
    label: str  # German
    lo: float
    hi: float
    unit: str = ""  # "", "%", "€"


TARGETS: tuple[Target, ...] = (
    Target("elb", "eLb-Bestand (Ø Stichtage 2016)", 10450, 11550),
    Target("lzb", "LZB-Bestand (638 von 730 Tagen)", 6650, 7350),
    Target("lzb_share", "LZB-Anteil an den eLb", 63.0, 66.0, "%"),
    Target("bg", "Bedarfsgemeinschaften", 7980, 8820),
    Target("ae_share", "Anteil Alleinerziehenden-BG", 17.0, 20.0, "%"),
    Target("u25_share", "Anteil eLb unter 25 Jahren", 17.0, 20.0, "%"),
    Target("k2", "Integrationsquote K2 (12/2016)", 24.0, 28.0, "%"),
    Target("k2_ratio", "K2 Frauen / K2 Männer", 0.58, 0.76),
    Target("entry_rate", "Zugangsrate eLb (Ø Monat 2016)", 3.0, 4.0, "%"),
    Target("exit_rate", "Abgangsrate eLb (Ø Monat 2016)", 3.0, 4.0, "%"),
    Target("siegen_share", "Anteil der eLb in Siegen (Stadt)", 40.0, 55.0, "%"),
    Target("elb_per_1000_siegen_vs_rest", "eLb je Einwohner Siegen / übriger Kreis", 1.2, 1.8),
    Target("llu_single", "LLU Single-BG 2016 (häufigster Betrag)", 404.0, 404.0, "€"),
    Target("luh_single", "LUH Single-BG 2016 (Median)", 300.0, 450.0, "€"),
    Target("parents_2nd_3rd", "eLb-Eltern im 2./3. Lebensjahr des jüngsten Kindes", 150, 2000),
    Target("obstacles_lzb", "Ø Handlungsbedarfe je LZB", 1.5, 5.0),
    Target("obstacles_ratio", "Ø Handlungsbedarfe LZB / Nicht-LZB", 1.2, 3.0),
    Target("ratio_u25", "Betreuungsschlüssel U25 (1:75)", 65, 85),
    Target("ratio_25", "Betreuungsschlüssel ab 25 (1:150)", 135, 165),
    Target("childcare_unmet", "offene Betreuungsbedarfe zu Randzeiten (31.12.2017)", 20, 2000),
)

POPULATION = {
    "05970004": 18914, "05970008": 13504, "05970012": 14856, "05970016": 6934, "05970020": 17711,
    "05970024": 14801, "05970028": 31122, "05970032": 23081, "05970036": 13165, "05970040": 102770,
    "05970044": 20086,
}


def read_table(directory: Path, name: str) -> pa.Table:
    """Read one table of the canonical dialect (CSV or Parquet) with the contract's types."""
    spec = TABLES_BY_NAME[name]
    pq_path = directory / f"{name}.parquet"
    if pq_path.exists():
        return pq.read_table(pq_path)
    types = {c.name: ARROW_TYPES[c.type] for c in spec.columns}
    opts = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    return pacsv.read_csv(directory / f"{name}.csv", convert_options=opts)


def _days(col) -> np.ndarray:
    """Date column as int day numbers; open end = far future."""
    arr = pc.fill_null(col, date(9999, 12, 31)) if col.null_count else col
    return np.asarray(arr.cast(pa.date32()).to_numpy(zero_copy_only=False)).astype("datetime64[D]").astype(np.int64)


def _day(d: date) -> int:
    return int((np.datetime64(d, "D") - EPOCH).astype(np.int64))


class Measured:
    """All calibration figures of one dataset folder."""

    def __init__(self, directory: Path, stichtag_day: int = 15) -> None:
        self.dir = Path(directory)
        self.sday = stichtag_day
        sp = read_table(self.dir, "elb_spells")
        sp = sp.filter(pc.equal(sp.column("status"), "elb"))
        pids = sp.column("person_id").to_numpy(zero_copy_only=False)
        self.person_ids, self.pidx = np.unique(pids, return_inverse=True)
        self.start = _days(sp.column("start"))
        self.end = _days(sp.column("end"))
        self.bg = sp.column("bg_id").to_numpy(zero_copy_only=False)
        self.muni = sp.column("municipality_id").to_numpy(zero_copy_only=False)
        persons = read_table(self.dir, "persons")
        pmap = dict(zip(persons.column("person_id").to_pylist(), range(persons.num_rows)))
        order = np.array([pmap[p] for p in self.person_ids])
        self.birth = _days(persons.column("birth_date"))[order]
        self.sex = persons.column("sex").to_numpy(zero_copy_only=False)[order]
        # merged periods per person (C4: gaps of at most MERGE_GAP_DAYS joined; one Jobcenter)
        o = np.lexsort((self.start, self.pidx))
        p, s, e = self.pidx[o], self.start[o], self.end[o]
        runmax = e.copy()
        new = np.ones(len(p), bool)
        for i in range(1, len(p)):  # sequential by nature; ~100k rows
            if p[i] == p[i - 1] and s[i] <= runmax[i - 1] + law.MERGE_GAP_DAYS + 1:
                new[i] = False
                runmax[i] = max(runmax[i - 1], e[i])
        grp = np.cumsum(new) - 1
        last = np.r_[np.nonzero(new)[0][1:] - 1, len(p) - 1]
        self.per_person = p[new]
        self.per_start = s[new]
        self.per_end = runmax[last]
        del grp

    # --- building blocks -------------------------------------------------------------------------
    def S(self, m: Month) -> int:
        return _day(stichtag(m, self.sday))

    def in_stock(self, S: int) -> np.ndarray:
        """Boolean per person: an eLb spell covers S (C2)."""
        cov = (self.start <= S) & (self.end >= S)
        out = np.zeros(len(self.person_ids), bool)
        out[self.pidx[cov]] = True
        return out

    def days_730(self, S: int) -> np.ndarray:
        """Distinct eLb days per person in [S-729, S] (C3); uses the merged periods (no overlaps)."""
        lo = S - law.LZB_WINDOW_DAYS + 1
        a = np.maximum(self.per_start, lo)
        b = np.minimum(self.per_end, S)
        d = np.clip(b - a + 1, 0, None)
        out = np.zeros(len(self.person_ids), np.int64)
        np.add.at(out, self.per_person, d)
        return out

    def lzb(self, S: int) -> np.ndarray:
        return self.in_stock(S) & (self.days_730(S) >= law.LZB_MIN_DAYS)

    def age(self, S: int) -> np.ndarray:
        return (S - self.birth) / 365.25

    # --- the figures -----------------------------------------------------------------------------
    def compute(self) -> dict[str, float]:
        months = [Month(YEAR, k) for k in range(1, 13)]
        Ss = [self.S(m) for m in months]
        r: dict[str, float] = {}
        stocks = [self.in_stock(S) for S in Ss]
        r["elb"] = float(np.mean([s.sum() for s in stocks]))
        lzbs = [self.lzb(S).sum() for S in Ss]
        r["lzb"] = float(np.mean(lzbs))
        r["lzb_share"] = 100 * r["lzb"] / r["elb"]
        # BG and single-parent BG
        hh = read_table(self.dir, "households")
        hb = hh.column("bg_id").to_numpy(zero_copy_only=False)
        ht = hh.column("bg_type").to_numpy(zero_copy_only=False)
        hs, he = _days(hh.column("start")), _days(hh.column("end"))
        bgs, ae = [], []
        for S in Ss:
            cov = (self.start <= S) & (self.end >= S)
            active = np.unique(self.bg[cov])
            bgs.append(len(active))
            hcov = (hs <= S) & (he >= S) & (ht == "single_parent")
            ae.append(np.isin(active, hb[hcov]).sum())
        r["bg"] = float(np.mean(bgs))
        r["ae_share"] = 100 * float(np.sum(ae)) / float(np.sum(bgs))
        u25 = [(stocks[i] & (self.age(S) < law.U25_AGE_LIMIT)).sum() for i, S in enumerate(Ss)]
        r["u25_share"] = 100 * float(np.sum(u25)) / float(np.sum([s.sum() for s in stocks]))
        # K2 for December 2016 (C6, C7)
        k2 = self.k2(Month(YEAR, 12))
        r["k2"] = k2["all"]
        r["k2_f"] = k2["f"]
        r["k2_m"] = k2["m"]
        r["k2_ratio"] = k2["f"] / k2["m"] if k2["m"] else float("nan")
        # entry and exit rates (C4, stock-weighted 12-month average, C7)
        ent = ext = den_e = den_x = 0
        for m in months:
            a, b = self.S(m - 1), self.S(m)
            ent += int(((self.per_start > a) & (self.per_start <= b)).sum())
            ext += int(((self.per_end + 1 > a) & (self.per_end + 1 <= b)).sum())
            den_e += int(self.in_stock(b).sum())
            den_x += int(self.in_stock(a).sum())
        r["entry_rate"] = 100 * ent / den_e
        r["exit_rate"] = 100 * ext / den_x
        # municipalities
        S = self.S(Month(YEAR, 6))
        cov = (self.start <= S) & (self.end >= S)
        mun = self.muni[cov]
        _, first = np.unique(self.pidx[cov], return_index=True)
        mun = mun[first]
        siegen = (mun == "05970040").sum()
        r["siegen_share"] = 100 * siegen / len(mun)
        rest_pop = sum(v for k, v in POPULATION.items() if k != "05970040")
        r["elb_per_1000_siegen_vs_rest"] = (siegen / POPULATION["05970040"]) / ((len(mun) - siegen) / rest_pop)
        r.update(self.payments())
        r.update(self.parents(Ss))
        r.update(self.obstacles(Month(YEAR, 6)))
        r.update(self.caseload(Month(YEAR, 6)))
        r.update(self.childcare())
        return r

    def k2(self, t: Month) -> dict[str, float]:
        """Integration quota for month t (C6 numerator over months t-11..t, C7 denominator)."""
        from zielwerk.domain.law import is_integration, regulation_for

        emp = read_table(self.dir, "employment")
        pmap = {p: i for i, p in enumerate(self.person_ids)}
        starts = _days(emp.column("start"))
        kinds = emp.column("kind").to_pylist()
        subs = emp.column("subsidy").to_pylist()
        epids = emp.column("person_id").to_pylist()
        first_m = t - 11
        # stock flags at S_{first-2} .. S_t
        ms = [first_m + k for k in range(-2, 12)]
        stock = {m: self.in_stock(self.S(m)) for m in ms}
        counted: set[tuple[int, int]] = set()
        for pid_, k, sb, st in zip(epids, kinds, subs, starts):
            i = pmap.get(pid_)
            if i is None:
                continue
            for m in ms[2:]:
                if not is_integration(k, sb, regulation_for(m)):
                    continue
                a, b = self.S(m - 1), self.S(m)
                if a < st <= b and stock[m - 1][i] or self.S(m - 2) < st <= a and stock[m - 1][i] and not stock[m - 2][i]:
                    counted.add((i, m.index))
        num = np.zeros(len(self.person_ids), np.int64)
        for i, _ in counted:
            num[i] += 1
        den = np.mean([stock[m].astype(np.int64) for m in ms[1:13]], axis=0)  # S_{t-12}..S_{t-1}
        out = {}
        for key, mask in (("all", np.ones_like(num, bool)), ("f", self.sex == "f"), ("m", self.sex == "m")):
            out[key] = 100 * num[mask].sum() / den[mask].sum()
        return out

    def payments(self) -> dict[str, float]:
        pay = read_table(self.dir, "payments")
        hh = read_table(self.dir, "households")
        months = pay.column("month").to_numpy(zero_copy_only=False)
        y16 = np.char.startswith(months.astype(str), str(YEAR))
        bg = pay.column("bg_id").to_numpy(zero_copy_only=False)
        llu = pay.column("llu").to_numpy()
        luh = pay.column("luh").to_numpy()
        # single BG for the whole year 2016
        hs, he = _days(hh.column("start")), _days(hh.column("end"))
        ht = hh.column("bg_type").to_numpy(zero_copy_only=False)
        full = (ht == "single") & (hs <= _day(date(YEAR, 1, 1))) & (he >= _day(date(YEAR, 12, 31)))
        singles = set(hh.column("bg_id").to_numpy(zero_copy_only=False)[full])
        sel = y16 & np.array([b in singles for b in bg])
        llu_s, luh_s = llu[sel], luh[sel]
        # the most frequent amount: a full month without income gets exactly the standard need
        vals, counts = np.unique(llu_s, return_counts=True)
        return {"llu_single": float(vals[np.argmax(counts)]) if len(llu_s) else 0.0,
                "luh_single": float(np.median(luh_s)) if len(luh_s) else 0.0}

    def parents(self, Ss: list[int]) -> dict[str, float]:
        ch = read_table(self.dir, "children")
        pmap = {p: i for i, p in enumerate(self.person_ids)}
        youngest = np.full(len(self.person_ids), -10**9, np.int64)
        for p, b in zip(ch.column("person_id").to_pylist(), _days(ch.column("child_birth_date"))):
            i = pmap.get(p)
            if i is not None:
                youngest[i] = max(youngest[i], b)
        S = Ss[5]
        stock = self.in_stock(S)
        lo, hi = law.PARENT_WINDOW_MONTHS
        age_m = (S - youngest) / 30.4375
        return {"parents_2nd_3rd": float((stock & (age_m >= lo) & (age_m < hi + 1)).sum())}

    def obstacles(self, m: Month) -> dict[str, float]:
        ob = read_table(self.dir, "obstacles")
        S = self.S(m)
        s, e = _days(ob.column("start")), _days(ob.column("end"))
        cov = (s <= S) & (e >= S)
        pmap = {p: i for i, p in enumerate(self.person_ids)}
        cnt = np.zeros(len(self.person_ids), np.int64)
        for p in ob.column("person_id").to_numpy(zero_copy_only=False)[cov]:
            i = pmap.get(p)
            if i is not None:
                cnt[i] += 1
        stock = self.in_stock(S)
        lzb = self.lzb(S)
        non = stock & ~lzb
        a = cnt[lzb].mean()
        b = cnt[non].mean()
        return {"obstacles_lzb": float(a), "obstacles_non_lzb": float(b), "obstacles_ratio": float(a / b)}

    def caseload(self, m: Month) -> dict[str, float]:
        cw = read_table(self.dir, "caseworkers")
        asg = read_table(self.dir, "assignments")
        S = self.S(m)
        u25_ids = set(np.array(cw.column("caseworker_id").to_pylist())[
            np.char.startswith(np.array(cw.column("team").to_pylist()), "U25")])
        s, e = _days(asg.column("start")), _days(asg.column("end"))
        cov = (s <= S) & (e >= S)
        cids = asg.column("caseworker_id").to_numpy(zero_copy_only=False)[cov]
        n_u25 = len(u25_ids)
        n_25 = cw.num_rows - n_u25
        cases_u25 = sum(1 for c in cids if c in u25_ids)
        return {"ratio_u25": cases_u25 / n_u25, "ratio_25": (len(cids) - cases_u25) / n_25}

    def childcare(self) -> dict[str, float]:
        needs = read_table(self.dir, "childcare_needs")
        return {"childcare_unmet": float(needs.column("end").null_count)}


def measure(directory: Path) -> dict[str, float]:
    return Measured(Path(directory)).compute()


def _fmt(v: float, unit: str) -> str:
    if unit == "%":
        s = f"{v:,.1f}"
    elif unit == "€" or abs(v) < 10 and v != int(v):
        s = f"{v:,.2f}"
    else:
        s = f"{v:,.0f}"
    s = s.replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{s} {unit}".strip() if unit else s


def report_rows(values: dict[str, float]) -> list[tuple[str, str, str, bool]]:
    """(label, target range, achieved, ok) per target, German formatting."""
    rows = []
    for t in TARGETS:
        v = values[t.key]
        ok = bool(t.lo - 1e-9 <= v <= t.hi + 1e-9)
        rng = _fmt(t.lo, t.unit) if t.lo == t.hi else f"{_fmt(t.lo, t.unit)} – {_fmt(t.hi, t.unit)}"
        rows.append((t.label, rng, _fmt(v, t.unit), ok))
    return rows
