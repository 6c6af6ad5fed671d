"""The work-list pages of the real app (``fall_lists`` registered in ``web/app.py``) in the states the
batch can leave behind: no lists yet, a failed list build, lists older than the indicators, a list
longer than the page shows, an aggregate list. Expected values are read off the hand-made fixture."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from web_helpers import KZ_SCHEMA, build_app, caseload, kennzahlen_rows, login

from zielwerk.web import ROUTES
from zielwerk.web.pages import fall_lists
from zielwerk.web.results import lists_dir, results_dir, write_results


def _client(app, username: str) -> TestClient:
    c = TestClient(app, base_url="https://testserver")
    assert login(c, username).status_code == 303
    return c


@pytest.fixture
def make(tmp_path):
    """``make(prepare)`` → (app, clients by username); ``prepare(data_dir)`` changes the fixture files."""
    apps = []

    def factory(prepare=None):
        data_dir = tmp_path / f"daten{len(apps)}"
        data_dir.mkdir()
        app = build_app(data_dir)
        if prepare is not None:
            prepare(data_dir)
        apps.append(app)
        return app, {u: _client(app, u) for u in ("controlling", "fm1")}

    yield factory
    for app in apps:
        app.state.engine.dispose()


def _results_meta(data_dir, **extra) -> None:
    meta = json.loads((results_dir(data_dir) / "meta.json").read_text("utf-8"))
    write_results(data_dir, pa.Table.from_pylist(kennzahlen_rows(), schema=KZ_SCHEMA), caseload(),
                  {**meta, **extra})


def test_the_app_serves_the_work_lists_from_fall_lists():
    table = {(m, p): h for m, p, h in ROUTES}
    assert table[("GET", "/fallsteuerung/listen")] is fall_lists.index
    assert table[("GET", "/fallsteuerung/listen/{name}")] is fall_lists.view
    assert table[("GET", "/fallsteuerung/listen/{name}/download.csv")] is fall_lists.download_csv
    assert table[("GET", "/fallsteuerung/listen/{name}/download.xlsx")] is fall_lists.download_xlsx
    assert sum(p.startswith("/fallsteuerung/listen") for _, p, _ in ROUTES) == 4


def test_not_yet_computed(make):
    _app, c = make(lambda d: shutil.rmtree(lists_dir(d)))
    page = c["controlling"].get("/fallsteuerung/listen")
    assert page.status_code == 200
    assert "Die Arbeitslisten sind noch nicht berechnet" in page.text
    assert page.text.count('href="/fallsteuerung/listen/') == len(fall_lists.LISTS)  # catalogue, counts '–'
    for path in ("/fallsteuerung/listen/lzb-praevention", "/fallsteuerung/listen/lzb-praevention/download.csv",
                 "/fallsteuerung/listen/fallbelastung/download.xlsx"):
        r = c["fm1"].get(path)
        assert r.status_code == 404 and "noch nicht berechnet" in r.text


def test_list_missing_from_the_batch_and_unknown_list(make):
    _app, c = make()
    index = c["controlling"].get("/fallsteuerung/listen")
    assert index.status_code == 200  # the fixture holds 2 of the catalogue's lists; the others show '–'
    r = c["controlling"].get("/fallsteuerung/listen/u25-ohne-ausbildung")
    assert r.status_code == 404 and "U25 ohne Berufsabschluss" in r.text and "nicht erstellt" in r.text
    r = c["controlling"].get("/fallsteuerung/listen/gibt-es-nicht/download.csv")
    assert r.status_code == 404 and "gibt-es-nicht" in r.text
    r = c["controlling"].get("/fallsteuerung/listen/lzb-praevention/download.csv?format=json")
    assert r.status_code == 422 and "Unbekanntes CSV-Format" in r.text


def test_lists_error_of_the_last_batch_is_shown(make):
    _app, c = make(lambda d: _results_meta(d, lists_error="ValueError: kaputt"))
    for path in ("/fallsteuerung/listen", "/fallsteuerung/listen/lzb-praevention"):
        text = c["fm1"].get(path).text
        assert "konnten bei der letzten Berechnung nicht erstellt werden: ValueError: kaputt" in text
        assert "zuvor berechneten Listen" in text


def test_lists_older_than_the_indicators_are_marked(make):
    def older(d):
        meta_path = lists_dir(d) / "meta.json"
        meta = json.loads(meta_path.read_text("utf-8"))
        meta_path.write_text(json.dumps({**meta, "as_of": "2016-11-30"}), "utf-8")

    _app, c = make(older)
    text = c["controlling"].get("/fallsteuerung/listen").text
    assert "älteren Datenstand (30.11.2016)" in text
    _app2, c2 = make()
    assert "älteren Datenstand" not in c2["controlling"].get("/fallsteuerung/listen").text


def test_page_shows_one_page_with_total_download_all(make):
    """Issue 13: lists are paged on the server (50 rows a page) with their total count."""
    n = 537

    def long_list(d):
        rows = [{"person_id": f"Q{i:04d}", "caseworker_id": "CW9", "lzb_am": date(2017, 2, 15), "tage_bis_lzb": 45}
                for i in range(n)]
        pq.write_table(pa.Table.from_pylist(rows), lists_dir(d) / "lzb-praevention.parquet")

    _app, c = make(long_list)
    page = c["controlling"].get("/fallsteuerung/listen/lzb-praevention").text
    assert page.count('href="/fallsteuerung/person/Q') == fall_lists.PAGE_SIZE == 50
    assert "Q0049" in page and "Q0050" not in page
    assert "Zeilen 1–50 von 537" in page
    last = c["controlling"].get("/fallsteuerung/listen/lzb-praevention?seite=11").text
    assert "Zeilen 501–537 von 537" in last and "Q0536" in last and "Q0499" not in last
    csv_lines = c["controlling"].get("/fallsteuerung/listen/lzb-praevention/download.csv").content.decode(
        "utf-8-sig").splitlines()
    assert len(csv_lines) == 1 + 537 and csv_lines[-1].startswith("Q0536;")
    index = c["controlling"].get("/fallsteuerung/listen").text
    assert '<td class="num">537</td>' in index
    # none of them is in fm1's caseload
    assert '<td class="num">0</td>' in c["fm1"].get("/fallsteuerung/listen").text


def test_aggregate_list_shown_to_every_casework_role(make):
    def aggregate(d):
        rows = [{"month": "2016-12", "year": 2016, "cumulated": 12}, {"month": "2016-12", "year": 2015, "cumulated": 9}]
        pq.write_table(pa.Table.from_pylist(rows), lists_dir(d) / "u25-ausbildung.parquet")

    _app, c = make(aggregate)
    for user in ("controlling", "fm1"):
        page = c[user].get("/fallsteuerung/listen/u25-ausbildung")
        assert page.status_code == 200 and "(2 Zeilen)" in page.text, user
        csv_rows = c[user].get("/fallsteuerung/listen/u25-ausbildung/download.csv").content.decode(
            "utf-8-sig").splitlines()
        assert len(csv_rows) == 3 and csv_rows[1].endswith(";12") and csv_rows[2].endswith(";9"), csv_rows


def test_index_counts_are_scoped_and_pages_link_back(make):
    _app, c = make()
    lead = c["controlling"].get("/fallsteuerung/listen").text
    mine = c["fm1"].get("/fallsteuerung/listen").text
    # LZB-Prävention: P1 (CW1) and P3 (CW2); Fallbelastung: rows CW1, CW2
    row = lead.split('href="/fallsteuerung/listen/lzb-praevention"')[1].split("</tr>")[0]
    assert '<td class="num">2</td>' in row
    row = mine.split('href="/fallsteuerung/listen/lzb-praevention"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row
    row = mine.split('href="/fallsteuerung/listen/fallbelastung"')[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row and "nur Ihr Fallbestand" in mine
    for text in (lead, c["fm1"].get("/fallsteuerung/listen/lzb-praevention").text):
        assert '<a href="/fallsteuerung">Fallbestand</a>' in text
        assert '<a href="/fallsteuerung" aria-current="page">Fallsteuerung</a>' in text
    assert '<a href="/fallsteuerung/listen">Arbeitslisten</a>' in c["fm1"].get("/fallsteuerung").text


def test_store_records_are_applied_when_queried_in_chunks(make, monkeypatch):
    """Three persons on the no-plan list; the store holds a plan in force for two of them (and a
    closed one for the third) and a contact for the third: with one id per query, the list keeps
    only the third person, with today's contact."""
    from datetime import datetime, timedelta

    from zielwerk.store.models import ActionPlan, CaseContact

    def no_plan_list(d):
        rows = [{"person_id": p, "caseworker_id": "CW1", "last_contact": date(2016, 1, 4)} for p in ("P1", "P2", "P4")]
        pq.write_table(pa.Table.from_pylist(rows), lists_dir(d) / "lzb-ohne-kooperationsplan.parquet")

    app, c = make(no_plan_list)
    today = date.today()
    with app.state.sessions.begin() as s:
        for p, status in (("P1", "aktiv"), ("P2", "aktiv"), ("P4", "abgeschlossen")):
            s.add(ActionPlan(person_id=p, caseworker_id="CW1", agreed_on=today - timedelta(days=400),
                             review_on=today - timedelta(days=10), status=status, created_by="fm1"))
        s.add(CaseContact(person_id="P4", caseworker_id="CW1", at=datetime.now(), created_by="fm1"))
    monkeypatch.setattr(fall_lists, "ID_CHUNK", 1)
    page = c["controlling"].get("/fallsteuerung/listen/lzb-ohne-kooperationsplan").text
    assert "/fallsteuerung/person/P4" in page and "/fallsteuerung/person/P1" not in page
    assert "/fallsteuerung/person/P2" not in page and "(1 Zeile)" in page
    assert today.strftime("%d.%m.%Y") in page and "04.01.2016" not in page
