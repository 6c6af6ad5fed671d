"""Shared building blocks of the work lists: DuckDB over the dataset's Arrow tables.

Everything here is pure: inputs are a :class:`~zielwerk.data.dataset.Dataset` (and optional case
records), outputs are Arrow tables. Who is in the eLb stock and who is LZB at a Stichtag is never
decided here but taken from the engine (:func:`zielwerk.indicators.lzb_status`, convention C2/C3).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

import duckdb
import pyarrow as pa

from zielwerk.data.dataset import Dataset
from zielwerk.domain import law
from zielwerk.domain.calendar import Month
from zielwerk.domain.calendar import stichtag as stichtag_of

#: Columns of the engine's per-person status table (data-contract.md, ``zielwerk lzb``).
STATUS_COLUMNS = ("person_id", "jobcenter_id", "municipality_id", "elb_days_730", "is_lzb", "lzb_from")


def lzb_status(ds: Dataset, stichtag: date) -> pa.Table:
    """The engine's per-person table of the eLb stock at ``stichtag`` (incl. ``is_lzb``, ``lzb_from``).

    Single access point to the engine, so that the 638/730 rule (C3) lives only in
    ``zielwerk.indicators``.
    """
    key = (id(ds), stichtag, ds.stichtag_day)
    pinned = _PINNED.get(key)
    if pinned is not None and pinned[0]() is ds:
        return pinned[1]
    hit = _STATUS_CACHE.get(key)
    if hit is not None and hit[0]() is ds:
        return hit[1]
    if key in _PINNED:
        # every pinned day of this dataset not held yet is computed in the same engine pass
        from zielwerk.indicators.engine import lzb_status_shared

        todo = {k[1]: k for k, v in list(_PINNED.items())
                if k[0] == key[0] and k[2] == key[2] and (v is None or v[0]() is not ds)}
        for d, tbl in lzb_status_shared(ds, list(todo)).items():
            _PINNED[todo[d]] = (weakref.ref(ds), tbl)
        result = _PINNED[key][1]
    else:
        from zielwerk.indicators.engine import lzb_status_shared

        result = lzb_status_shared(ds, [stichtag])[stichtag]
    if len(_STATUS_CACHE) >= _STATUS_CACHE_SIZE:
        _STATUS_CACHE.pop(next(iter(_STATUS_CACHE)))
    _STATUS_CACHE[key] = (weakref.ref(ds), result)
    return result


#: small cache of engine status tables: building several lists for one Stichtag asks the engine once.
#: Keyed by the dataset object (a weak reference guards against a reused id) and the day.
_STATUS_CACHE: dict[tuple[int, date, int], tuple[weakref.ref, pa.Table]] = {}
_STATUS_CACHE_SIZE = 8
#: status tables kept for a whole batch (:func:`pinned_status`), never evicted while pinned
_PINNED: dict[tuple[int, date, int], tuple[weakref.ref, pa.Table] | None] = {}


@contextmanager
def pinned_status(ds: Dataset, days: Iterable[date]) -> Iterator[None]:
    """Keep the status tables of ``ds`` at ``days`` for the block: a batch that needs them in several
    places (lists, case files, caseload: ``zielwerk.pipeline``) asks the engine once per Stichtag, however
    many other days are asked for in between (those stay in the small cache)."""
    keys = [(id(ds), d, ds.stichtag_day) for d in days]
    for k in keys:
        _PINNED.setdefault(k, None)
    try:
        yield
    finally:
        for k in keys:
            _PINNED.pop(k, None)


@contextmanager
def status_batch(ds: Dataset, days: Iterable[date]) -> Iterator[None]:
    """Like :func:`pinned_status`, but the status tables at ``days`` that are not held yet are computed
    at once, in one engine pass (:func:`zielwerk.indicators.engine.lzb_status_many`), instead of one
    engine run per Stichtag. Days pinned already by an enclosing block stay pinned after this one."""
    keys = {d: (id(ds), d, ds.stichtag_day) for d in set(days)}
    own = [k for k in keys.values() if k not in _PINNED]
    for k in own:
        _PINNED[k] = None
    try:
        missing = []
        for d, k in keys.items():
            held = _PINNED.get(k) or _STATUS_CACHE.get(k)
            if held is not None and held[0]() is ds:
                _PINNED[k] = held
            else:
                missing.append(d)
        if missing:
            from zielwerk.indicators.engine import lzb_status_shared

            for d, tbl in lzb_status_shared(ds, missing).items():
                _PINNED[keys[d]] = (weakref.ref(ds), tbl)
        yield
    finally:
        for k in own:
            _PINNED.pop(k, None)


def sql_date(d: date) -> str:
    """A DuckDB date literal (``DATE '2015-06-15'``); dates are not user text, so no injection."""
    return f"DATE '{d.isoformat()}'"


_DB: tuple[int, duckdb.DuckDBPyConnection] | None = None
_DB_LOCK = threading.Lock()


def _database() -> duckdb.DuckDBPyConnection:
    """The process's in-memory database for :func:`connect` (a new one after ``fork``)."""
    global _DB
    with _DB_LOCK:
        if _DB is None or _DB[0] != os.getpid():
            _DB = (os.getpid(), duckdb.connect())
        return _DB[1]


def connect(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """A fresh connection to an in-memory DuckDB with the given Arrow tables registered as views.

    The connections are cursors of one in-memory database per process: opening a database costs about
    20 ms, a cursor microseconds; each cursor has its own registered views and temporary tables."""
    con = _database().cursor()
    for name, tbl in tables.items():
        con.register(name, tbl)
    return con


def query(tables: dict[str, pa.Table], sql: str) -> pa.Table:
    """Run ``sql`` over ``tables`` and return an Arrow table."""
    con = connect(tables)
    try:
        return con.sql(sql).to_arrow_table()
    finally:
        con.close()


def covers(alias: str, day: date, start: str = "start", end: str = "end") -> str:
    """SQL condition: the row's inclusive interval [start, end] (end empty = open) contains ``day``."""
    d = sql_date(day)
    return f'({alias}."{start}" <= {d} AND ({alias}."{end}" IS NULL OR {alias}."{end}" >= {d}))'


def age_years_sql(birth: str, on: date) -> str:
    """SQL for the completed years of age on ``on`` — vectorised :func:`zielwerk.domain.law.age_in_years`."""
    return (
        f"({on.year} - year({birth}) - CASE WHEN month({birth}) > {on.month} OR "
        f"(month({birth}) = {on.month} AND day({birth}) > {on.day}) THEN 1 ELSE 0 END)"
    )


def age_months_sql(birth: str, on: date) -> str:
    """SQL for completed months of age on ``on`` — vectorised :func:`zielwerk.domain.law.age_in_months`.

    As there: a month is complete on the last day of a shorter month (born 31.03., one month old on
    30.04.).
    """
    is_month_end = Month.of(on).last_day() == on
    borrow = "0" if is_month_end else f"CASE WHEN day({birth}) > {on.day} THEN 1 ELSE 0 END"
    return f"(({on.year} - year({birth})) * 12 + ({on.month} - month({birth})) - {borrow})"


def add_months(d: date, months: int) -> date:
    """The same day ``months`` months later, clamped to the month's end (§ 188 (2), (3) BGB)."""
    m = Month.of(d) + months
    return date(m.year, m.month, min(d.day, m.last_day().day))


def stichtag_after(ds: Dataset, day: date, months: int) -> date:
    """The Stichtag ``months`` reporting months after the month of ``day`` (C1)."""
    return stichtag_of(Month.of(day) + months, ds.stichtag_day)


#: Flags shown per person (issue 15): code → German reason. Which flags exclude a person by default is
#: the list's choice (``WorkList.excludes``, docs/fallsteuerung.md); ``ListOptions.include`` keeps them.
FLAG_CODES = ("school_age", "pupil", "pension_age", "child_under_3", "exempt", "employed_svb", "apprentice")


def flag_labels(day: date) -> dict[str, str]:
    """German reasons of the flags, in the wording in force on ``day`` (law.CASEWORK_RULES)."""
    pension = law.casework_rule("early_pension_age", day)
    child = law.casework_rule("child_upbringing_age", day)
    return {
        "school_age": law.casework_rule("school_age_proxy", day).text,
        "pension_age": f"{pension.value} Jahre oder älter ({pension.citation})",
        "child_under_3": f"Kind unter {child.value} Jahren in der BG ({child.citation})",
        "employed_svb": "sozialversicherungspflichtig beschäftigt",
        "apprentice": "in Berufsausbildung",
        "pupil": "besucht eine Schule (§ 10 Abs. 1 Nr. 5 SGB II)",
        "exempt": "von der Arbeitspflicht befreit (§ 10 SGB II)",
    }


#: extension tables (issue 15 item 1) the per-person status reads when the dataset has them
STATUS_EXTENSION_TABLES = ("unemployment_spells", "school_attendance", "exemptions", "profile_stages",
                           "action_plan_periods")
#: shown for a status column whose table the dataset does not have
NOT_RECORDED = "nicht erfasst"


def profile_rank_sql(column: str) -> str:
    """SQL: the 4PM stage's rank, 0 (Marktprofil, closest to the labour market) … 5 (Unterstützungsprofil);
    NULL without a profile."""
    from zielwerk.domain.codes import PROFILE_STAGES

    cases = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(PROFILE_STAGES))
    return f"(CASE {column} {cases} END)"


def present_extensions(ds: Dataset) -> frozenset[str]:
    """The extension tables ``ds`` has (a table present with no rows counts: recorded, none apply)."""
    return frozenset(t for t in STATUS_EXTENSION_TABLES if ds.has(t))


#: Employment status at the Stichtag (from ``employment``; the contract has no working hours, so svB
#: full-time and part-time are not told apart). Precedence when several episodes cover the day.
EMPLOYMENT_STATUS_ORDER = ("svb", "training", "self_employed", "public_funded", "marginal", "none")
EMPLOYMENT_STATUS_LABELS = {"svb": "svB", "training": "Ausbildung", "self_employed": "selbständig",
                            "public_funded": "öffentlich gefördert", "marginal": "geringfügig", "none": "keine"}
#: Age groups (completed years at the Stichtag): lower bounds and labels.
AGE_GROUPS = ((63, "63+"), (50, "50–62"), (25, "25–49"), (18, "18–24"), (15, "15–17"), (0, "unter 15"))


def _age_group_sql(age: str) -> str:
    cases = " ".join(f"WHEN {age} >= {lo} THEN '{label}'" for lo, label in AGE_GROUPS)
    return f"CASE {cases} END"


def person_status_sql(day: date, present: frozenset[str] = frozenset()) -> str:
    """SQL (over ``ids``, ``persons``, ``employment``, ``elb_spells`` and the extension tables) of the
    per-person status at ``day``: ``age_group``, ``employment_status``, ``flags`` (codes of
    :data:`FLAG_CODES`, space-separated, empty string when none), and from the extension tables named in
    ``present`` (NULL = "nicht erfasst" when the dataset lacks the table): ``registered_unemployed``
    (an ``unemployment_spells`` row covers ``day``), ``exemption`` (reasons of the ``exemptions``
    covering ``day``, space-separated, empty when none), ``profile_stage`` (the stage of the latest
    assessment on or before ``day``), ``action_plan_since`` (start of the latest action plan period
    covering ``day``).

    * ``school_age``: 15–17 years (probable pupil) — only when the dataset has no ``school_attendance``;
    * ``pupil``: a ``school_attendance`` row covers ``day`` (replaces the proxy when the table is there);
    * ``exempt``: an ``exemptions`` row covers ``day`` (the reason is in ``exemption``);
    * ``pension_age``: at least the early-pension age of § 12a SGB II (``law.early_pension_age``);
    * ``child_under_3``: head or partner of a BG (spell covering ``day``) in which a child (role
      ``child``, spell covering ``day``) younger than 3 lives — own or the partner's child
      (§ 10 Abs. 1 Nr. 3 SGB II; children of the ``children`` table without a spell in the BG live
      elsewhere and do not count);
    * ``employed_svb`` / ``apprentice``: employment status ``svb`` / ``training``.
    """
    m = Month.of(day)
    # before the first version (2011) the first one's classes apply, as for the engine's lookback
    reg = law.regulation_for(m) if m >= law.REGULATIONS[0].first_month else law.REGULATIONS[0]
    public = ", ".join(f"'{x}'" for x in sorted(reg.publicly_funded_subsidies))
    order = " ".join(f"WHEN '{k}' THEN {i}" for i, k in enumerate(EMPLOYMENT_STATUS_ORDER))
    pension = law.early_pension_age(day)
    child_age = law.casework_rule("child_upbringing_age", day).value
    # probable pupils: from the eLb minimum age up to the end of compulsory schooling (18 in NRW)
    lo_school, hi_school = law.ELB_MIN_AGE, law.casework_rule("school_age_proxy", day).value - 1
    age = age_years_sql("p.birth_date", day)
    ext_ctes, ext_cols, ext_joins = [], [], []
    in_ids = "person_id IN (SELECT person_id FROM ids)"
    if "school_attendance" in present:
        ext_ctes.append(f"pup AS (SELECT DISTINCT person_id FROM school_attendance x WHERE {covers('x', day)} AND {in_ids}),")
        ext_joins.append("LEFT JOIN pup USING (person_id)")
        ext_cols.append("pup.person_id IS NOT NULL AS pupil_")
        school_flag = "CASE WHEN pupil_ THEN 'pupil' END"
    else:
        ext_cols.append("false AS pupil_")
        school_flag = f"CASE WHEN age_ BETWEEN {lo_school} AND {hi_school} THEN 'school_age' END"
    if "exemptions" in present:
        ext_ctes.append(f"exm AS (SELECT person_id, string_agg(DISTINCT reason, ' ' ORDER BY reason) AS exemption "
                        f"FROM exemptions x WHERE {covers('x', day)} AND {in_ids} GROUP BY person_id),")
        ext_joins.append("LEFT JOIN exm USING (person_id)")
        ext_cols.append("coalesce(exm.exemption, '') AS exemption")
    else:
        ext_cols.append("CAST(NULL AS VARCHAR) AS exemption")
    if "unemployment_spells" in present:
        ext_ctes.append(f"une AS (SELECT DISTINCT person_id FROM unemployment_spells x WHERE {covers('x', day)} "
                        f"AND {in_ids}),")
        ext_joins.append("LEFT JOIN une USING (person_id)")
        ext_cols.append("une.person_id IS NOT NULL AS registered_unemployed")
    else:
        ext_cols.append("CAST(NULL AS BOOLEAN) AS registered_unemployed")
    if "profile_stages" in present:
        ext_ctes.append(f"prof AS (SELECT person_id, arg_max(stage, assessed_on) AS profile_stage FROM profile_stages "
                        f"WHERE assessed_on <= {sql_date(day)} AND {in_ids} GROUP BY person_id),")
        ext_joins.append("LEFT JOIN prof USING (person_id)")
        ext_cols.append("prof.profile_stage")
    else:
        ext_cols.append("CAST(NULL AS VARCHAR) AS profile_stage")
    if "action_plan_periods" in present:
        ext_ctes.append(f"plan AS (SELECT person_id, max(start) AS action_plan_since FROM action_plan_periods x "
                        f"WHERE {covers('x', day)} AND {in_ids} GROUP BY person_id),")
        ext_joins.append("LEFT JOIN plan USING (person_id)")
        ext_cols.append("plan.action_plan_since")
    else:
        ext_cols.append("CAST(NULL AS DATE) AS action_plan_since")
    ext_ctes, ext_cols, ext_joins = "\n    ".join(ext_ctes), ", ".join(ext_cols), " ".join(ext_joins)
    return f"""
    WITH emp AS (
        SELECT person_id, arg_min(st, CASE st {order} END) AS employment_status FROM (
            SELECT e.person_id,
                   CASE WHEN e.kind = 'public_funded' OR (e.kind <> 'marginal' AND e.subsidy IN ({public}))
                        THEN 'public_funded' ELSE e.kind END AS st
            FROM employment e WHERE {covers('e', day)} AND e.person_id IN (SELECT person_id FROM ids))
        GROUP BY person_id),
    sp AS (SELECT s.person_id, s.bg_id, s.role FROM elb_spells s WHERE {covers('s', day)}),
    small AS (
        SELECT DISTINCT sp.bg_id FROM sp JOIN persons c ON c.person_id = sp.person_id
        WHERE sp.role = 'child' AND c.birth_date <= {sql_date(day)}
          AND {age_years_sql('c.birth_date', day)} < {child_age}),
    u3 AS (
        SELECT DISTINCT sp.person_id FROM sp JOIN small USING (bg_id)
        WHERE sp.role IN ('head', 'partner') AND sp.person_id IN (SELECT person_id FROM ids)),
    {ext_ctes}
    base AS (
        SELECT p.person_id, {age} AS age_, coalesce(emp.employment_status, 'none') AS employment_status,
               u3.person_id IS NOT NULL AS has_u3, {ext_cols}
        FROM persons p SEMI JOIN ids USING (person_id)
        LEFT JOIN emp USING (person_id) LEFT JOIN u3 USING (person_id) {ext_joins})
    SELECT person_id, {_age_group_sql('age_')} AS age_group, employment_status,
           concat_ws(' ',
               {school_flag},
               CASE WHEN age_ >= {pension} THEN 'pension_age' END,
               CASE WHEN has_u3 THEN 'child_under_3' END,
               CASE WHEN exemption <> '' THEN 'exempt' END,
               CASE WHEN employment_status = 'svb' THEN 'employed_svb' END,
               CASE WHEN employment_status = 'training' THEN 'apprentice' END) AS flags,
           registered_unemployed, exemption, profile_stage, action_plan_since
    FROM base
    """


def person_status(ds: Dataset, day: date, person_ids: pa.Table) -> pa.Table:
    """:func:`person_status_sql` for ``person_ids`` (a table with ``person_id``)."""
    present = present_extensions(ds)
    tables = {"ids": person_ids.select(["person_id"]), "persons": ds["persons"],
              "employment": ds["employment"], "elb_spells": ds["elb_spells"]}
    tables.update({t: ds[t] for t in present})
    return query(tables, person_status_sql(day, present))


#: per thread: the person details of whole datasets kept within a :func:`details_batch` (else ``None``)
_DETAILS = threading.local()


@contextmanager
def details_batch() -> Iterator[None]:
    """Within the block, :func:`person_details` computes the details of all persons once per dataset, day
    and contacts table and answers every request by selecting from that table (a batch building many
    lists at one Stichtag: ``batch.write_lists``). The details are per person, so a selection equals
    the details computed for the selected persons alone."""
    outer = getattr(_DETAILS, "cache", None)
    if outer is None:
        _DETAILS.cache = {}
    try:
        yield
    finally:
        if outer is None:
            _DETAILS.cache = None


def person_details(
    ds: Dataset, day: date, records_contacts: pa.Table | None = None, person_ids: pa.Table | None = None
) -> pa.Table:
    """Per person: name-free case context at ``day`` for the list exports (see :func:`_person_details`);
    within a :func:`details_batch` selected from the details of all persons."""
    cache = getattr(_DETAILS, "cache", None)
    if cache is None or person_ids is None:
        return _person_details(ds, day, records_contacts, person_ids)
    # the key's objects are held by the entry, so their ids are not reused while it lives; no contacts
    # and an empty contacts table (a list built without case records) give the same details
    empty = records_contacts is None or records_contacts.num_rows == 0
    key = (id(ds), day, ds.stichtag_day, None if empty else id(records_contacts))
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = (ds, records_contacts, _person_details(ds, day, records_contacts, None))
    full = hit[2]
    import pyarrow.compute as pc

    return full.filter(pc.is_in(full.column("person_id"), value_set=person_ids.column("person_id")))


def _person_details(
    ds: Dataset, day: date, records_contacts: pa.Table | None = None, person_ids: pa.Table | None = None
) -> pa.Table:
    """Per person: name-free case context at ``day`` for the list exports.

    Columns: ``person_id``, ``sex``, ``age``, ``age_group``, ``employment_status``, ``flags``,
    ``registered_unemployed``, ``exemption``, ``profile_stage``, ``action_plan_since`` (see
    :func:`person_status_sql`), ``obstacles`` (open Handlungsbedarfe, codes separated by
    spaces), ``measures`` (instruments running at ``day``), ``caseworker_id``, ``caseworker_name``,
    ``team`` (assignment covering ``day``; if several, the one that started last), ``last_contact``
    (latest recorded contact on or before ``day``, from the case records).
    """
    contacts = records_contacts
    if contacts is None:
        contacts = pa.table({"person_id": pa.array([], pa.string()), "contact_date": pa.array([], pa.date32())})
    ids = person_ids if person_ids is not None else ds["persons"].select(["person_id"])
    status = person_status(ds, day, ids)
    tables = {
        "ids": ids.select(["person_id"]),
        "persons": ds["persons"],
        "obstacles": ds["obstacles"],
        "measures": ds["measures"],
        "assignments": ds["assignments"],
        "caseworkers": ds["caseworkers"],
        "contacts": contacts.select(["person_id", "contact_date"]),
        "pstatus": status,
    }
    d = sql_date(day)
    sql = f"""
    WITH obs AS (
        SELECT person_id, string_agg(DISTINCT category, ' ' ORDER BY category) AS obstacles
        FROM obstacles o WHERE {covers('o', day)} AND person_id IN (SELECT person_id FROM ids) GROUP BY person_id),
    mea AS (
        SELECT person_id, string_agg(DISTINCT instrument, ' ' ORDER BY instrument) AS measures
        FROM measures m WHERE {covers('m', day)} AND person_id IN (SELECT person_id FROM ids) GROUP BY person_id),
    asg AS (
        SELECT person_id, caseworker_id FROM (
            SELECT a.person_id, a.caseworker_id,
                   row_number() OVER (PARTITION BY a.person_id ORDER BY a.start DESC, a.caseworker_id DESC) AS rn
            FROM assignments a WHERE {covers('a', day)} AND a.person_id IN (SELECT person_id FROM ids)) WHERE rn = 1),
    con AS (
        SELECT person_id, max(contact_date) AS last_contact FROM contacts
        WHERE contact_date <= {d} GROUP BY person_id)
    SELECT p.person_id, p.sex, {age_years_sql('p.birth_date', day)} AS age,
           pstatus.age_group, pstatus.employment_status, pstatus.flags,
           pstatus.registered_unemployed, pstatus.exemption, pstatus.profile_stage, pstatus.action_plan_since,
           obs.obstacles, mea.measures, asg.caseworker_id, cw.name AS caseworker_name, cw.team,
           con.last_contact
    FROM persons p SEMI JOIN ids USING (person_id)
    LEFT JOIN pstatus USING (person_id)
    LEFT JOIN obs USING (person_id) LEFT JOIN mea USING (person_id)
    LEFT JOIN asg USING (person_id) LEFT JOIN caseworkers cw ON cw.caseworker_id = asg.caseworker_id
    LEFT JOIN con USING (person_id)
    """
    return query(tables, sql)


def dated_text(text: str, day: date) -> str:
    """``text`` in the legal wording in force on ``day`` (law.CASEWORK_RULES): "Kooperationsplan"
    becomes "Eingliederungsvereinbarung" before 01.07.2023, "§ 7a BBiG" becomes "§ 8 Abs. 1 Satz 2
    BBiG" before 2020."""
    term = law.action_plan_term(day)
    plural = {"Kooperationsplan": "Kooperationspläne", "Eingliederungsvereinbarung": "Eingliederungsvereinbarungen"}
    out = text.replace("Kooperationspläne", plural[term]).replace("Kooperationsplan", term)
    return out.replace("§ 7a BBiG", law.casework_rule("part_time_training", day).citation)


def casework_texts(day: date) -> dict[str, str]:
    """The dated casework texts shown with lists and case views for ``day``."""
    plan = law.casework_rule("action_plan", day)
    review = law.casework_rule("action_plan_review", day)
    training = law.casework_rule("part_time_training", day)
    return {"action_plan": plan.text, "action_plan_citation": plan.citation,
            "action_plan_review": f"{review.text} ({review.citation})",
            "part_time_training": f"{training.text} ({training.citation})"}


def apply_exclusions(tbl: pa.Table, excludes: Iterable[str], include: Iterable[str] = ()) -> pa.Table:
    """Drop rows whose ``flags`` contain a code of ``excludes`` not in ``include`` (``"alle"`` in
    ``include`` keeps everybody). The number of persons dropped per reason (a person with two reasons
    counts for both; ``total`` once) is attached as metadata ``zielwerk.excluded`` (JSON). A ``priority``
    column is renumbered 1..n in the remaining order."""
    import json

    inc = set(include)
    active = [] if "alle" in inc else [c for c in excludes if c not in inc]
    meta = dict(tbl.schema.metadata or {})
    counts: dict[str, int] = {c: 0 for c in active}
    if active and "flags" in tbl.column_names and tbl.num_rows:
        flags = [set((f or "").split()) for f in tbl.column("flags").to_pylist()]
        keep = []
        for fl in flags:
            hit = [c for c in active if c in fl]
            for c in hit:
                counts[c] += 1
            keep.append(not hit)
        counts["total"] = keep.count(False)
        tbl = tbl.filter(pa.array(keep, pa.bool_()))
        if "priority" in tbl.column_names:  # a ranked list keeps its ranks 1..n after the exclusions
            i = tbl.column_names.index("priority")
            tbl = tbl.set_column(i, "priority", pa.array(range(1, tbl.num_rows + 1), pa.int64()))
    else:
        counts["total"] = 0
    meta[b"zielwerk.excluded"] = json.dumps(counts).encode()
    return tbl.replace_schema_metadata(meta)


def excluded_of(tbl: pa.Table) -> dict[str, int]:
    """The exclusion counts attached by :func:`apply_exclusions` (empty if none)."""
    import json

    raw = (tbl.schema.metadata or {}).get(b"zielwerk.excluded")
    return json.loads(raw) if raw else {}


def with_details(
    ds: Dataset, base: pa.Table, day: date, contacts: pa.Table | None = None, order_by: str = "person_id"
) -> pa.Table:
    """``base`` (must have ``person_id``) joined with :func:`person_details` at ``day``."""
    details = person_details(ds, day, contacts, base.select(["person_id"]))
    drop = [c for c in details.column_names if c in base.column_names and c != "person_id"]
    details = details.drop(drop) if drop else details
    return query(
        {"base": base, "details": details},
        f"SELECT base.*, details.* EXCLUDE (person_id) FROM base LEFT JOIN details USING (person_id) ORDER BY {order_by}",
    )


def with_goal(tbl: pa.Table, goal: str, list_name: str) -> pa.Table:
    """Attach the agreement goal a list serves as schema metadata (read by exports and the web)."""
    meta = dict(tbl.schema.metadata or {})
    meta[b"zielwerk.list"] = list_name.encode()
    meta[b"zielwerk.goal"] = goal.encode()
    return tbl.replace_schema_metadata(meta)


def goal_of(tbl: pa.Table) -> str | None:
    meta = tbl.schema.metadata or {}
    g = meta.get(b"zielwerk.goal")
    return g.decode() if g else None


def ids_table(person_ids: Iterable[str]) -> pa.Table:
    return pa.table({"person_id": pa.array(sorted(set(person_ids)), pa.string())})
