"""The optional ``dataset.toml`` of a dataset folder (data-contract.md).

Keys: ``as_of`` (data extraction date, TOML date ``YYYY-MM-DD``; a quoted ISO date is accepted too;
default: the latest date in the data) and ``stichtag_day`` (day of the monthly Stichtag, 1–31,
default 15, C1). Any other key, a section, or a bad value is a problem with its line number,
reported as ``dataset.toml:LINE:KEY: message``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from zielwerk.domain.calendar import DEFAULT_STICHTAG_DAY

from .problems import FILE, NO_COLUMN, ProblemCollector

SETTINGS_FILE = "dataset.toml"
KNOWN_KEYS = ("as_of", "stichtag_day")


@dataclass(frozen=True)
class Settings:
    as_of: date | None = None
    stichtag_day: int = DEFAULT_STICHTAG_DAY


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return FILE


def read_settings(directory: Path, problems: ProblemCollector) -> Settings:
    """Read ``dataset.toml`` if present; record every problem."""
    path = directory / SETTINGS_FILE
    if not path.exists():
        return Settings()
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(SETTINGS_FILE, FILE, NO_COLUMN, "Datei ist nicht UTF-8-kodiert")
        return Settings()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+), column (\d+)", str(e))
        line = int(m.group(1)) if m else FILE
        where = f" (Spalte {m.group(2)})" if m else ""
        detail = re.sub(r"\s*\(at .*\)$", "", str(e))
        problems.add(SETTINGS_FILE, line, NO_COLUMN, f"kein gültiges TOML{where}: {detail}")
        return Settings()
    for key in data:
        if key not in KNOWN_KEYS:
            where = _line_of(text, key)
            if where == FILE:
                where = _line_of_section(text, key)
            problems.add(
                SETTINGS_FILE, where, key, f"unbekannter Schlüssel (erlaubt: {', '.join(KNOWN_KEYS)})"
            )
    as_of = data.get("as_of")
    if as_of is not None:
        if isinstance(as_of, str):
            try:
                as_of = date.fromisoformat(as_of)
            except ValueError:
                as_of = None
        elif isinstance(as_of, datetime) or not isinstance(as_of, date):
            as_of = None
        if as_of is None:
            problems.add(
                SETTINGS_FILE,
                _line_of(text, "as_of"),
                "as_of",
                f"ungültiges Datum {data['as_of']!r} (erwartet as_of = JJJJ-MM-TT)",
            )
    day = data.get("stichtag_day", DEFAULT_STICHTAG_DAY)
    if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 31:
        problems.add(
            SETTINGS_FILE,
            _line_of(text, "stichtag_day"),
            "stichtag_day",
            f"ungültiger Stichtag-Tag {day!r} (erwartet eine ganze Zahl von 1 bis 31)",
        )
        day = DEFAULT_STICHTAG_DAY
    return Settings(as_of=as_of, stichtag_day=day)


def _line_of_section(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*\[+\s*{re.escape(key)}\b")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return FILE
