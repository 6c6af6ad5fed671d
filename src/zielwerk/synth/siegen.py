"""The Siegen-Wittgenstein scenario: run the microsimulation and build the contract tables.

Core tables come from :mod:`.siegen_sim`; casework tables (caseworkers, assignments, placement
obstacles, childcare needs and providers) are derived from the simulated receipt histories in
:mod:`.casework`. The dataset covers January 2012 to December 2017 (as of 31.12.2017, Stichtag the
15th); spells and employment that ended before 2010 are left out, older starts of rows that reach into
2010 are kept so that the long-term-receipt history is complete.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from zielwerk.data.dataset import Dataset, arrow_schema
from zielwerk.data.schema import TABLES_BY_NAME

from . import casework, extension, names
from . import siegen_params as P
from .siegen_sim import SimOutput, Simulation

AS_OF = date(*P.AS_OF)
KEEP_FROM = date(*P.KEEP_FROM)


def pid(idx: int) -> str:
    return f"P{idx + 1:07d}"


def bgid(idx: int) -> str:
    return f"BG{idx + 1:07d}"


def _table(name: str, columns: dict[str, list]) -> pa.Table:
    schema = arrow_schema(TABLES_BY_NAME[name])
    n = len(next(iter(columns.values())))
    return pa.Table.from_arrays([pa.array(columns[f.name], type=f.type) if f.name in columns
                                 else pa.nulls(n, f.type) for f in schema], schema=schema)


def _open_end(d: date | None) -> date | None:
    return None if d is None or d > AS_OF else d


def build_dataset(seed: int = 1) -> Dataset:
    """Simulate and return the complete Siegen-Wittgenstein dataset (core and casework tables)."""
    sim = Simulation(seed)
    out = sim.run()
    tables = core_tables(out)
    tables.update(casework.casework_tables(out, tables, seed, pid))
    add_extension(tables, seed)
    add_names(tables, seed)
    return Dataset.from_tables(tables, as_of=AS_OF, stichtag_day=15)


def add_extension(tables: dict[str, pa.Table], seed: int) -> None:
    """The extension tables (issue 15, :mod:`.extension`) with their own random generator, and the § 16a
    services merged into ``measures`` (sorted as before: person, start, instrument), so every other
    table and every earlier ``measures`` row stays as it was."""
    import numpy as np
    import pyarrow.compute as pc

    ext = extension.extension_tables(tables, np.random.default_rng([seed, 5]), AS_OF, KEEP_FROM)
    measures = pa.concat_tables([tables["measures"], ext.pop("measures_16a")])
    order = pc.sort_indices(measures, sort_keys=[("person_id", "ascending"), ("start", "ascending"),
                                                 ("instrument", "ascending")])
    tables["measures"] = measures.take(order)
    tables.update(ext)


def add_names(tables: dict[str, pa.Table], seed: int) -> None:
    """Synthetic first and last names (:mod:`.names`) with their own random generator, so every other
    column and table stays as it was."""
    import numpy as np

    persons = tables["persons"]
    first, last = names.person_names(persons["sex"], np.random.default_rng([seed, 7]))
    persons = persons.set_column(persons.schema.get_field_index("first_name"), "first_name", first)
    tables["persons"] = persons.set_column(persons.schema.get_field_index("last_name"), "last_name", last)


def core_tables(out: SimOutput) -> dict[str, pa.Table]:
    spells = sorted(
        (s for s in out.spells if s[6] is None or s[6] >= KEEP_FROM),
        key=lambda s: (s[0], s[5], s[1]),
    )
    kept = sorted({s[0] for s in spells})
    kept_set = set(kept)
    persons = [out.persons[i] for i in kept]

    tables: dict[str, pa.Table] = {}
    tables["jobcenters"] = _table(
        "jobcenters",
        {"jobcenter_id": [P.JOBCENTER_ID], "name": [P.JOBCENTER_NAME], "form": [P.JOBCENTER_FORM],
         "vergleichstyp": [P.VERGLEICHSTYP]},
    )
    munis = sorted(P.MUNICIPALITIES)  # by AGS
    tables["municipalities"] = _table(
        "municipalities",
        {"municipality_id": [m[0] for m in munis], "name": [m[1] for m in munis],
         "jobcenter_id": [P.JOBCENTER_ID] * len(munis)},
    )
    tables["persons"] = _table(
        "persons",
        {
            "person_id": [pid(p.idx) for p in persons],
            "birth_date": [p.birth for p in persons],
            "sex": [p.sex for p in persons],
            "citizenship": [p.cit for p in persons],
            "school_degree": [p.school if _age(p.birth, AS_OF) >= 16 else None for p in persons],
            "vocational_degree": [p.voc if _age(p.birth, AS_OF) >= 18 else None for p in persons],
        },
    )
    tables["elb_spells"] = _table(
        "elb_spells",
        {
            "person_id": [pid(s[0]) for s in spells],
            "bg_id": [bgid(s[1]) for s in spells],
            "municipality_id": [s[2] for s in spells],
            "status": [s[3] for s in spells],
            "role": [s[4] for s in spells],
            "start": [s[5] for s in spells],
            "end": [s[6] for s in spells],
        },
    )
    hh = sorted((h for h in out.households if h[3] is None or h[3] >= KEEP_FROM), key=lambda h: (h[0], h[2]))
    tables["households"] = _table(
        "households",
        {"bg_id": [bgid(h[0]) for h in hh], "bg_type": [h[1] for h in hh], "start": [h[2] for h in hh],
         "end": [h[3] for h in hh]},
    )
    pay = sorted(out.payments, key=lambda r: (r[0], r[1], r[2]))
    tables["payments"] = _table(
        "payments",
        {
            "bg_id": [bgid(r[0]) for r in pay],
            "month": [f"{r[1]:04d}-{r[2]:02d}" for r in pay],
            "municipality_id": [r[3] for r in pay],
            "llu": [r[4] for r in pay],
            "luh": [r[5] for r in pay],
        },
    )
    emp = sorted(
        (e for e in out.employment if e[0] in kept_set and e[4] >= KEEP_FROM and e[3] <= AS_OF),
        key=lambda e: (e[0], e[3], e[1]),
    )
    tables["employment"] = _table(
        "employment",
        {"person_id": [pid(e[0]) for e in emp], "kind": [e[1] for e in emp], "subsidy": [e[2] for e in emp],
         "start": [e[3] for e in emp], "end": [_open_end(e[4]) for e in emp]},
    )
    mea = sorted(
        (e for e in out.measures if e[0] in kept_set and e[3] >= KEEP_FROM and e[2] <= AS_OF),
        key=lambda e: (e[0], e[2], e[1]),
    )
    tables["measures"] = _table(
        "measures",
        {"person_id": [pid(e[0]) for e in mea], "instrument": [e[1] for e in mea],
         "start": [e[2] for e in mea], "end": [_open_end(e[3]) for e in mea]},
    )
    kids = sorted({(p.idx, k) for p in persons for k in p.kids if k <= AS_OF})
    tables["children"] = _table(
        "children", {"person_id": [pid(k[0]) for k in kids], "child_birth_date": [k[1] for k in kids]}
    )
    return tables


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def write(out_dir: Path, seed: int = 1) -> Dataset:
    ds = build_dataset(seed)
    ds.write(out_dir, "csv")
    return ds
