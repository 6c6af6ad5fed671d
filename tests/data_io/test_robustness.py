"""Arbitrary damage to a file never crashes the reader: it is refused with positioned problems or loads."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zielwerk.data.reader import read_dataset
from zielwerk.data.schema import TABLES

from .conftest import CORPUS

TABLE_FILES = sorted(p.name for p in (CORPUS / "office").glob("*.csv"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    variant=st.sampled_from(["base", "office"]),
    name=st.sampled_from(TABLE_FILES),
    position=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=6),
    cut=st.booleans(),
)
def test_damaged_file_never_crashes(tmp_path_factory, variant, name, position, junk, cut):
    folder = tmp_path_factory.mktemp("fuzz") / "ds"
    shutil.copytree(CORPUS / variant, folder)
    raw = (folder / name).read_bytes()
    at = int(position * len(raw))
    damaged = raw[:at] if cut else raw[:at] + junk + raw[at:]
    (folder / name).write_bytes(damaged)
    report = read_dataset(folder)
    table_names = {t.name for t in TABLES}
    for p in report.problems:
        assert p.table in table_names and p.line >= 0 and p.column and p.message
        if p.line > 0 and p.table == name.removesuffix(".csv"):
            assert p.line <= damaged.count(b"\n") + 1
    assert (report.dataset is None) == (report.total_problems > 0)
