"""dataset.toml: accepted forms and positioned problems."""

from __future__ import annotations

from datetime import date

from zielwerk.data.problems import ProblemCollector
from zielwerk.data.settings import Settings, read_settings


def _read(tmp_path, text: str):
    (tmp_path / "dataset.toml").write_text(text, encoding="utf-8")
    problems = ProblemCollector()
    settings = read_settings(tmp_path, problems)
    return settings, [str(p) for p in problems.problems]


def test_absent_file_gives_defaults(tmp_path):
    settings = read_settings(tmp_path, ProblemCollector())
    assert (settings.as_of, settings.stichtag_day) == (None, 15)


def test_toml_date_and_quoted_iso_date(tmp_path):
    assert _read(tmp_path, "as_of = 2016-12-31\nstichtag_day = 31\n") == (
        Settings(date(2016, 12, 31), 31),
        [],
    )
    settings, problems = _read(tmp_path, '# Stand\nas_of = "2017-06-30"\n')
    assert settings.as_of == date(2017, 6, 30) and problems == []


def test_bad_values_and_unknown_section(tmp_path):
    _, problems = _read(
        tmp_path, 'stichtag_day = "15"\nas_of = 2017-06-30T10:00:00\n\n[quelle]\nname = "x"\n'
    )
    assert [p.split(": ")[0] for p in problems] == [
        "dataset.toml:4:quelle",
        "dataset.toml:2:as_of",
        "dataset.toml:1:stichtag_day",
    ]
