"""Calibration report: the targets of the Siegen-Wittgenstein scenario measured on the written data.

This module reads the dataset folder as written and measures each calibration figure on it — it knows
nothing about the simulation. The § 48a figures (eLb and LZB stocks, K2 by sex, entry and exit rates)
come from the product's indicator engine, the one implementation of conventions C2–C7; the other
figures (BG, single parents, U25, municipalities, amounts, parents, obstacles, caseloads, childcare)
are counted here with plain numpy. The tests check all of them against brute-force loops of their own.
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
from zielwerk.domain import german, law
from zielwerk.domain.calendar import Month, stichtag

from . import siegen_params as P

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

#: Population 31.12.2019 by AGS, from the scenario's one municipality table (siegen_params).
POPULATION = {ags: pop for ags, _name, pop, _region in P.MUNICIPALITIES}


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
        self._ds = None
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

    # --- building blocks -------------------------------------------------------------------------
    def S(self, m: Month) -> int:
        return _day(stichtag(m, self.sday))

    def in_stock(self, S: int) -> np.ndarray:
        """Boolean per person: an eLb spell covers S (C2)."""
        cov = (self.start <= S) & (self.end >= S)
        out = np.zeros(len(self.person_ids), bool)
        out[self.pidx[cov]] = True
        return out

    def age(self, S: int) -> np.ndarray:
        return (S - self.birth) / 365.25

    # --- the figures -----------------------------------------------------------------------------
    def compute(self) -> dict[str, float]:
        months = [Month(YEAR, k) for k in range(1, 13)]
        Ss = [self.S(m) for m in months]
        r: dict[str, float] = {}
        stocks = [self.in_stock(S) for S in Ss]
        r.update(self.engine_figures())
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

    def dataset(self):
        """The folder loaded by the contract reader (once), for the engine."""
        if self._ds is None:
            from zielwerk.data.reader import load_dataset

            self._ds = load_dataset(self.dir)
        return self._ds

    def lzb(self, S: int) -> np.ndarray:
        """Boolean per person: LZB at S (C3), from the engine's ``lzb_status``."""
        from zielwerk.indicators import lzb_status

        day = (EPOCH + np.timedelta64(S, "D")).astype(object)
        st = lzb_status(self.dataset(), day)
        ids = st.filter(st.column("is_lzb")).column("person_id").to_numpy(zero_copy_only=False)
        return np.isin(self.person_ids, ids)

    def engine_figures(self) -> dict[str, float]:
        """eLb and LZB stocks, K2 by sex and the entry/exit rates from the indicator engine, the one
        implementation of conventions C2–C7 (imported here, not at module level: the generator itself
        does not depend on the engine)."""
        from zielwerk.indicators import compute_kennzahlen

        k = compute_kennzahlen(self.dataset(), Month(YEAR, 1), Month(YEAR, 12), level="jobcenter",
                               indicators=["K1E2", "K3", "K2", "K1E3", "K1E4"])
        rows = {(r["month"], r["indicator"], r["sex"]): r
                for r in k.filter(pc.equal(k.column("unit_type"), "total")).to_pylist()}
        months = [str(Month(YEAR, m)) for m in range(1, 13)]
        dec = months[-1]
        r = {
            "elb": float(np.mean([rows[(m, "K1E2", "all")]["numerator"] for m in months])),
            "lzb": float(np.mean([rows[(m, "K3", "all")]["numerator"] for m in months])),
            "k2": rows[(dec, "K2", "all")]["value"],
            "k2_f": rows[(dec, "K2", "f")]["value"],
            "k2_m": rows[(dec, "K2", "m")]["value"],
            "entry_rate": rows[(dec, "K1E3", "all")]["value"],
            "exit_rate": rows[(dec, "K1E4", "all")]["value"],
        }
        r["k2_ratio"] = r["k2_f"] / r["k2_m"] if r["k2_m"] else float("nan")
        return r

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
        text = german.num(v, 1)
    elif unit == "€" or abs(v) < 10 and v != int(v):
        text = german.num(v, 2)
    else:
        text = german.integer(v)
    return f"{text} {unit}".strip() if unit else text


def report_rows(values: dict[str, float]) -> list[tuple[str, str, str, bool]]:
    """(label, target range, achieved, ok) per target, German formatting."""
    rows = []
    for t in TARGETS:
        v = values[t.key]
        ok = bool(t.lo - 1e-9 <= v <= t.hi + 1e-9)
        rng = _fmt(t.lo, t.unit) if t.lo == t.hi else f"{_fmt(t.lo, t.unit)} – {_fmt(t.hi, t.unit)}"
        rows.append((t.label, rng, _fmt(v, t.unit), ok))
    return rows
