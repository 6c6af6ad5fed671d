"""Finding a person by name (issue 13; docs/data.md, "Person names") on a hand-built data folder.

Caseload (Stichtag of the lists 15.12.2016):

====  ====  ====  =====================  =================================================
P1    CW1   T1    Müller, Anna           lzb-praevention: LZB ab 15.01.2017 (inside 8 weeks)
P2    CW1   T1    Muller, Jonas          (no accent: "müller" must not find him)
P3    CW1   T1    Schäfer, Anne-Marie    lzb-ohne-massnahme row
P4    CW1   T1    (no name)              lzb-ohne-massnahme row
P9    CW2   T2    Müller, Peter          another caseworker: fm1 must not find him
====  ====  ====  =====================  =================================================

Expected hits worked out by hand: "müller" (fm1) → P1 only; "MÜLLER" same; "anna m" → P1 ("Anna
Müller"); "müller, an" → P1 ("Müller, Anna"); "anne" → P3; "p4" → P4 (id search as before);
controlling "müller" → P1 and P9.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from web_helpers import KZ_SCHEMA, build_app, kennzahlen_rows, login

from zielwerk.casework.export import german_csv_bytes
from zielwerk.casework.query import ListQuery, matches, person_name, run
from zielwerk.web.results import casefiles_dir, lists_dir, results_dir, write_results

CASELOAD = [("P1", "CW1", "T1", "Anna", "Müller"), ("P2", "CW1", "T1", "Jonas", "Muller"),
            ("P3", "CW1", "T1", "Anne-Marie", "Schäfer"), ("P4", "CW1", "T1", None, None),
            ("P9", "CW2", "T2", "Peter", "Müller")]


def _caseload() -> pa.Table:
    return pa.Table.from_pylist([
        {"person_id": p, "caseworker_id": cw, "team": t, "municipality_id": "05970040", "sex": "f",
         "birth_date": date(1990, 1, 1), "assigned_since": date(2015, 1, 1), "first_name": f, "last_name": la}
        for p, cw, t, f, la in CASELOAD])


def _prepare(data_dir) -> None:
    meta = json.loads((results_dir(data_dir) / "meta.json").read_text("utf-8"))
    write_results(data_dir, pa.Table.from_pylist(kennzahlen_rows(), schema=KZ_SCHEMA), _caseload(), meta)
    out = lists_dir(data_dir)
    for f in out.glob("*.parquet"):
        f.unlink()
    pq.write_table(pa.Table.from_pylist([
        {"person_id": "P1", "municipality_id": "05970040", "lzb_from": date(2017, 1, 15)},
        {"person_id": "P9", "municipality_id": "05970040", "lzb_from": date(2017, 1, 15)}]),
        out / "lzb-praevention.parquet")
    pq.write_table(pa.Table.from_pylist([
        {"person_id": p, "municipality_id": "05970040", "elb_days_730": 400, "caseworker_id": "CW1",
         "caseworker_name": "Frau Eins", "team": "T1", "flags": ""} for p in ("P3", "P4")]
        + [{"person_id": "P9", "municipality_id": "05970040", "elb_days_730": 500, "caseworker_id": "CW2",
            "caseworker_name": "Herr Zwei", "team": "T2", "flags": ""}]), out / "lzb-ohne-massnahme.parquet")
    (out / "meta.json").write_text(json.dumps({"stichtag": "2016-12-15", "as_of": "2016-12-31", "lists": {}}))
    cf = casefiles_dir(data_dir)
    cf.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([
        {"caseworker_id": "CW1", "name": "Frau Eins", "team": "T1"},
        {"caseworker_id": "CW2", "name": "Herr Zwei", "team": "T2"}]), cf / "caseworkers.parquet")


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("names")
    app = build_app(data_dir)
    _prepare(data_dir)
    out = {}
    for u in ("fm1", "controlling", "kommune"):
        c = TestClient(app, base_url="https://testserver")
        assert login(c, u).status_code == 303
        out[u] = c
    yield out
    app.state.engine.dispose()


def _found(html: str) -> list[str]:
    if 'aria-label="Suchergebnis"' not in html:
        return []
    body = html.split('aria-label="Suchergebnis"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/fallsteuerung/person/(\w+)">', body)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- pure -----------------------------------------------------------------------------------------------

def test_person_name_format():
    assert person_name("Anna", "Müller") == "Müller, Anna"
    assert person_name(None, "Müller") == "Müller"
    assert person_name("Anna", " ") == "Anna"
    assert person_name(None, None) is None


def test_search_matches_names_case_insensitive_both_orders():
    anna = {"person_id": "P1", "first_name": "Anna", "last_name": "Müller", "caseworker_name": "Frau Eins"}
    jonas = {"person_id": "P2", "first_name": "Jonas", "last_name": "Muller"}
    nameless = {"person_id": "P4", "first_name": None, "last_name": None}
    for needle in ("müller", "MÜLLER", " Müll ", "anna m", "ANNA  MÜLLER", "müller, anna", "Müller, An", "nna"):
        assert matches(anna, ListQuery(search=needle)), needle
    for needle in ("müller anna", "anna, müller", "annam", "P2"):
        assert not matches(anna, ListQuery(search=needle)), needle
    assert not matches(jonas, ListQuery(search="müller"))  # ü is not u
    # id search as before; a row without names matches only by id/caseworker
    assert matches(nameless, ListQuery(search="p4")) and not matches(nameless, ListQuery(search="anna"))
    tbl = pa.Table.from_pylist([anna, jonas, {**nameless, "caseworker_name": None}])
    assert run(tbl, ListQuery(search="MÜLLER")).rows["person_id"].to_pylist() == ["P1"]
    assert run(tbl, ListQuery(search="ller")).rows["person_id"].to_pylist() == ["P1", "P2"]


def test_search_without_name_columns_unchanged():
    row = {"person_id": "P9", "caseworker_id": "CW1", "caseworker_name": "Frau Eins"}
    assert matches(row, ListQuery(search="p9")) and matches(row, ListQuery(search="eins"))
    assert not matches(row, ListQuery(search="anna"))


# --- Heute ----------------------------------------------------------------------------------------------

def test_heute_search_by_surname(clients):
    fm1 = clients["fm1"]
    html = fm1.get("/fallsteuerung/heute?suche=m%C3%BCller").text
    assert _found(html) == ["P1"]
    text = _text(html)
    assert "Suchergebnis für „müller“ (1 Person)" in text and "Müller, Anna" in text
    assert _found(fm1.get("/fallsteuerung/heute?suche=M%C3%9CLLER").text) == ["P1"]
    assert _found(fm1.get("/fallsteuerung/heute?suche=anna%20m").text) == ["P1"]
    assert _found(fm1.get("/fallsteuerung/heute?suche=anne").text) == ["P3"]
    assert _found(fm1.get("/fallsteuerung/heute?suche=p4").text) == ["P4"]
    # the lead role sees both Müllers
    assert _found(clients["controlling"].get("/fallsteuerung/heute?suche=m%C3%BCller").text) == ["P1", "P9"]


def test_heute_due_rows_show_the_name(clients):
    html = clients["fm1"].get("/fallsteuerung/heute").text
    due = html.split('class="cards due"', 1)[1].split("</table>", 1)[0]
    assert re.search(r'person/P1">P1</a></td>\s*<td data-label="Name">Müller, Anna</td>', due)
    assert ">Name<" in html.split('class="cards due"', 1)[1].split("</thead>", 1)[0]


# --- lists, downloads, caseload, person page ------------------------------------------------------------

LIST = "/fallsteuerung/listen/lzb-ohne-massnahme"


def test_list_shows_and_searches_names(clients):
    fm1 = clients["fm1"]
    html = fm1.get(LIST).text
    assert "Schäfer, Anne-Marie" in html
    assert re.findall(r'<a href="/fallsteuerung/person/(\w+)">', fm1.get(LIST + "?suche=sch%C3%A4fer").text) == ["P3"]
    assert re.findall(r'<a href="/fallsteuerung/person/(\w+)">', fm1.get(LIST + "?suche=p4").text) == ["P4"]
    # sortable by name: P3 (Schäfer) before P4 (no name: empty last)
    assert re.findall(r'<a href="/fallsteuerung/person/(\w+)">',
                      clients["controlling"].get(LIST + "?sortierung=last_name").text) == ["P9", "P3", "P4"]


def test_list_downloads_have_name_columns(clients):
    csv = clients["fm1"].get(LIST + "/download.csv").content.decode("utf-8-sig")
    head, *rows = [line for line in csv.splitlines() if line]
    assert head.split(";")[:3] == ["Person", "Nachname", "Vorname"]
    assert rows[0].split(";")[:3] == ["P3", "Schäfer", "Anne-Marie"]
    assert rows[1].split(";")[:3] == ["P4", "", ""]
    canon = clients["fm1"].get(LIST + "/download.csv?format=kanonisch").text
    assert canon.splitlines()[0].startswith('"person_id","last_name","first_name",')
    xlsx = clients["controlling"].get(LIST + "/download.xlsx")
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(xlsx.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in values if r and r[0] == "Person")
    assert header[1:3] == ["Nachname", "Vorname"]
    assert ["P9", "Müller", "Peter"] in [r[:3] for r in values]


def test_export_neutralises_formula_names():
    tbl = pa.table({"person_id": ["P1"], "last_name": ["=HYPERLINK(\"x\")"], "first_name": ["+1"]})
    text = german_csv_bytes(tbl).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1" in text


def test_caseload_and_person_page_show_names(clients):
    fm1 = clients["fm1"]
    page = fm1.get("/fallsteuerung?suche=anna%20m").text
    assert re.findall(r'<a href="/fallsteuerung/person/(\w+)">', page) == ["P1"] and "Müller, Anna" in page
    person = fm1.get("/fallsteuerung/person/P1").text
    assert "<h1>Person P1 – Müller, Anna</h1>" in person


def test_roles_without_person_read_see_no_names(clients):
    k = clients["kommune"]
    for path in ("/fallsteuerung/heute?suche=m%C3%BCller", LIST, LIST + "/download.csv", "/fallsteuerung/person/P1"):
        r = k.get(path)
        assert r.status_code == 403 and "Müller" not in r.text, path
