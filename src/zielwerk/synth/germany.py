"""The ``germany`` scenario: about 400 Jobcenters, vectorised with numpy, written as Parquet in chunks.

Scale F = 1.0 gives about 4.3 million eLb (2016 Stichtage), about two thirds of them LZB. The model is
a renewal process per Bedarfsgemeinschaft (BG): a BG arrives, receives benefits for an episode whose
length depends on its latent persistence class, may come back after a gap (several spells per person,
gaps, some of only a few days), sometimes moves to another municipality or Jobcenter inside an
episode; its members (head, partner, children) share the episodes, children become eLb on their 15th
birthday and leave at 25, adults leave at the retirement age. Employment (integrations inside
episodes and as the reason for an exit, marginal and publicly funded jobs) and measures are drawn per
person-episode. Everything is computed on arrays for a chunk of Jobcenters at a time; each chunk has
its own random generator (seed, chunk number), so output is deterministic and memory bounded.

Casework tables are not produced for this scenario (it feeds the indicator engine's benchmarks); the
extension tables of issue 15 and the § 16a services are (:mod:`.extension`, one generator per chunk).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zielwerk.data.dataset import arrow_schema
from zielwerk.data.schema import TABLES_BY_NAME

from . import benefits, extension
from .names import person_names

EPOCH = np.datetime64("1970-01-01", "D")


def _d(s: str) -> int:
    return int((np.datetime64(s, "D") - EPOCH).astype(np.int64))


SGB2_START = _d("2005-01-01")  # the SGB II came into force: earlier starts are set to this day
KEEP_FROM = _d("2010-01-01")  # rows that ended earlier are not written
AS_OF = _d("2017-12-31")
EXT_DETAIL_FROM = _d("2015-01-01")  # action plans and profile assessments from here (extension.py)
ARRIVALS_FROM = _d("1990-01-01")  # renewal processes start early enough to be stationary in 2010
PAY_FIRST = (2012, 1)
PAY_LAST = (2017, 12)

#: eLb stock (annual average 2016) at F = 1.0 (docs/domain.md § 1: 4.33 million in 2015)
ELB_TOTAL = 4_300_000
N_JOBCENTERS = 407
ZKT_SHARE = 104 / 407

#: persistence classes: share of the BG stock, mean episode length (days), return probability,
#: mean gap (days)
STOCK_SHARES = np.array([0.07, 0.16, 0.77])
#: careers per expected stock BG are scaled by this factor (truncation at the edges, gaps, cuts at the
#: retirement age), found by measuring the written data
CAREER_FACTOR = 1.31
MEAN_DAYS = np.array([200.0, 640.0, 3300.0])
P_RETURN = np.array([0.55, 0.5, 0.45])
MEAN_GAP = np.array([200.0, 260.0, 330.0])
#: BG types: single, single_parent, couple, couple_children, other
TYPE_CODES = np.array(["single", "single_parent", "couple", "couple_children", "other"])
TYPE_SHARES = np.array([0.57, 0.185, 0.10, 0.13, 0.015])
#: integration: monthly hazard inside an episode by class, probability that an exit is a job start
INT_HAZARD = np.array([0.028, 0.019, 0.0125])
EXIT_JOB = np.array([0.55, 0.50, 0.40])
SEX_FACTOR_F = 0.68
MOVE_PROB = 0.05  # an episode with a move
MOVE_OTHER_JC = 0.35  # share of moves that cross into another Jobcenter

#: big cities (name, Kreisschlüssel, eLb 2016 approx.) — Berlin's twelve districts are separate
#: Jobcenters
BIG_CITIES: tuple[tuple[str, str, int], ...] = (
    ("Hamburg", "02000", 138000), ("Bremen", "04011", 58000), ("Hannover (Region)", "03241", 88000),
    ("Köln", "05315", 84000), ("Dortmund", "05913", 64000), ("Essen", "05113", 62000),
    ("Duisburg", "05112", 52000), ("Düsseldorf", "05111", 45000), ("Gelsenkirchen", "05513", 40000),
    ("Bochum", "05911", 31000), ("Wuppertal", "05124", 33000), ("Frankfurt am Main", "06412", 54000),
    ("Stuttgart", "08111", 31000), ("München", "09162", 45000), ("Nürnberg", "09564", 33000),
    ("Leipzig", "14713", 51000), ("Dresden", "14612", 33000), ("Halle (Saale)", "15002", 25000),
    ("Chemnitz", "14511", 18000),
) + tuple((f"Berlin Bezirk {i}", f"110{i:02d}", 33000) for i in range(1, 13))

#: Länder (code, share of the remaining Jobcenters)
LAENDER = (
    ("01", 0.04), ("03", 0.11), ("05", 0.14), ("06", 0.08), ("07", 0.09), ("08", 0.14), ("09", 0.2),
    ("10", 0.02), ("12", 0.05), ("13", 0.03), ("14", 0.04), ("15", 0.04), ("16", 0.05),
)
VERGLEICHSTYPEN = ("Ia", "Ib", "Ic", "Id", "Ie", "IIa", "IIb", "IIc", "IId", "IIe", "IIIa", "IIIb", "IIIc",
                   "IIId", "IIIe")


@dataclass
class Jobcenter:
    jid: str
    name: str
    form: str
    vtyp: str
    elb: float  # target eLb stock at the scale
    munis: list[tuple[str, str, float]]  # (AGS, name, weight)
    rent: float  # warm rent per m²


def jobcenters(scale: float, seed: int) -> list[Jobcenter]:
    """The Jobcenters with their municipalities and target sizes (log-normal, big cities fixed)."""
    rng = np.random.default_rng([seed, 0])
    n_rest = N_JOBCENTERS - len(BIG_CITIES)
    big_total = sum(c[2] for c in BIG_CITIES)
    sizes = rng.lognormal(0.0, 0.75, n_rest)
    sizes = sizes / sizes.sum() * (ELB_TOTAL - big_total)
    out: list[Jobcenter] = []
    for name, code, elb in BIG_CITIES:
        form = "gE"
        out.append(Jobcenter(code, f"Jobcenter {name}", form, VERGLEICHSTYPEN[int(rng.integers(10, 15))],
                             elb * scale, [(code + "000", name, 1.0)], float(rng.uniform(7.5, 11.5))))
    land_counts = np.floor(np.array([s for _, s in LAENDER]) * n_rest).astype(int)
    land_counts[np.argmax(land_counts)] += n_rest - land_counts.sum()
    used_codes = {c[1] for c in BIG_CITIES}
    k = 0
    for (land, _), cnt in zip(LAENDER, land_counts, strict=True):
        for i in range(cnt):
            rb = 1 + i // 40
            kreis = 51 + i % 40
            code = f"{land}{rb}{kreis:02d}"
            while code in used_codes:  # keep clear of the big cities' real Kreisschlüssel
                kreis += 1
                code = f"{land}{rb}{kreis % 100:02d}"
            used_codes.add(code)
            n_muni = int(rng.integers(4, 30))
            weights = rng.lognormal(0, 1.0, n_muni)
            munis = [(f"{code}{4 * (j + 1):03d}", f"Gemeinde {code}-{j + 1}", float(w)) for j, w in enumerate(weights)]
            form = "zkT" if rng.random() < ZKT_SHARE else "gE"
            out.append(Jobcenter(code, f"Jobcenter Landkreis {land}-{rb}{kreis:02d}", form,
                                 VERGLEICHSTYPEN[int(rng.integers(0, 10))], float(sizes[k]) * scale, munis,
                                 float(rng.uniform(5.8, 8.5))))
            k += 1
    return out


def _date(day: int):
    from datetime import date

    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day))


def _columns(tbl: pa.Table) -> dict[str, pa.Array]:
    return {n: tbl.column(n) for n in tbl.column_names}


# --- Arrow helpers ------------------------------------------------------------------------------

def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, "")


def _dates(days: np.ndarray, open_mask: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(days.astype(np.int32), type=pa.int32(), mask=open_mask).cast(pa.date32())
    return arr


def _strings(codes: np.ndarray, values: np.ndarray) -> pa.Array:
    """Dictionary-decode small code arrays to strings."""
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(values)).cast(pa.string())


class _Writers:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.writers: dict[str, pq.ParquetWriter] = {}

    def write(self, name: str, columns: dict[str, pa.Array]) -> None:
        schema = arrow_schema(TABLES_BY_NAME[name])
        n = len(next(iter(columns.values())))
        arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(n, f.type) for f in schema]
        tbl = pa.Table.from_arrays(arrays, schema=schema)
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", schema, compression="zstd")
        self.writers[name].write_table(tbl)

    def close(self) -> None:
        for w in self.writers.values():
            w.close()


# --- the model for one chunk of Jobcenters ------------------------------------------------------------

def _birthday(birth: np.ndarray, years: int) -> np.ndarray:
    """Day number of the birthday at ``years`` (29 Feb → 1 Mar)."""
    b = birth.astype("datetime64[D]")
    y = b.astype("datetime64[Y]").astype(int) + 1970
    md = b - b.astype("datetime64[Y]")
    target = (np.asarray(y + years - 1970).astype("datetime64[Y]")).astype("datetime64[D]") + md
    return target.astype(np.int64)


def simulate_chunk(jcs: list[Jobcenter], rng: np.random.Generator, bg_offset: int, person_offset: int,
                   all_munis: np.ndarray, muni_jc: np.ndarray, muni_rent: np.ndarray,
                   jc_muni_ranges: dict[str, tuple[int, int, np.ndarray]]) -> tuple[dict, int, int]:
    """Arrays of all tables for ``jcs``; returns (tables, number of BGs, number of persons)."""
    # ---- BG careers -----------------------------------------------------------------------------------
    elb_per_bg = 1.31
    span = AS_OF - ARRIVALS_FROM
    exp_eps = 1.0 / (1.0 - P_RETURN)
    # careers per BG in the stock: span / (mean days * expected episodes + small share of gaps)
    per_stock = CAREER_FACTOR * span / (MEAN_DAYS * exp_eps)
    counts = []
    for jc in jcs:
        stock_bg = jc.elb / elb_per_bg
        n_c = rng.poisson(stock_bg * STOCK_SHARES * per_stock)
        counts.append(n_c)
    counts = np.array(counts)  # (jc, class)
    n_bg = int(counts.sum())
    jc_of = np.repeat(np.repeat(np.arange(len(jcs)), 3), counts.ravel())
    cls = np.tile(np.arange(3), len(jcs))
    cls = np.repeat(cls, counts.ravel())
    btype = rng.choice(len(TYPE_SHARES), n_bg, p=TYPE_SHARES)
    # home municipality
    home = np.empty(n_bg, np.int64)
    for j, jc in enumerate(jcs):
        lo, hi, p = jc_muni_ranges[jc.jid]
        sel = jc_of == j
        home[sel] = lo + rng.choice(hi - lo, int(sel.sum()), p=p)
    chunk_munis = np.concatenate([np.arange(*jc_muni_ranges[jc.jid][:2]) for jc in jcs])

    # ---- episodes (vectorised over BGs, loop over episode number) ------------------------------------
    ep_bg, ep_s, ep_e, ep_muni, ep_move, ep_muni2 = [], [], [], [], [], []
    t = ARRIVALS_FROM + rng.integers(0, span, n_bg)
    alive = np.ones(n_bg, bool)
    muni = home.copy()
    for k in range(12):
        idx = np.nonzero(alive & (t <= AS_OF))[0]
        if len(idx) == 0:
            break
        c = cls[idx]
        dur = np.maximum(rng.exponential(MEAN_DAYS[c]).astype(np.int64), 1)
        s = t[idx]
        e = s + dur - 1
        # moves inside an episode
        mv = (rng.random(len(idx)) < MOVE_PROB) & (dur > 20)
        mday = s + (rng.random(len(idx)) * np.maximum(dur - 1, 1)).astype(np.int64) + 1
        other_jc = rng.random(len(idx)) < MOVE_OTHER_JC
        new_m = np.where(other_jc, chunk_munis[rng.integers(0, len(chunk_munis), len(idx))],
                         _same_jc_muni(muni[idx], rng, muni_jc))
        mv &= new_m != muni[idx]
        ep_bg.append(idx)
        ep_s.append(s)
        ep_e.append(e)
        ep_muni.append(muni[idx].copy())
        ep_move.append(np.where(mv, mday, -1))
        ep_muni2.append(np.where(mv, new_m, muni[idx]))
        muni[idx] = np.where(mv, new_m, muni[idx])
        # return?
        ret = rng.random(len(idx)) < P_RETURN[c]
        gap = rng.exponential(MEAN_GAP[c]).astype(np.int64) + 1
        short = rng.random(len(idx)) < 0.08  # a few returns after only days (C4 merge gap)
        gap = np.where(short, rng.integers(1, 10, len(idx)), gap)
        t[idx] = e + 1 + gap
        alive[idx] = ret
    ep_bg = np.concatenate(ep_bg)
    ep_s = np.concatenate(ep_s)
    ep_e = np.concatenate(ep_e)
    ep_muni = np.concatenate(ep_muni)
    ep_move = np.concatenate(ep_move)
    ep_muni2 = np.concatenate(ep_muni2)
    # SGB II start, as-of cut, keep window
    keep = (ep_e >= max(SGB2_START, KEEP_FROM)) & (ep_s <= AS_OF)
    ep_bg, ep_s, ep_e, ep_muni, ep_move, ep_muni2 = (a[keep] for a in (ep_bg, ep_s, ep_e, ep_muni, ep_move, ep_muni2))
    ep_s = np.maximum(ep_s, SGB2_START)
    ep_move = np.where((ep_move > ep_s) & (ep_move <= np.minimum(ep_e, AS_OF)), ep_move, -1)
    ep_muni2 = np.where(ep_move > 0, ep_muni2, ep_muni)
    ep_open = ep_e > AS_OF
    ep_e = np.minimum(ep_e, AS_OF)
    # the BGs that remain, renumbered in order of their first episode
    used, ep_bgi = np.unique(ep_bg, return_inverse=True)
    nb = len(used)
    cls_b, type_b = cls[used], btype[used]
    first_start = np.full(nb, AS_OF, np.int64)
    np.minimum.at(first_start, ep_bgi, ep_s)

    # ---- members ---------------------------------------------------------------------------------------
    # head: age at first episode start; partner for couples; children
    n_adult = np.where(np.isin(type_b, (2, 3)), 2, 1)
    n_kids = np.zeros(nb, np.int64)
    kid_t = np.isin(type_b, (1, 3))
    n_kids[kid_t] = 1 + rng.choice(4, int(kid_t.sum()), p=[0.45, 0.32, 0.15, 0.08])
    n_kids[type_b == 4] = 1
    n_mem = n_adult + n_kids
    mem_bg = np.repeat(np.arange(nb), n_mem)
    pos = np.arange(len(mem_bg)) - np.repeat(np.cumsum(n_mem) - n_mem, n_mem)
    role = np.where(pos == 0, 0, np.where(pos < np.repeat(n_adult, n_mem), 1, 2))  # head, partner, child
    npers = len(mem_bg)
    head_age = np.where(type_b == 0, np.where(rng.random(nb) < 0.3, rng.uniform(18, 25, nb),
                                                 np.minimum(20 + rng.gamma(7.0, 5.6, nb), 62)),
                        np.clip(rng.normal(34, 8, nb), 19, 58))
    head_birth = first_start - (head_age * 365.25).astype(np.int64)
    birth = np.empty(npers, np.int64)
    hb = head_birth[mem_bg]
    birth[role == 0] = hb[role == 0]
    birth[role == 1] = hb[role == 1] + rng.integers(-1500, 2500, int((role == 1).sum()))
    kids = role == 2
    kb = mem_bg[kids]
    # children born between the head's 18th birthday and 2017 (some during receipt: births)
    lo = np.maximum(hb[kids] + 18 * 365, first_start[kb] - 17 * 365)
    hi = np.minimum(hb[kids] + 42 * 365, AS_OF - 30)
    hi = np.maximum(hi, lo + 1)
    birth[kids] = lo + (rng.beta(2.0, 1.1, int(kids.sum())) * (hi - lo)).astype(np.int64)
    other_kid = kids & (type_b[mem_bg] == 4)
    birth[other_kid] = first_start[mem_bg[other_kid]] - rng.integers(18 * 365, 24 * 365, int(other_kid.sum()))
    sex_head = np.where(type_b == 1, np.where(rng.random(nb) < 0.91, 0, 1),
                        np.where(type_b == 0, np.where(rng.random(nb) < 0.42, 0, 1),
                                 np.where(rng.random(nb) < 0.2, 0, 1)))  # 0 f, 1 m
    sex = rng.integers(0, 2, npers)
    sex[role == 0] = sex_head[mem_bg[role == 0]]
    sex[role == 1] = 1 - sex_head[mem_bg[role == 1]]
    # first member index of each BG
    first_mem = np.cumsum(n_mem) - n_mem
    # the BG ends when its head reaches the retirement age (65 years and some months, § 7a SGB II)
    head_limit = _birthday(head_birth, 65) + 150 - 1
    lim = head_limit[ep_bgi]
    cut = ep_e > lim
    ep_e = np.where(cut, lim, ep_e)
    ep_open &= ~cut
    ep_move = np.where(ep_move <= ep_e, ep_move, -1)
    ep_muni2 = np.where(ep_move > 0, ep_muni2, ep_muni)
    ok = ep_s <= ep_e
    ep_bgi, ep_s, ep_e, ep_muni, ep_move, ep_muni2, ep_open = (
        a[ok] for a in (ep_bgi, ep_s, ep_e, ep_muni, ep_move, ep_muni2, ep_open))

    # ---- person spells: members × episodes, split at moves and at the 15th birthday ----------------
    n_ep_mem = n_mem[ep_bgi]
    r_ep = np.repeat(np.arange(len(ep_bgi)), n_ep_mem)
    r_mem = np.repeat(first_mem[ep_bgi], n_ep_mem) + (np.arange(len(r_ep)) - np.repeat(np.cumsum(n_ep_mem) - n_ep_mem, n_ep_mem))
    s = np.maximum(ep_s[r_ep], birth[r_mem])
    e = ep_e[r_ep].copy()
    is_open = ep_open[r_ep].copy()
    # children leave at 25, adults at the retirement age (65 years and some months, § 7a SGB II)
    b25 = _birthday(birth[r_mem], 25)
    retire = _birthday(birth[r_mem], 65) + 150
    limit = np.where(role[r_mem] == 2, b25 - 1, retire - 1)
    cut = e > limit
    e = np.where(cut, limit, e)
    is_open &= ~cut
    ok = s <= e
    r_ep, r_mem, s, e, is_open = r_ep[ok], r_mem[ok], s[ok], e[ok], is_open[ok]
    # move split
    mday = ep_move[r_ep]
    mv = (mday > s) & (mday <= e)
    muni_a = ep_muni[r_ep]
    muni_b = ep_muni2[r_ep]
    muni_first = np.where(mv | (mday <= 0) | (mday > e), muni_a, muni_b)
    muni_first = np.where((mday > 0) & (mday <= s), muni_b, muni_first)
    s2, e2 = s.copy(), e.copy()
    part1_e = np.where(mv, mday - 1, e)
    rows_mem = np.concatenate([r_mem, r_mem[mv]])
    rows_ep = np.concatenate([r_ep, r_ep[mv]])
    rows_s = np.concatenate([s2, mday[mv]])
    rows_e = np.concatenate([part1_e, e2[mv]])
    rows_open = np.concatenate([is_open & ~mv, is_open[mv]])
    rows_muni = np.concatenate([muni_first, muni_b[mv]])
    # 15th birthday split (nef → eLb)
    b15 = _birthday(birth[rows_mem], 15)
    sp = (b15 > rows_s) & (b15 <= rows_e)
    f_mem = np.concatenate([rows_mem, rows_mem[sp]])
    f_ep = np.concatenate([rows_ep, rows_ep[sp]])
    f_s = np.concatenate([rows_s, b15[sp]])
    f_e = np.concatenate([np.where(sp, b15 - 1, rows_e), rows_e[sp]])
    f_open = np.concatenate([rows_open & ~sp, rows_open[sp]])
    f_muni = np.concatenate([rows_muni, rows_muni[sp]])
    f_status = (b15[np.r_[np.arange(len(rows_mem)), np.nonzero(sp)[0]]] <= f_s).astype(np.int8)  # 1 eLb
    order = np.lexsort((f_s, f_mem))
    f_mem, f_ep, f_s, f_e, f_open, f_muni, f_status = (a[order] for a in (f_mem, f_ep, f_s, f_e, f_open, f_muni, f_status))

    # ---- households (per BG episode) ----------------------------------------------------------------
    # ---- payments (per BG and month, 2012-01..2017-12) -------------------------------------------
    pay = _payments(rng, ep_bgi, ep_s, ep_e, ep_move, ep_muni, ep_muni2, type_b, n_adult, n_kids, muni_rent)

    # ---- employment and measures per eLb person-episode ----------------------------------------------
    ends_episode = (f_e == ep_e[f_ep]) & ~ep_open[f_ep]
    emp, mea = _work(rng, f_mem, f_s, f_e, ends_episode, f_status, cls_b[mem_bg[f_mem]], sex[f_mem], birth[f_mem],
                     role[f_mem])

    # ---- children table ------------------------------------------------------------------------------
    kid_idx = np.nonzero(role == 2)[0]
    kid_bg = mem_bg[kid_idx]
    parents_head = first_mem[kid_bg]
    has_partner = n_adult[kid_bg] == 2
    ch_parent = np.concatenate([parents_head, parents_head[has_partner] + 1])
    ch_birth = np.concatenate([birth[kid_idx], birth[kid_idx][has_partner]])
    ok = ch_birth <= AS_OF
    ch_parent, ch_birth = ch_parent[ok], ch_birth[ok]

    # persons that appear in a kept spell
    used_p = np.unique(f_mem)
    pmap = np.full(npers, -1, np.int64)
    pmap[used_p] = np.arange(len(used_p))
    tables = {
        "persons": {
            "person_id": _ids("P", person_offset + np.arange(len(used_p)) + 1, 10),
            "birth_date": _dates(birth[used_p]),
            "sex": _strings(sex[used_p], np.array(["f", "m"])),
            "citizenship": _strings(rng.choice(3, len(used_p), p=[0.66, 0.12, 0.22]), np.array(["de", "eu", "non_eu"])),
        },
        "elb_spells": {
            "person_id": _ids("P", person_offset + pmap[f_mem] + 1, 10),
            "bg_id": _ids("BG", bg_offset + ep_bgi[f_ep] + 1, 9),
            "municipality_id": pa.array(all_munis[f_muni]),
            "status": _strings(f_status, np.array(["nef", "elb"])),
            "role": _strings(role[f_mem], np.array(["head", "partner", "child"])),
            "start": _dates(f_s),
            "end": _dates(f_e, f_open),
        },
        "households": {
            "bg_id": _ids("BG", bg_offset + ep_bgi + 1, 9),
            "bg_type": _strings(type_b[ep_bgi], TYPE_CODES),
            "start": _dates(ep_s),
            "end": _dates(ep_e, ep_open),
        },
        "payments": {
            "bg_id": _ids("BG", bg_offset + pay["bg"] + 1, 9),
            "month": pay["month"],
            "municipality_id": pa.array(all_munis[pay["muni"]]),
            "llu": pa.array(pay["llu"]),
            "luh": pa.array(pay["luh"]),
        },
        "employment": {
            "person_id": _ids("P", person_offset + pmap[emp["p"]] + 1, 10),
            "kind": _strings(emp["kind"], np.array(["svb", "training", "self_employed", "marginal", "public_funded"])),
            "subsidy": _strings(emp["sub"], np.array(["none", "egz", "esg", "agh"])),
            "start": _dates(emp["s"]),
            "end": _dates(emp["e"], emp["e"] > AS_OF),
        },
        "measures": {
            "person_id": _ids("P", person_offset + pmap[mea["p"]] + 1, 10),
            "instrument": _strings(mea["i"], np.array(["activation", "vocational_further_training", "agh", "egz",
                                                       "placement_budget", "esg"])),
            "start": _dates(mea["s"]),
            "end": _dates(mea["e"], mea["e"] > AS_OF),
        },
        "children": {
            "person_id": _ids("P", person_offset + pmap[ch_parent[pmap[ch_parent] >= 0]] + 1, 10),
            "child_birth_date": _dates(ch_birth[pmap[ch_parent] >= 0]),
        },
    }
    return tables, nb, len(used_p)


def _same_jc_muni(cur: np.ndarray, rng: np.random.Generator, muni_jc: np.ndarray) -> np.ndarray:
    """A random municipality of the same Jobcenter as ``cur`` (municipalities are stored by Jobcenter;
    ``muni_jc`` holds each municipality's first index and count of its Jobcenter)."""
    return muni_jc[cur, 0] + (rng.random(len(cur)) * muni_jc[cur, 1]).astype(np.int64)


def _payments(rng, ep_bgi, ep_s, ep_e, ep_move, ep_muni, ep_muni2, type_b, n_adult, n_kids, muni_rent) -> dict:
    first_mi = PAY_FIRST[0] * 12 + PAY_FIRST[1] - 1
    last_mi = PAY_LAST[0] * 12 + PAY_LAST[1] - 1
    s_dt = ep_s.astype("datetime64[D]")
    e_dt = ep_e.astype("datetime64[D]")
    s_mi = s_dt.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    e_mi = e_dt.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    a = np.maximum(s_mi, first_mi)
    b = np.minimum(e_mi, last_mi)
    n = np.clip(b - a + 1, 0, None)
    rep = np.repeat(np.arange(len(ep_bgi)), n)
    mi = np.repeat(a, n) + (np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n))
    bg = ep_bgi[rep]
    # days of receipt in the month
    m_first = ((mi - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    m_last = ((mi - 1970 * 12 + 1).astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) - 1
    lo = np.maximum(m_first, ep_s[rep])
    hi = np.minimum(m_last, ep_e[rep])
    frac = (hi - lo + 1) / (m_last - m_first + 1)
    mv = ep_move[rep]
    muni = np.where((mv > 0) & (hi >= mv), ep_muni2[rep], ep_muni[rep])
    year = mi // 12
    rb = np.array([[benefits.regelbedarf(y, k) for k in range(1, 7)] for y in range(2012, 2018)], float)
    yi = year - 2012
    t = type_b[bg]
    adults = n_adult[bg]
    kids = n_kids[bg]
    need = np.where(adults == 2, 2 * rb[yi, 1], rb[yi, 0]) + kids * (rb[yi, 4] + 15)
    need += np.where(t == 1, 0.36 * rb[yi, 0], 0.0)
    kg = np.array([184, 184, 184, 188, 190, 192], float)[yi]
    income = np.where(rng.random(len(bg)) < 0.28, rng.uniform(100, 700, len(bg)), 0.0) + kids * kg * (t != 4)
    llu = np.round(np.maximum(need - income, 20.0) * frac, 2)
    area = 50 + 15 * (adults + kids - 1)
    luh = np.round(area * muni_rent[muni] * (1.015 ** (year - 2016)) * frac * rng.lognormal(0, 0.1, len(bg)), 2)
    # a BG with two episodes in one month (return after a few days): one row, amounts added
    key = bg.astype(np.int64) * 100000 + mi
    order = np.argsort(key, kind="stable")
    key, bg, mi, muni, llu, luh = key[order], bg[order], mi[order], muni[order], llu[order], luh[order]
    first = np.r_[True, key[1:] != key[:-1]]
    starts = np.nonzero(first)[0]
    llu = np.round(np.add.reduceat(llu, starts), 2) if len(starts) else llu
    luh = np.round(np.add.reduceat(luh, starts), 2) if len(starts) else luh
    last_of_group = np.r_[starts[1:] - 1, len(key) - 1] if len(starts) else starts
    bg, mi, muni = bg[starts], mi[starts], muni[last_of_group]
    month = pc.binary_join_element_wise(
        pa.array(mi // 12).cast(pa.string()),
        pc.utf8_lpad(pa.array(mi % 12 + 1).cast(pa.string()), width=2, padding="0"),
        "-",
    )
    return {"bg": bg, "month": month, "muni": muni, "llu": llu, "luh": luh}


def _work(rng, f_mem, f_s, f_e, ends_episode, f_status, cls, sex, birth, role) -> tuple[dict, dict]:
    """Employment and measures per eLb person-episode row."""
    elb = f_status == 1
    p, s, e, c, sx, rl = f_mem[elb], f_s[elb], f_e[elb], cls[elb], sex[elb], role[elb]
    ends = ends_episode[elb]
    months = (e - s + 1) / 30.44
    fac = np.where(sx == 0, SEX_FACTOR_F, 1.0)
    age = (s - birth[elb]) / 365.25
    fac = fac * np.where(age >= 55, 0.45, 1.0) * np.where(age < 18, 0.3, 1.0)
    rows_p, rows_k, rows_sub, rows_s, rows_e = [], [], [], [], []
    # integrations inside the episode
    n_in = np.minimum(rng.poisson(INT_HAZARD[c] * fac * months), 2)
    rp = np.repeat(np.arange(len(p)), n_in)
    st = s[rp] + (rng.random(len(rp)) * (e[rp] - s[rp] + 1)).astype(np.int64)
    # a job as the reason for the exit (not for open episodes; only the row that ends the episode)
    ex = ends & (rng.random(len(p)) < EXIT_JOB[c] * fac) & (rl <= 1)
    xs = np.nonzero(ex)[0]
    st2 = np.maximum(e[xs] - rng.integers(0, 20, len(xs)), s[xs])
    ip = np.concatenate([rp, xs])
    ist = np.concatenate([st, st2])
    young = (ist - birth[elb][ip]) / 365.25 < 25
    r = rng.random(len(ip))
    kind = np.where(young & (r < 0.3), 1, np.where(r > 0.96, 2, 0))
    sub = np.where(kind == 0, np.where(rng.random(len(ip)) < 0.07, 1, 0), np.where((kind == 2) & (r > 0.985), 2, 0))
    # short jobs (probation, seasonal) and lasting ones: about 60 % still in svB a year later (K2E3)
    job_mean = np.where(rng.random(len(ip)) < 0.3, 110.0, 1900.0)
    dur = np.where(kind == 1, rng.integers(180, 1100, len(ip)), rng.exponential(job_mean).astype(np.int64) + 14)
    rows_p.append(p[ip])
    rows_k.append(kind)
    rows_sub.append(sub)
    rows_s.append(ist)
    rows_e.append(ist + dur)
    # marginal employment
    mg = np.nonzero((rng.random(len(p)) < 0.12 * np.minimum(months / 12, 1.5)) & (age >= 16))[0]
    ms = s[mg] + (rng.random(len(mg)) * (e[mg] - s[mg] + 1)).astype(np.int64)
    rows_p.append(p[mg])
    rows_k.append(np.full(len(mg), 3))
    rows_sub.append(np.zeros(len(mg), np.int64))
    rows_s.append(ms)
    rows_e.append(ms + rng.exponential(280, len(mg)).astype(np.int64) + 20)
    # publicly funded work (AGH), mostly the long-term class
    ag = np.nonzero((rng.random(len(p)) < np.array([0.01, 0.03, 0.06])[c] * np.minimum(months / 12, 2)) & (age >= 25))[0]
    ags = s[ag] + (rng.random(len(ag)) * (e[ag] - s[ag] + 1)).astype(np.int64)
    age_ = ags + rng.integers(180, 330, len(ag))
    rows_p.append(p[ag])
    rows_k.append(np.full(len(ag), 4))
    rows_sub.append(np.full(len(ag), 3))
    rows_s.append(ags)
    rows_e.append(age_)
    emp = {"p": np.concatenate(rows_p), "kind": np.concatenate(rows_k), "sub": np.concatenate(rows_sub),
           "s": np.concatenate(rows_s), "e": np.concatenate(rows_e)}
    keep = emp["s"] <= AS_OF
    emp = {k: v[keep] for k, v in emp.items()}
    # measures: activation (Poisson in the episode), further training, AGH, EGZ with the subsidised jobs
    na = np.minimum(rng.poisson(0.022 * months), 3)
    ra = np.repeat(np.arange(len(p)), na)
    as_ = s[ra] + (rng.random(len(ra)) * (e[ra] - s[ra] + 1)).astype(np.int64)
    ft = np.nonzero(rng.random(len(p)) < 0.004 * months)[0]
    fs = s[ft] + (rng.random(len(ft)) * (e[ft] - s[ft] + 1)).astype(np.int64)
    pb = np.nonzero(rng.random(len(p)) < 0.005 * months)[0]
    pbs = s[pb] + (rng.random(len(pb)) * (e[pb] - s[pb] + 1)).astype(np.int64)
    egz = np.nonzero(emp["sub"] == 1)[0]
    esg = np.nonzero(emp["sub"] == 2)[0]
    mea = {
        "p": np.concatenate([p[ra], p[ft], p[ag], emp["p"][egz], p[pb], emp["p"][esg]]),
        "i": np.concatenate([np.zeros(len(ra), np.int64), np.ones(len(ft), np.int64), np.full(len(ag), 2),
                             np.full(len(egz), 3), np.full(len(pb), 4), np.full(len(esg), 5)]),
        "s": np.concatenate([as_, fs, ags, emp["s"][egz], pbs, emp["s"][esg]]),
        "e": np.concatenate([as_ + rng.integers(28, 180, len(ra)), fs + rng.integers(90, 540, len(ft)), age_,
                             emp["s"][egz] + rng.integers(180, 365, len(egz)), pbs,
                             emp["s"][esg] + rng.integers(180, 540, len(esg))]),
    }
    keep = mea["s"] <= AS_OF
    mea = {k: v[keep] for k, v in mea.items()}
    return emp, mea


# --- driver ------------------------------------------------------------------------------------------

def write(out: Path, seed: int = 1, scale: float = 1.0, chunk_elb: int = 150_000) -> None:
    """Generate and write the dataset into ``out`` (Parquet, table by table in chunks)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jcs = jobcenters(scale, seed)
    # municipality index
    all_munis, names, jc_ids, weights, rents = [], [], [], [], []
    ranges: dict[str, tuple[int, int, np.ndarray]] = {}
    for jc in jcs:
        lo = len(all_munis)
        for ags, name, w in jc.munis:
            all_munis.append(ags)
            names.append(name)
            jc_ids.append(jc.jid)
            weights.append(w)
            rents.append(jc.rent * (1.0 + 0.05 * (w > 1.5)))
        hi = len(all_munis)
        wv = np.array(weights[lo:hi])
        ranges[jc.jid] = (lo, hi, wv / wv.sum())
    all_munis_a = np.array(all_munis)
    muni_jc = np.array([[ranges[j][0], ranges[j][1] - ranges[j][0]] for j in jc_ids], np.int64)
    writers = _Writers(out)
    try:
        writers.write("jobcenters", {
            "jobcenter_id": pa.array([j.jid for j in jcs]), "name": pa.array([j.name for j in jcs]),
            "form": pa.array([j.form for j in jcs]), "vergleichstyp": pa.array([j.vtyp for j in jcs]),
        })
        writers.write("municipalities", {
            "municipality_id": pa.array(all_munis), "name": pa.array(names), "jobcenter_id": pa.array(jc_ids),
        })
        # chunks of Jobcenters of about chunk_elb eLb each
        chunks: list[list[Jobcenter]] = [[]]
        acc = 0.0
        for jc in jcs:
            if chunks[-1] and acc + jc.elb > chunk_elb:
                chunks.append([])
                acc = 0.0
            chunks[-1].append(jc)
            acc += jc.elb
        bg_off = person_off = 0
        for ci, chunk in enumerate(chunks):
            rng = np.random.default_rng([seed, 1, ci])
            tables, nb, npers = simulate_chunk(chunk, rng, bg_off, person_off, all_munis_a, muni_jc,
                                               np.array(rents), ranges)
            # synthetic names: their own generator, so every other column stays as it was
            first, last = person_names(tables["persons"]["sex"], np.random.default_rng([seed, 7, ci]))
            tables["persons"] = {**tables["persons"], "first_name": first, "last_name": last}
            for name in ("persons", "elb_spells", "households", "payments", "employment", "measures", "children"):
                writers.write(name, tables[name])
            # issue 15 extension tables: their own generator, so the tables above stay as they were;
            # the § 16a services are a further row group of measures
            ext = extension.extension_tables(
                {n: pa.table(tables[n]) for n in ("persons", "elb_spells", "employment", "measures", "children")},
                np.random.default_rng([seed, 5, ci]), _date(AS_OF), _date(KEEP_FROM), _date(EXT_DETAIL_FROM))
            writers.write("measures", _columns(ext.pop("measures_16a")))
            for name, tbl in ext.items():
                writers.write(name, _columns(tbl))
            bg_off += nb
            person_off += npers
    finally:
        writers.close()
    (out / "dataset.toml").write_text("as_of = 2017-12-31\nstichtag_day = 15\n", encoding="utf-8")
