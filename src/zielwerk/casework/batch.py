"""Precompute all work lists (a part of each import generation, ``zielwerk.pipeline``).

``write_lists(ds, out_dir)`` builds every list of the catalogue at the latest Stichtag on or before the
dataset's as-of date and writes ``NAME.parquet`` plus ``meta.json`` (Stichtag, rows, goal per list)
atomically: into a temporary folder, then swapped in. Lists that need case records are built without
them here; the web pages apply the live records from the store (see ``zielwerk.web.pages.fall_lists``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zielwerk.atomic import atomic_directory
from zielwerk.data.dataset import Dataset
from zielwerk.domain.calendar import Month
from zielwerk.domain.calendar import stichtag as stichtag_of

from .catalog import LISTS, ListOptions, build_list
from .common import details_batch, goal_of, status_batch
from .outcomes import outcome_summary, track_outcomes


def default_stichtag(ds: Dataset) -> date:
    """The latest monthly Stichtag on or before the dataset's as-of date (C1)."""
    s = stichtag_of(Month.of(ds.as_of), ds.stichtag_day)
    return s if s <= ds.as_of else stichtag_of(Month.of(ds.as_of) - 1, ds.stichtag_day)


def write_lists(ds: Dataset, out_dir: str | Path, stichtag: date | None = None, records=None,
                options: ListOptions | None = None, outcome_months: int = 6, extra_meta: dict | None = None) -> dict:
    """Build and write every list; returns the meta data written to ``meta.json``.

    The loop: for every person list, the list as it was drawn ``outcome_months`` months before the
    Stichtag and what became of its people by the Stichtag (:func:`outcome_summary`) is stored in the
    meta data (``outcomes``), so the pages can show whether the lists work. ``extra_meta`` (e.g. the
    import pipeline's generation id) is added to ``meta.json``.
    """
    s = stichtag or default_stichtag(ds)
    meta = {**(extra_meta or {}), "stichtag": s.isoformat(), "as_of": ds.as_of.isoformat(), "lists": {}}
    # the status tables the lists ask for (the list Stichtag, the forecast's calibration year before it,
    # the outcome lists' earlier Stichtag and the months after it): computed in one engine pass
    o = options or ListOptions()
    back = max(12, outcome_months)
    days = [stichtag_of(Month.of(s) + k, ds.stichtag_day) for k in range(-back, max(0, o.projection_months - 12) + 1)]
    with status_batch(ds, days), details_batch(), atomic_directory(out_dir) as tmp:
        for name in LISTS:
            tbl = build_list(name, ds, s, records, options)
            pq.write_table(tbl, tmp / f"{name}.parquet")
            meta["lists"][name] = {"rows": tbl.num_rows, "goal": goal_of(tbl)}
        meta["outcomes"] = _outcomes(ds, s, outcome_months, options) if outcome_months else {}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    return meta


def _outcomes(ds: Dataset, s: date, months: int, options: ListOptions | None) -> dict:
    earlier = stichtag_of(Month.of(s) - months, ds.stichtag_day)
    drawn: dict[str, list[str]] = {}
    for name, wl in LISTS.items():
        if not wl.per_person or wl.needs_records:
            continue  # lists of case records need the records as they were then
        try:
            drawn[name] = sorted(set(build_list(name, ds, earlier, None, options).column("person_id").to_pylist()))
        except ValueError:
            continue  # e.g. the earlier Stichtag lies before the first regulation month (2011-01)
    if not drawn:
        return {}
    # the outcome flags are per person: tracked once for everybody drawn, then counted per list
    try:
        tracked = track_outcomes(ds, sorted(set().union(*drawn.values())), earlier, months)
    except ValueError:
        return {}  # the outcome Stichtag lies after the as-of date
    pids = tracked.column("person_id")
    out: dict = {}
    for name, ids in drawn.items():
        mine = tracked.filter(pc.is_in(pids, value_set=pa.array(ids, pa.string())))
        out[name] = {"drawn": earlier.isoformat(), "after_months": months, "persons": len(ids),
                     "outcomes": outcome_summary(mine).to_pylist()}
    return out


def read_meta(out_dir: str | Path) -> dict | None:
    p = Path(out_dir) / "meta.json"
    return json.loads(p.read_text("utf-8")) if p.exists() else None


def read_list(out_dir: str | Path, name: str) -> pa.Table | None:
    if name not in LISTS:
        raise KeyError(name)
    p = Path(out_dir) / f"{name}.parquet"
    return pq.read_table(p) if p.exists() else None
