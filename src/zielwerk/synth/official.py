"""Synthetic official Kennzahlen tables (issue 14 item 2): ``amtliche-kennzahlen.csv`` in the dataset folder.

What the statistics office would publish for the synthetic Jobcenters, derived from the engine's own
computation on the generated data (:func:`zielwerk.indicators.compute_kennzahlen`, Jobcenter level):

- **waiting period**: months within :data:`~zielwerk.official.figures.WAITING_MONTHS` of the dataset's
  as-of date are withheld (as-of 2017-12-31 → the last published month is 2017-09);
- **warm-up**: a month is published from the first month its indicator is meaningful on the data
  (first eLb spell start + the indicator's warm-up months), and from :data:`FIRST_MONTH` on;
- **rounding as published**: numerator and denominator to whole numbers (persons, euros), the value
  (percent) to one decimal, computed from the unrounded numerator and denominator;
- **withheld money cells**: K1/K1E1 cells with a monthly sum below 1,000 € are published as ``*``
  (:func:`anonymised`); person counts are published even when small (see there);
- **late-recorded data**: in a share :data:`LATE_SHARE` of the (Jobcenter, month, indicator) cells of
  indicators whose numerator counts events (integrations, entries, exits), the official numerator is
  higher by :data:`LATE_RANGE` (at least one person): events recorded after the local extract, which
  the statistics office counts after its waiting period. These are the differences reconciliation
  (:mod:`zielwerk.official.reconcile`) explains as "Nacherfassung".

The file is written as the statistics office's CSV: German dialect (semicolon, decimal comma, UTF-8
with BOM) with the ``ba`` layout's headers (:data:`zielwerk.official.reader.LAYOUTS`).

For the demo (scenario ``siegen-wittgenstein``) the table holds Siegen-Wittgenstein's own official
series and :data:`PEERS` further Jobcenters of its Vergleichstyp (names and keys from the ``germany``
scenario's Jobcenter list), whose figures are aggregate-level synthetic: Siegen-Wittgenstein's
numerators and denominators scaled by a size factor, with a level factor per Jobcenter and indicator
and a small monthly noise (:func:`peer_rows`) — plausible values for the type, not a simulation.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zielwerk.domain.calendar import Month
from zielwerk.domain.cells import neutralise_row
from zielwerk.indicators.definitions import CHANGE, FLOW, INDICATORS, MONEY, block_kind
from zielwerk.official import FILE_NAME
from zielwerk.official.figures import OFFICIAL_CODES, WAITING_MONTHS, OfficialRow, value_of

#: the first month published (the monitoring reads January four years before the agreement year 2016)
FIRST_MONTH = Month(2012, 1)
#: share of the event cells with late-recorded data, and the relative size of the difference
LATE_SHARE = 0.08
LATE_RANGE = (0.01, 0.04)
#: the first month of the demo's peer figures (the peer views compare a month with the previous year's)
PEER_FIRST = Month(2015, 1)
#: at most this many Jobcenters of the Vergleichstyp beside Siegen-Wittgenstein in the demo (the germany
#: list has 33 of type IIb)
PEERS = 40
#: indicators whose numerator counts events in the month or the 12 months (late recording possible)
EVENT_CODES = tuple(c for c in OFFICIAL_CODES
                    if INDICATORS[c].numerator is not None and block_kind(INDICATORS[c].numerator.block) == FLOW)
HEADERS = ("Jobcenter-Schlüssel", "Jobcenter", "Vergleichstyp", "Berichtsmonat", "Kennzahl", "Geschlecht",
           "Zähler", "Nenner", "Wert")
SEX_LABELS = {"all": "Insgesamt", "f": "Frauen", "m": "Männer"}


def last_published(as_of: Any) -> Month:
    """The newest month published at the as-of date: the waiting period withholds the months within
    ``WAITING_MONTHS`` of it (the provisional months of C11)."""
    return Month.of(as_of) - WAITING_MONTHS


def first_published(ds: Any) -> dict[str, Month]:
    """Per indicator the first month published: meaningful on the data and not before FIRST_MONTH; the
    money indicators (K1, K1E1: change against the month a year before) from twelve months after the first
    month of payments."""
    first = pc.min(ds["elb_spells"]["start"]).as_py()
    start = Month.of(first) if first is not None else FIRST_MONTH
    pay = pc.min(ds["payments"]["month"]).as_py() if ds["payments"].num_rows else None
    out = {}
    for c in OFFICIAL_CODES:
        m = max(FIRST_MONTH, start + INDICATORS[c].warmup_months)
        if INDICATORS[c].measure == MONEY and pay is not None:
            m = max(m, Month.parse(str(pay)[:7]) + 12)
        out[c] = m
    return out


def published(value: float) -> float:
    """A count as published: a whole number (half up)."""
    return float(math.floor(value + 0.5))


def round_value(value: float | None) -> float | None:
    """A value as published: one decimal (half away from zero)."""
    if value is None:
        return None
    return math.copysign(math.floor(abs(value) * 10 + 0.5) / 10, value)


#: money cells below this many euros (numerator or denominator) are withheld: a month's benefits of fewer
#: than about three Bedarfsgemeinschaften, whose change rate against the previous year is meaningless
SMALL_MONEY = 1000.0


def anonymised(code: str, num: float | None, den: float | None) -> bool:
    """Cells the synthetic table publishes as ``*`` (numerator, denominator and value): money indicators
    (K1, K1E1) with a monthly sum below :data:`SMALL_MONEY` euros. Person counts are published even when
    small (unlike the statistics office, which anonymises 1 and 2): the tiny Jobcenters of small ``--scale``
    values would otherwise lose most cells, and the views apply the small-number rule C10 themselves."""
    return INDICATORS[code].measure == MONEY and any(x is not None and 0 < x < SMALL_MONEY for x in (num, den))


def _row(jc: str, name: str, vt: str | None, month: str, code: str, sex: str, num: float | None,
         den: float | None) -> OfficialRow:
    if anonymised(code, num, den):
        return OfficialRow(jc, name, vt, month, code, sex, None, None, None)
    value = value_of(code, num, den)
    return OfficialRow(jc, name, vt, month, code, sex, None if num is None else published(num),
                       None if den is None else published(den), round_value(value))


def official_rows(engine_table: pa.Table, names: dict[str, tuple[str, str | None]], last: Month,
                  first: dict[str, Month], seed: int, jobcenter_ids: set[str] | None = None) -> list[OfficialRow]:
    """The published rows of the engine's Jobcenter rows (``unit_type`` 'jobcenter'), months first..last,
    with late-recorded differences (see the module docstring); ``names``: key → (name, Vergleichstyp)."""
    tbl = engine_table.filter(pc.equal(engine_table["unit_type"], "jobcenter"))
    rows = sorted(tbl.to_pylist(), key=lambda r: (r["unit_id"], r["month"], r["indicator"], r["sex"]))
    rng = np.random.default_rng([seed, 14, 1])
    late: dict[tuple[str, str, str], float] = {}
    out = []
    for r in rows:
        jc, month, code = r["unit_id"], r["month"], r["indicator"]
        if code not in OFFICIAL_CODES or (jobcenter_ids is not None and jc not in jobcenter_ids):
            continue
        m = Month.parse(month)
        if m > last or m < first[code] or jc not in names:
            continue
        num, den = r["numerator"], r["denominator"]
        if not den or published(den) == 0:
            continue  # no value on the data (K1 in the first year of payments; a stock below one person)
        if code in EVENT_CODES:
            key = (jc, month, code)
            if key not in late:  # one draw per cell, in sorted order: deterministic
                hit, size = rng.random(), rng.uniform(*LATE_RANGE)
                late[key] = size if hit < LATE_SHARE else 0.0
            if late[key] and num is not None and num > 0:
                num = num + max(1.0, num * late[key])
        name, vt = names[jc]
        out.append(_row(jc, name, vt, month, code, r["sex"], num, den))
    return out


def peer_rows(own: list[OfficialRow], peers: list[tuple[str, str]], vergleichstyp: str | None,
              seed: int) -> list[OfficialRow]:
    """Aggregate-level synthetic rows for ``peers`` ((key, name)) derived from one Jobcenter's published
    rows ``own`` (see the module docstring): size factor s (log-normal), level factor per indicator
    (quotas ±15 %, change rates ±3 % of the ratio), monthly noise ±2 %; the same factors for every sex, so
    Frauen + Männer stay close to Insgesamt."""
    rng = np.random.default_rng([seed, 14, 2])
    out: list[OfficialRow] = []
    own = [r for r in own if Month.parse(r.month) >= PEER_FIRST]
    months = sorted({r.month for r in own})
    for jc, name in peers:
        size = float(rng.lognormal(0.0, 0.45))
        level = {c: float(np.clip(rng.normal(1.0, 0.03 if INDICATORS[c].value == CHANGE else 0.15), 0.5, 1.6))
                 for c in OFFICIAL_CODES}
        noise = {(m, c): float(rng.normal(1.0, 0.02)) for m in months for c in OFFICIAL_CODES}
        for r in own:
            num = None if r.numerator is None else r.numerator * size * level[r.indicator] * noise[(r.month, r.indicator)]
            den = None if r.denominator is None else r.denominator * size
            if num is not None and den is not None and INDICATORS[r.indicator].value != CHANGE and den > 0:
                num = min(num, den)  # a quota stays at most 100 %
            if den is not None and published(den) == 0:
                continue
            out.append(_row(jc, name, vergleichstyp, r.month, r.indicator, r.sex, num, den))
    return out


def _german(x: float | None, decimals: int) -> str:
    if x is None:
        return "*"  # anonymised (the only missing cells the synthetic table writes)
    return f"{x:.{decimals}f}".replace(".", ",")


def write_table(rows: list[OfficialRow], path: Path) -> None:
    """The published CSV: German dialect, BA headers, counts whole, values with one decimal."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(HEADERS)
        for r in rows:
            # only the text cells are neutralised: a negative number stays a number
            w.writerow([*neutralise_row([r.jobcenter_id, r.jobcenter_name, r.vergleichstyp or ""]), r.month,
                        r.indicator, SEX_LABELS[r.sex], _german(r.numerator, 0), _german(r.denominator, 0),
                        _german(r.value, 1)])
    tmp.replace(path)


def _names(ds: Any) -> dict[str, tuple[str, str | None]]:
    jc = ds["jobcenters"]
    vt = jc["vergleichstyp"].to_pylist() if "vergleichstyp" in jc.column_names else [None] * jc.num_rows
    return {k: (n, v) for k, n, v in zip(jc["jobcenter_id"].to_pylist(), jc["name"].to_pylist(), vt, strict=True)}


def official_for_dataset(ds: Any, seed: int) -> list[OfficialRow]:
    """Every Jobcenter's published rows for the dataset ``ds`` (one engine run at Jobcenter level)."""
    from zielwerk.indicators import compute_kennzahlen

    last = last_published(ds.as_of)
    first = first_published(ds)
    tbl = compute_kennzahlen(ds, min(first.values()), last, level="jobcenter", indicators=list(OFFICIAL_CODES))
    return official_rows(tbl, _names(ds), last, first, seed)


def write_germany(out: Path, seed: int) -> int:
    """``amtliche-kennzahlen.csv`` for every Jobcenter of the written germany dataset in ``out``."""
    from zielwerk.data.reader import load_dataset

    rows = official_for_dataset(load_dataset(out), seed)
    write_table(rows, Path(out) / FILE_NAME)
    return len(rows)


def siegen_peers(vergleichstyp: str, own_id: str, seed: int, n: int = PEERS) -> list[tuple[str, str]]:
    """(key, name) of at most ``n`` Jobcenters of the germany scenario's list of the Vergleichstyp (others
    filling up to 20 if the type has fewer), without ``own_id``."""
    from .germany import jobcenters

    jcs = [j for j in jobcenters(1.0, seed) if j.jid != own_id]
    same = [j for j in jcs if j.vtyp == vergleichstyp]
    rest = [j for j in jcs if j.vtyp != vergleichstyp]
    return [(j.jid, j.name) for j in (same + rest[:max(0, 20 - len(same))])[:n]]


def write_siegen(out: Path, ds: Any, seed: int) -> int:
    """``amtliche-kennzahlen.csv`` for the demo: Siegen-Wittgenstein's own official series and
    :data:`PEERS` Jobcenters of its Vergleichstyp (:func:`peer_rows`)."""
    own = official_for_dataset(ds, seed)
    names = _names(ds)
    rows = list(own)
    for jc, (_, vt) in sorted(names.items()):
        mine = [r for r in own if r.jobcenter_id == jc]
        rows += peer_rows(mine, siegen_peers(vt or "", jc, seed), vt, seed)
    rows.sort(key=lambda r: (r.month, r.jobcenter_id, OFFICIAL_CODES.index(r.indicator), r.sex))
    write_table(rows, Path(out) / FILE_NAME)
    return len(rows)
