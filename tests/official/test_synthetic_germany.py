"""``generate --scenario germany`` (any scale) writes the official table for all its Jobcenters (issue 14)."""

from __future__ import annotations

import csv

import pyarrow.parquet as pq

from zielwerk.synth.official import FILE_NAME


def test_germany_official_table_covers_every_jobcenter_until_the_waiting_period(germany_small_dir):
    folder = germany_small_dir
    jcs = pq.read_table(folder / "jobcenters.parquet")
    expected = dict(zip(jcs["jobcenter_id"].to_pylist(), jcs["vergleichstyp"].to_pylist(), strict=True))
    seen: dict[str, str] = {}
    months = set()
    with open(folder / FILE_NAME, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        assert next(reader) == ["Jobcenter-Schlüssel", "Jobcenter", "Vergleichstyp", "Berichtsmonat", "Kennzahl",
                                "Geschlecht", "Zähler", "Nenner", "Wert"]
        for row in reader:
            seen[row[0]] = row[2]
            months.add(row[3])
    assert seen == expected  # every Jobcenter, with its Vergleichstyp
    assert max(months) == "2017-09"  # as-of 2017-12-31: October to December withheld
    assert min(months) == "2012-01"


def test_germany_official_table_passes_the_reader(tmp_path, germany_small_dir):
    """The first 40,000 rows (about 100 Jobcenters of 2012) pass every check of the reader, tiny
    Jobcenters of small scales included (event quotas above 100 %, denominators rounded to 1)."""
    from zielwerk.official.reader import read_official

    folder = germany_small_dir
    with open(folder / FILE_NAME, encoding="utf-8-sig") as f:
        head = [next(f) for _ in range(40_001)]
    part = tmp_path / "teil.csv"
    part.write_text("".join(head), encoding="utf-8")
    res = read_official(part)
    assert len(res.rows) == 40_000
