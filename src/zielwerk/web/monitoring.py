"""Agreement monitoring for the pages: ``zielwerk.targets.monitor`` on the generation's actual series.

The import pipeline (``zielwerk.pipeline.run``) computes, per Jobcenter that has a stored agreement,
the actual series of every indicator of the targets catalogue from its one engine table and writes
them to ``results/series.json`` of the generation. Monitoring a stored agreement version is then
cheap and runs in the request: parse the document, pick the report month, ``monitor(...)``.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from zielwerk.domain.calendar import Month

SERIES_FILE = "series.json"


def series_set(raw: dict[str, Any]) -> Any:
    from zielwerk.targets import SeriesSet

    out = SeriesSet()
    for key, years in raw["values"].items():
        code, sex = key.split("|")
        out.values[(code, sex)] = {int(y): list(v) for y, v in years.items()}
    out.provisional = {Month.parse(m) for m in raw.get("provisional", [])}
    return out


def report_month(agreement_year: int, last_month: str) -> Month | None:
    """The newest month of the agreement year with data, or None if the year has no data yet."""
    last = Month.parse(last_month)
    if last.year < agreement_year:
        return None
    return last if last.year == agreement_year else Month(agreement_year, 12)


_cache: dict[tuple, Any] = {}
_lock = threading.Lock()


def monitoring_for(results: Any, version_id: int, document: str, month: Month | None = None,
                   db: Any = None) -> tuple[Any, str]:
    """(Monitoring or None, German explanation if None) for a stored agreement version. With the store
    session ``db``, an agreement with ``reihe = "amtlich"`` is monitored on the official figures
    (:func:`official_monitoring`, issue 14); without it, on the own series."""
    from zielwerk.targets import AgreementFileInvalid, monitor, parse_agreement

    if db is not None and 'reihe' in document:
        try:
            model = parse_agreement(document, check_figures=False)
        except AgreementFileInvalid as exc:
            return None, f"Die Zielvereinbarung ist fehlerhaft: {exc}"
        if model.series == "amtlich":
            return official_monitoring(db, version_id, document, model, month)
    meta = results.meta()
    raw = results.series()
    if meta is None or raw is None:
        return None, "Es liegen noch keine berechneten Kennzahlen vor."
    # keyed by the document itself (not only the version id): ids repeat across databases
    key0 = (version_id, hashlib.sha256(document.encode()).hexdigest(), str(month), meta.get("computed_at"),
            meta.get("source"), meta.get("generation"))
    with _lock:
        if key0 in _cache:
            return _cache[key0], ""
    try:
        # stored documents: implausible figures are named per target by the monitoring, not refused
        model = parse_agreement(document, check_figures=False)
    except AgreementFileInvalid as exc:
        return None, f"Die Zielvereinbarung ist fehlerhaft: {exc}"
    report = month or report_month(model.year, meta["last_month"])
    if report is None:
        return None, f"Für das Vereinbarungsjahr {model.year} liegen noch keine Daten vor."
    if model.jobcenter_id not in raw:
        return None, ("Für das Jobcenter dieser Zielvereinbarung sind die Ist-Werte noch nicht berechnet "
                      "(Seite „Daten“: Kennzahlen neu berechnen).")
    key = (*key0[:2], str(report), *key0[3:])
    with _lock:
        if key in _cache:
            return _cache[key], ""
    mon = monitor(model, series_set(raw[model.jobcenter_id]), report)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = _cache[key0] = mon
    return mon, ""


def official_monitoring(db: Any, version_id: int, document: str, model: Any, month: Month | None = None
                        ) -> tuple[Any, str]:
    """The monitoring of ``model`` on the official figures in the store (``reihe = "amtlich"``, issue 14):
    report month = ``month`` or the newest published month of the agreement year."""
    from zielwerk.official.series import official_series_set
    from zielwerk.store.official import official_state, official_table
    from zielwerk.targets import monitor

    key = ("amtlich", version_id, hashlib.sha256(document.encode()).hexdigest(), str(month), official_state(db))
    with _lock:
        if key in _cache:
            return _cache[key], ""
    table = official_table(db, [model.jobcenter_id], str(Month(model.year - 4, 1)), str(Month(model.year, 12)))
    if table.num_rows == 0:
        return None, ("Die Zielvereinbarung verwendet die amtliche Statistik, für ihr Jobcenter sind aber keine "
                      "amtlichen Kennzahlen eingelesen (zielwerk amtlich einlesen).")
    report = month or report_month(model.year, max(table["month"].to_pylist()))
    if report is None:
        return None, f"Für das Vereinbarungsjahr {model.year} liegen noch keine amtlichen Kennzahlen vor."
    mon = monitor(model, official_series_set(model, table, report), report)
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = mon
    return mon, ""
