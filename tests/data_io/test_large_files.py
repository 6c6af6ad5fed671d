"""Big files: exact line numbers across read blocks, the slow path, whole-file encoding detection, caps."""

from __future__ import annotations

import shutil

import pytest

from zielwerk.data import csvread
from zielwerk.data.reader import read_dataset

N = 120_000  # rows of measures.csv; with the block size lowered below the file spans many blocks


@pytest.fixture
def big(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 256 * 1024)
    folder = tmp_path / "ds"
    shutil.copytree(corpus / "base", folder)
    return folder


def _measures(n: int, bad: dict[int, str] | None = None, sep: str = ",") -> list[str]:
    """Header plus n rows; ``bad`` maps a file line (header = 1) to its replacement."""
    lines = [sep.join(["person_id", "instrument", "start", "end"])]
    for i in range(n):
        start = f"2016-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        lines.append(sep.join(["P0005", "activation", start, ""]))
    for number, text in (bad or {}).items():
        lines[number - 1] = text
    return lines


def test_bad_value_deep_in_a_big_file(big):
    lines = _measures(N, {100_001: "P0005,activation,2016-02-30,", 119_999: "P0005,activatoin,2016-01-01,"})
    (big / "measures.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = read_dataset(big)
    assert [str(p).split(": ")[0] for p in report.problems] == [
        "measures:100001:start",
        "measures:119999:instrument",
    ]


def test_wrong_field_count_deep_in_a_big_file_uses_exact_line(big):
    lines = _measures(N, {77_777: "P0005,activation,2016-01-01", 99_000: "P0005,activation,2016-13-01,"})
    (big / "measures.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    report = read_dataset(big)
    assert [str(p).split(": ")[0] for p in report.problems] == ["measures:77777:-", "measures:99000:start"]
    assert report.dataset is None


def test_windows_1252_detected_from_the_whole_file(big):
    """The only non-ASCII byte sits near the end: the encoding is still decided correctly."""
    lines = _measures(N, sep=";")
    (big / "measures.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    text = (big / "caseworkers.csv").read_text(encoding="utf-8").replace(",", ";")
    filler = "\r\n".join(f"CW{i:06d};Kollege {i};Team;05970" for i in range(3, 60_000))
    (big / "caseworkers.csv").write_bytes(
        (text.replace("\n", "\r\n") + filler + "\r\nCWX;Jörg Weiß;Süd;05970\r\n").encode("cp1252")
    )
    report = read_dataset(big)
    assert report.ok, [str(p) for p in report.problems[:5]]
    described = {f.file: f.describe() for f in report.files}
    assert described["caseworkers.csv"] == "Semikolon, Windows-1252"
    assert report.dataset["caseworkers"]["name"][-1].as_py() == "Jörg Weiß"
    assert report.dataset["measures"].num_rows == N


def test_all_problems_are_counted_but_the_list_is_capped(big):
    bad = {n: "P0005,activation,kein Datum," for n in range(2, 5_002)}
    (big / "measures.csv").write_text("\n".join(_measures(N, bad)) + "\n", encoding="utf-8")
    report = read_dataset(big, per_check=1000)
    assert report.total_problems == 5_000
    assert len(report.problems) == 1000
    assert [p.line for p in report.problems] == list(range(2, 1002))


def test_progress_bar_on_a_terminal(big, monkeypatch, capsys):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    (big / "measures.csv").write_text("\n".join(_measures(N)) + "\n", encoding="utf-8")
    report = read_dataset(big, progress=True)
    assert report.ok
    assert report.dataset["measures"].num_rows == N
