"""The import pipeline: a source folder in, one new live generation out (or nothing changed).

Steps (:data:`STEPS`; ``progress`` is called at the start of each):

1. ``sperre`` – take the import lock (a second import is refused at once), clean up leftovers;
2. ``kopieren`` – refuse symbolic links and special files among the table files (``sources.py``), check
   row/byte limits, copy the source's table files (opened with ``O_NOFOLLOW``) into the content-addressed
   ``datasets/<fingerprint>/`` (the source is only read);
3. ``pruefen`` – read and validate the copy (``zielwerk.data.reader``); problems → :class:`DatasetRejected`;
4. ``kennzahlen`` – the engine ONCE over all months any consumer needs (pages: 36 months; monitoring:
   January five years back), all levels, the official codes plus the catalogue's local codes;
5. ``monitoring`` – the actual series of every Jobcenter with a stored agreement from that one table
   (plus one ``jahresfortschritt_years`` run for all years and Jobcenters), ``targets.collect_from_tables``;
6. ``lzb`` – the engine's LZB status once per needed Stichtag (list Stichtag, case-view day), shared by
   lists, case files and caseload through ``casework.common.lzb_status``'s cache;
7. ``listen``, ``falldaten``, ``fallbelastung`` – work lists, case files, caseload;
8. ``schreiben``, ``manifest`` – results, fsync, hashes, ``manifest.json``;
9. ``umschalten`` – rename the staging folder into ``generations/`` and switch the pointer.

``ZIELWERK_PIPELINE_PAUSE_AT=<step>`` makes the pipeline write ``<data>/.zielwerk/paused-at`` and wait
at that step (fault-injection tests kill it there).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zielwerk.domain.calendar import Month, months, stichtag

from . import generations as gen
from .limits import Limits, check_limits
from .lock import ImportLock
from .parts import HISTORY_MONTHS, caseload_table, provisional_months, unit_names, write_results
from .sources import SourceRefused, check_source, checked_names, open_folder, open_source_file

STEPS: tuple[tuple[str, str], ...] = (
    ("sperre", "Import wird gestartet"),
    ("kopieren", "Quelldateien werden übernommen"),
    ("pruefen", "Datensatz wird gelesen und geprüft"),
    ("kennzahlen", "Kennzahlen werden berechnet"),
    ("monitoring", "Ist-Werte für die Zielvereinbarungen werden berechnet"),
    ("lzb", "LZB-Status je Stichtag wird berechnet"),
    ("listen", "Arbeitslisten der Fallsteuerung werden erstellt"),
    ("falldaten", "Falldaten werden geschrieben"),
    ("fallbelastung", "Fallbelastung wird ermittelt"),
    ("schreiben", "Ergebnisse werden geschrieben"),
    ("manifest", "Prüfsummen und Manifest werden geschrieben"),
    ("umschalten", "Neue Generation wird freigeschaltet"),
)
STEP_KEYS = tuple(k for k, _ in STEPS)
PAUSE_ENV = "ZIELWERK_PIPELINE_PAUSE_AT"
PAUSE_MARKER = "paused-at"
#: years of actual series before the data's last year: the monitoring window (``targets.monitoring.HISTORY_YEARS``,
#: ``targets.collect``'s default, 4) plus one, so that an agreement of the year before the data's last year
#: (data running into the next year) gets the same history as the CLI and the report (one forecast, issue 13)
MONITOR_HISTORY_YEARS = 5

Progress = Callable[[str, str, int, int], None]


class DatasetRejected(Exception):
    """The source broke the data contract or a limit; ``problems`` as ``table:line:column: message``."""

    def __init__(self, problems: list[str], total: int | None = None, message: str | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        word = "Problem" if self.total == 1 else "Probleme"
        self.message = message or (f"Der Datensatz wurde abgelehnt ({self.total} {word}). "
                                   "Nichts wurde übernommen.")
        super().__init__(self.message)


@dataclass
class ImportResult:
    generation: str
    fingerprint: str
    manifest: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)


# --- the source copy ------------------------------------------------------------------------------


def table_files(source: Path) -> list[Path]:
    """The files of ``source`` the data contract knows (``TABLE.csv`` / ``TABLE.parquet``, ``dataset.toml``);
    a symbolic link, FIFO or device among them raises :class:`~.sources.SourceRefused`."""
    return [Path(source) / name for name in check_source(source)]


def fingerprint(hashes: dict[str, str]) -> str:
    """The dataset fingerprint: SHA-256 over the sorted ``name sha256`` lines of its files."""
    text = "".join(f"{name} {digest}\n" for name, digest in sorted(hashes.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _source_sha256(dir_fd: int, name: str) -> str:
    h = hashlib.sha256()
    with open_source_file(dir_fd, name) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def copy_fingerprint(source: Path) -> str | None:
    """The fingerprint the copy of ``source`` would get (None if it holds no table files or is refused)."""
    try:
        dir_fd = open_folder(source)
    except SourceRefused:
        return None
    try:
        names = checked_names(dir_fd)
        return fingerprint({n: _source_sha256(dir_fd, n) for n in names}) if names else None
    except SourceRefused:
        return None
    finally:
        os.close(dir_fd)


def copy_source(source: Path, data_dir: Path) -> tuple[str, Path, dict[str, str], bool]:
    """(fingerprint, folder, file hashes, newly created) of the content-addressed copy of ``source``.

    Every source file is opened with ``O_NOFOLLOW`` relative to one descriptor of the folder and must be
    a regular file (:mod:`.sources`): a file swapped for a symbolic link after the check is not followed
    but refused (:class:`~.sources.SourceRefused`)."""
    dir_fd = open_folder(source)
    try:
        return _copy_from(dir_fd, source, data_dir)
    finally:
        os.close(dir_fd)


def _copy_from(dir_fd: int, source: Path, data_dir: Path) -> tuple[str, Path, dict[str, str], bool]:
    names = checked_names(dir_fd)
    if not names:
        raise DatasetRejected([f"dataset:0:-: Im Ordner {source} liegen keine Tabellen des Datenvertrags."])
    hashes = {n: _source_sha256(dir_fd, n) for n in names}
    fp = fingerprint(hashes)
    root = gen.datasets_dir(data_dir)
    final = root / fp
    if final.is_dir() and all((final / n).is_file() for n in hashes):
        return fp, final, hashes, False
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f"{fp}.tmp-{time.time_ns()}"
    tmp.mkdir()
    try:
        for n in names:
            with open_source_file(dir_fd, n) as src, open(tmp / n, "xb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            gen.fsync_file(tmp / n)
        copied = {n: gen.file_sha256(tmp / n) for n in hashes}
        if copied != hashes:
            raise DatasetRejected([(f"dataset:0:-: Die Quelldateien in {source} haben sich während des "
                                   "Kopierens geändert.")])
        gen.fsync_dir(tmp)
        if final.exists():
            shutil.rmtree(final)
        os.rename(tmp, final)
        gen.fsync_dir(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return fp, final, hashes, True


# --- store inputs ---------------------------------------------------------------------------------


def store_inputs(db_url: str | None) -> tuple[tuple[str, ...], Any]:
    """(Jobcenters with a stored agreement, case records) from the store; SQL data stays there."""
    if not db_url:
        return (), None
    from zielwerk.store import agreements, open_store

    from .parts import store_case_records

    engine, sessions = open_store(db_url)
    try:
        with sessions() as s:
            jcs = tuple(sorted({a.jobcenter_id for a in agreements.all_agreements(s)}))
            try:
                records = store_case_records(s)
            except ImportError:
                records = None
    finally:
        engine.dispose()
    return jcs, records


# --- computation ----------------------------------------------------------------------------------


def _catalogue_engine_codes() -> tuple[list[str], list[str]]:
    """(monthly engine codes, jfw engine codes) of the targets catalogue."""
    from zielwerk.targets.catalogue import target_indicators

    monthly, jfw = set(), set()
    for spec in target_indicators().values():
        if spec.source == "monat":
            monthly.add(spec.engine_code)
        elif spec.source == "jfw":
            jfw.add(spec.engine_code)
    return sorted(monthly), sorted(jfw)


def _probe_agreement(jobcenter_id: str, year: int) -> Any:
    """An agreement that monitors every indicator of the catalogue (all sexes where defined)."""
    from zielwerk.targets import Agreement, Goal, Target
    from zielwerk.targets.catalogue import target_indicators
    from zielwerk.targets.model import MONITOR

    targets = tuple(
        Target(id=f"{code}-{sex}", indicator=code, form=MONITOR, sex=sex)
        for code, spec in target_indicators().items()
        for sex in (("all", "f", "m") if spec.by_sex else ("all",))
    )
    return Agreement(year=year, jobcenter_id=jobcenter_id, jobcenter_name=jobcenter_id, parties=(),
                     goals=(Goal(id="alle", title="alle Kennzahlen", owners=("kreis",), targets=targets),))


def series_json(series: Any) -> dict[str, Any]:
    return {
        "values": {f"{code}|{sex}": {str(y): v for y, v in years.items()}
                   for (code, sex), years in series.values.items()},
        "provisional": sorted(str(m) for m in series.provisional),
    }


def agreement_series(ds: Any, kennzahlen: Any, jobcenter_ids: tuple[str, ...], report: Month,
                     jfw_codes: list[str], records: Any = None) -> dict[str, Any]:
    """Actual series per Jobcenter from the one engine table and one year-to-date run over all years.

    ``kennzahlen``: the engine table, or a function returning it, called after the year-to-date runs (the
    import computes the table meanwhile). ``records``: the store's case records, for the local counts that
    read recorded contacts (``ELTERN_2J``, issue 15 item 3)."""
    from zielwerk import indicators as engine
    from zielwerk.targets.actuals import collect_from_tables

    if not jobcenter_ids:
        return {}
    first_year = report.year - MONITOR_HISTORY_YEARS
    ytd = []
    if jfw_codes:  # all years from one engine run
        ytd.append(engine.jahresfortschritt_years(ds, max(first_year, _first_month().year), report,
                                                  level="jobcenter"))
    tables = [kennzahlen() if callable(kennzahlen) else kennzahlen, *ytd]
    return {jc: series_json(collect_from_tables(ds, _probe_agreement(jc, report.year), report, tables,
                                                MONITOR_HISTORY_YEARS, records=records))
            for jc in jobcenter_ids}


def _first_month() -> Month:
    from zielwerk.domain.law import REGULATIONS

    return REGULATIONS[0].first_month


def needed_range(last: Month) -> tuple[Month, Month]:
    """First month any consumer needs: the pages' 36 months, monitoring's January five years back."""
    first = min(last - (HISTORY_MONTHS - 1), Month(last.year - MONITOR_HISTORY_YEARS, 1))
    return max(first, _first_month()), last


# --- the pipeline ---------------------------------------------------------------------------------


def _pause(data_dir: Path, key: str) -> None:
    if os.environ.get(PAUSE_ENV) != key:
        return
    marker = gen.state_dir(data_dir) / PAUSE_MARKER
    marker.write_text(f"{key} {os.getpid()}\n", "utf-8")
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:  # killed here by the fault-injection test
        time.sleep(0.05)


def run_import(source: Path, data_dir: Path, *, db_url: str | None = None, limits: Limits | None = None,
               progress: Progress | None = None, lock: ImportLock | None = None,
               keep: tuple[Path, ...] = ()) -> ImportResult:
    """Run every step; returns when the new generation is live. Raises :class:`~.lock.ImportRunning`
    (another import runs) or :class:`DatasetRejected` (nothing changed) or any error (nothing changed).
    ``keep``: files of the caller in the state folder that the start-up clean-up must leave (progress file).
    """
    from zielwerk.data.reader import read_dataset

    data_dir = Path(data_dir)
    source = Path(source)
    data_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    clock = {"key": None, "t": time.perf_counter()}

    def step(key: str) -> None:
        now = time.perf_counter()
        if clock["key"] is not None:
            timings[clock["key"]] = round(now - clock["t"], 3)
        clock.update(key=key, t=now)
        if key == "ende":
            return
        i = STEP_KEYS.index(key)
        if progress is not None:
            progress(key, STEPS[i][1], i, len(STEPS))
        _pause(data_dir, key)

    t_start = time.perf_counter()
    step("sperre")
    held = (lock or ImportLock(data_dir)).acquire()
    staging: gen.Staging | None = None
    created: Path | None = None
    keep = (*keep, source)  # an uploaded source waits in <state>/imports
    stack = ExitStack()
    try:
        gen.recover(data_dir, keep)
        step("kopieren")
        if not source.is_dir():
            raise DatasetRejected([f"dataset:0:-: Verzeichnis {source} nicht gefunden"])
        try:  # symbolic links, FIFOs, devices among the table files: refused before anything is read
            check_source(source)
            if limits is not None:
                from .limits import LimitExceeded

                try:
                    check_limits(source, limits)
                except LimitExceeded as exc:
                    raise DatasetRejected(exc.problems, message="Der Datensatz wurde abgelehnt: "
                                          + " ".join(exc.problems)) from None
            fp, folder, hashes, new = copy_source(source, data_dir)
        except SourceRefused as exc:
            raise DatasetRejected(exc.problems, message="Der Datensatz wurde abgelehnt: "
                                  + " ".join(exc.problems)) from None
        created = folder if new else None
        step("pruefen")
        report = read_dataset(folder)
        if not report.ok or report.dataset is None:
            raise DatasetRejected([str(p) for p in report.problems], report.total_problems)
        ds = report.dataset
        staging = gen.Staging(data_dir)

        step("kennzahlen")
        from zielwerk import indicators as engine

        monthly, jfw = _catalogue_engine_codes()
        last = Month.of(ds.as_of)
        first, _ = needed_range(last)
        codes = list(dict.fromkeys([*engine.OFFICIAL_CODES, *(c for c in monthly if c in engine.INDICATORS)]))
        jcs, records = store_inputs(db_url)
        known = set(ds["jobcenters"].column("jobcenter_id").to_pylist())
        # the actual series (year-to-date engine runs, local counts) are independent of the case work:
        # computed in a second thread (DuckDB and pandas release the GIL) that starts with the year-to-date
        # runs while this thread computes the Kennzahlen and then builds the lists
        kz_ready: Future = Future()
        # the monitoring series and the team actuals share the LZB status tables of their Stichtage
        from zielwerk.casework.batch import default_stichtag
        from zielwerk.indicators.engine import status_memo

        # held: the Stichtage from January of the year before the last month on (lists, team actuals and the
        # series of the agreement years share them); older ones are computed once by the series anyway
        shared = [stichtag(m, ds.stichtag_day) for m in months(Month(last.year - 1, 1), last)]
        stack.enter_context(status_memo(ds, keep=[*shared, default_stichtag(ds), ds.as_of]))
        pool = ThreadPoolExecutor(1, thread_name_prefix="zielwerk-monitoring")
        series_future = pool.submit(_timed, agreement_series, ds, kz_ready.result, tuple(sorted(set(jcs) & known)),
                                    last, jfw, records)
        pool.shutdown(wait=False)
        try:
            kz_all = engine.compute_kennzahlen(ds, first, last, level="all", indicators=codes)
        except BaseException as exc:
            kz_ready.set_exception(exc)
            raise
        kz_ready.set_result(kz_all)

        step("monitoring")

        step("lzb")
        from zielwerk.casework.batch import default_stichtag
        from zielwerk.casework.casefile import write_case_files
        from zielwerk.casework.common import lzb_status, pinned_status

        list_day = default_stichtag(ds)
        # the list Stichtag and the case-view day are needed in several steps: computed once, kept
        with pinned_status(ds, {list_day, ds.as_of}):
            for day in sorted({list_day, ds.as_of}):
                lzb_status(ds, day)
            step("listen")
            lists_error = _guarded(lambda: _write_lists(ds, staging.path / "lists", records, list_day,
                                                        staging.id))
            step("falldaten")
            caseview_error = _guarded(lambda: write_case_files(ds, staging.path / "caseview"))
            step("fallbelastung")
            caseload = caseload_table(ds, list_day)  # one reference day with the lists

        series, timings["monitoring"] = series_future.result()
        from .teams_step import write_team_results  # issue 15 item 6: team actuals (results/teams.json)

        # after the series: the Stichtage of the agreement years are in the status memo by now
        teams_error = _guarded(lambda: write_team_results(ds, staging.path / "results", db_url, last, records))
        stack.close()  # the shared status tables are not needed any more
        step("schreiben")
        import pyarrow.compute as pc

        page_first = max(last - (HISTORY_MONTHS - 1), _first_month())
        kz = kz_all.filter(pc.and_(pc.is_in(kz_all["indicator"], value_set=_pa_strings(engine.OFFICIAL_CODES)),
                                   pc.greater_equal(kz_all["month"], str(page_first))))
        computed_at = datetime.now(UTC).isoformat()
        meta = {
            "generation": staging.id,
            "as_of": ds.as_of.isoformat(),
            "stichtag_day": ds.stichtag_day,
            "first_month": str(page_first),
            "last_month": str(last),
            "provisional_months": provisional_months(ds.as_of, last),
            "computed_at": computed_at,
            "source": str(source.resolve()),
            "dataset": fp,
            "unit_names": unit_names(ds),
            "lists_error": lists_error,
            "caseview_error": caseview_error,
            "teams_error": teams_error,
        }
        write_results(staging.path / "results", kz, caseload, meta, series)

        step("manifest")
        timings_so_far = dict(timings)
        manifest = staging.write_manifest({
            "created_at": computed_at,
            "source": str(source.resolve()),
            "dataset": {"fingerprint": fp, "path": f"{gen.DATASETS}/{fp}", "files": hashes},
            "as_of": ds.as_of.isoformat(),
            "months": [str(first), str(last)],
            "jobcenters_monitored": sorted(series),
            "timings": timings_so_far,
            "seconds": round(time.perf_counter() - t_start, 3),
        })
        step("umschalten")
        published = staging.publish(pause=lambda key: _pause(data_dir, key + "-zeiger"))
        staging = None
        created = None
        step("ende")
        removed = gen.recover(data_dir, keep)
        return ImportResult(published.id, fp, manifest, timings, removed)
    finally:
        stack.close()
        if staging is not None:
            staging.discard()
        if created is not None and not _referenced(data_dir, created.name):
            shutil.rmtree(created, ignore_errors=True)
        held.release()


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    return fn(*args), round(time.perf_counter() - t0, 3)


def _pa_strings(values: Any) -> Any:
    import pyarrow as pa

    return pa.array(list(values), pa.string())


def _referenced(data_dir: Path, fp: str) -> bool:
    for g in gen.generation_ids(data_dir):
        try:
            if gen.Generation(g, gen.generations_dir(data_dir) / g).manifest()["dataset"]["fingerprint"] == fp:
                return True
        except (OSError, ValueError, KeyError):
            continue
    return False


def _write_lists(ds: Any, folder: Path, records: Any, day: Any, generation: str) -> None:
    from zielwerk.casework.batch import write_lists

    write_lists(ds, folder, stichtag=day, records=records, extra_meta={"generation": generation})


def _guarded(fn: Callable[[], Any]) -> str | None:
    """Lists and case files are independent of the indicators: a failure is kept in the meta data
    (shown on the Daten and Fallsteuerung pages) and the indicators still publish."""
    try:
        fn()
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - reported, see docstring
        return f"{type(exc).__name__}: {exc}"
    return None
