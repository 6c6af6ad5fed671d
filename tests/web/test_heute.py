"""„Heute“ and the list usability (issue 13 item 5) on a hand-built data folder.

Stichtag of the lists 15.12.2016, window 8 weeks = 56 days (20.10.2016 … 09.02.2017). Caseload:

====  ====  ====  ========  ===============================================================
P1    CW1   T1    05970040  Randzeiten ungedeckt seit 01.09.2016; LZB ab 15.02.2017 (62 days: outside)
P2    CW1   T1    05970040  Randzeiten Vorschlag seit 01.10.2016; LZB ab 15.01.2017 (31 days); U25 but
                            an offer (``angebot``) recorded today → no U25 reason
P4    CW1   T1    05970008  action plan 10.01.2016, review planned 30.06.2016 → overdue since 30.06.2016
P5    CW1   T1    05970040  child born 20.11.2015 → 1 year old on 20.11.2016 (inside the window)
P7    CW1   T1    05970040  child born 01.01.2015 → 01.01.2016 (outside): nothing due
P6    CW3   T1    05970040  U25 without a training offer → due on the Stichtag 15.12.2016
P3    CW2   T2    05970008  Randzeiten ungedeckt seit 01.01.2017 (zu_weit); LZB ab 15.01.2017
====  ====  ====  ========  ===============================================================

Ranking = earliest due date first: fm1 (CW1) P4 (30.06.), P1 (01.09.), P2 (01.10.), P5 (20.11.);
the team lead of T1 additionally P6 (15.12.); controlling additionally P3 (01.01.2017).

The list ``lzb-ohne-massnahme`` holds Q001 … Q123; every third (i % 3 == 0: 41 rows) lives in
05970008 (Klein-Dorf), team T2, caseworker CW2 "Bernd Bau"; the other 82 in 05970040 (Bad Berleburg),
team T1, CW1 "anna Alt"; ``elb_days_730`` = 365 + i, empty for Q123.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from web_helpers import KZ_SCHEMA, build_app, kennzahlen_rows, login

from zielwerk.casework.due import due_cases
from zielwerk.casework.query import ListQuery, matches, run
from zielwerk.store.models import ActionPlan, CaseContact
from zielwerk.web import permissions
from zielwerk.web.results import casefiles_dir, lists_dir, results_dir, write_results

CASELOAD = [("P1", "CW1", "T1", "05970040"), ("P2", "CW1", "T1", "05970040"), ("P4", "CW1", "T1", "05970008"),
            ("P5", "CW1", "T1", "05970040"), ("P7", "CW1", "T1", "05970040"), ("P6", "CW3", "T1", "05970040"),
            ("P3", "CW2", "T2", "05970008")]


def _caseload() -> pa.Table:
    return pa.Table.from_pylist([
        {"person_id": p, "caseworker_id": cw, "team": t, "municipality_id": m, "sex": "f",
         "birth_date": date(1990, 1, 1), "assigned_since": date(2015, 1, 1)} for p, cw, t, m in CASELOAD])


def _lists() -> dict[str, pa.Table]:
    q_rows = []
    for i in range(1, 124):
        third = i % 3 == 0
        q_rows.append({"person_id": f"Q{i:03d}", "municipality_id": "05970008" if third else "05970040",
                       "elb_days_730": None if i == 123 else 365 + i, "caseworker_id": "CW2" if third else "CW1",
                       "caseworker_name": "Bernd Bau" if third else "anna Alt", "team": "T2" if third else "T1",
                       "flags": ""})
    return {
        "lzb-praevention": pa.Table.from_pylist([
            {"person_id": "P1", "municipality_id": "05970040", "lzb_from": date(2017, 2, 15)},
            {"person_id": "P2", "municipality_id": "05970040", "lzb_from": date(2017, 1, 15)},
            {"person_id": "P3", "municipality_id": "05970008", "lzb_from": date(2017, 1, 15)}]),
        "eltern-kleinkind": pa.Table.from_pylist([
            {"bg_id": "B5", "person_id": "P5", "partner_id": None, "youngest_child_birth": date(2015, 11, 20)},
            {"bg_id": "B7", "person_id": "P7", "partner_id": None, "youngest_child_birth": date(2015, 1, 1)}]),
        "randzeiten-ungedeckt": pa.Table.from_pylist([
            {"person_id": "P1", "municipality_id": "05970040", "need_since": date(2016, 9, 1),
             "reason": "kein_platz", "reason_label": "kein freier Platz"},
            {"person_id": "P3", "municipality_id": "05970008", "need_since": date(2017, 1, 1),
             "reason": "zu_weit", "reason_label": "kein Angebot in erreichbarer Nähe"}]),
        "randzeiten-vorschlaege": pa.Table.from_pylist([
            {"person_id": "P2", "need_since": date(2016, 10, 1), "rank": 1, "provider_name": "Kita Sonnenschein"},
            {"person_id": "P2", "need_since": date(2016, 10, 1), "rank": 2, "provider_name": "Tagesmutter Weit"}]),
        "u25-ohne-ausbildung": pa.Table.from_pylist([{"person_id": "P2"}, {"person_id": "P6"}]),
        "ueberpruefung-ueberfaellig": pa.Table.from_pylist([{"person_id": "X"}]),  # replaced live from the store
        "lzb-ohne-massnahme": pa.Table.from_pylist(q_rows),
    }


def _prepare(data_dir) -> None:
    meta = json.loads((results_dir(data_dir) / "meta.json").read_text("utf-8"))
    write_results(data_dir, pa.Table.from_pylist(kennzahlen_rows(), schema=KZ_SCHEMA), _caseload(), meta)
    out = lists_dir(data_dir)
    for name, tbl in _lists().items():
        pq.write_table(tbl, out / f"{name}.parquet")
    (out / "meta.json").write_text(json.dumps({"stichtag": "2016-12-15", "as_of": "2016-12-31", "lists": {}}))
    cf = casefiles_dir(data_dir)
    cf.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([
        {"caseworker_id": "CW1", "name": "Frau Eins", "team": "T1"},
        {"caseworker_id": "CW2", "name": "Herr Zwei", "team": "T2"},
        {"caseworker_id": "CW3", "name": "Frau Drei", "team": "T1"}]), cf / "caseworkers.parquet")


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("heute")
    app = build_app(data_dir)
    _prepare(data_dir)
    with app.state.sessions.begin() as s:
        s.add(ActionPlan(person_id="P4", caseworker_id="CW1", agreed_on=date(2016, 1, 10),
                         review_on=date(2016, 6, 30), goals=[], created_by="fm1"))
        s.add(CaseContact(person_id="P1", caseworker_id="CW1", at=datetime(2016, 12, 1, 9, tzinfo=UTC),
                          channel="telefon", outcome="Termin vereinbart", created_by="fm1"))
        s.add(CaseContact(person_id="P2", caseworker_id="CW1", channel="angebot", outcome="Ausbildungsplatz",
                          created_by="fm1"))
    out = {}
    for u in ("fm1", "tl1", "controlling"):
        c = TestClient(app, base_url="https://testserver")
        assert login(c, u).status_code == 303
        out[u] = c
    yield out
    app.state.engine.dispose()


def _due_ids(html: str) -> list[str]:
    body = html.split('class="cards due"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="Person"><a href="/fallsteuerung/person/(\w+)"', body)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Heute: ranking, reasons, last contact, scope -------------------------------------------------------

def test_case_manager_sees_own_cases_ranked_with_reasons_and_last_contact(clients):
    r = clients["fm1"].get("/fallsteuerung/heute")
    assert r.status_code == 200
    assert _due_ids(r.text) == ["P4", "P1", "P2", "P5"]
    text = _text(r.text)
    assert "Überprüfung des Kooperationsplans seit 30.06.2016 überfällig" in text
    assert "Betreuungsbedarf in Randzeiten seit 01.09.2016 offen (kein passendes Angebot frei: kein freier Platz)" \
        in text
    # P2: two reasons, the earlier first; no U25 reason (an offer was recorded today)
    assert ("Betreuungsbedarf in Randzeiten seit 01.10.2016 offen (Angebot vorgeschlagen: Kita Sonnenschein); "
            "wird am 15.01.2017 langzeitleistungsbeziehend") in text
    assert "Tagesmutter Weit" not in text and "Ausbildungsangebot" not in text.split("Heute fällig")[1]
    assert "jüngstes Kind seit 20.11.2016 im 2. Lebensjahr" in text
    assert "01.12.2016 (Telefon)" in text and date.today().strftime("%d.%m.%Y") + " (Angebot)" in text
    assert "05970008 Klein-Dorf" in text and "Frau Eins" in text
    assert "Heute fällig: Zeilen 1–4 von 4" in text


def test_window_in_weeks_moves_the_lzb_reason(clients):
    # 9 weeks = 63 days ≥ 62 days to 15.02.2017: P1 now also has the LZB reason
    text = _text(clients["fm1"].get("/fallsteuerung/heute?wochen=9").text)
    assert "wird am 15.02.2017 langzeitleistungsbeziehend" in text
    assert "wird am 15.02.2017" not in _text(clients["fm1"].get("/fallsteuerung/heute").text)
    # 0 weeks: no LZB crossing after the Stichtag, the child's birthday is not on the Stichtag
    ids = _due_ids(clients["fm1"].get("/fallsteuerung/heute?wochen=0").text)
    assert ids == ["P4", "P1", "P2"]


def test_team_lead_and_lead_role_see_their_scope(clients):
    assert _due_ids(clients["tl1"].get("/fallsteuerung/heute").text) == ["P4", "P1", "P2", "P5", "P6"]
    assert _due_ids(clients["controlling"].get("/fallsteuerung/heute").text) == ["P4", "P1", "P2", "P5", "P6", "P3"]
    text = _text(clients["tl1"].get("/fallsteuerung/heute").text)
    assert "unter 25, ohne Berufsabschluss, kein Ausbildungsangebot erfasst" in text and "Frau Drei" in text


def test_filters_and_sorting_on_heute(clients):
    fm1, tl1 = clients["fm1"], clients["tl1"]
    assert _due_ids(fm1.get("/fallsteuerung/heute?grund=randzeit").text) == ["P1", "P2"]
    assert _due_ids(fm1.get("/fallsteuerung/heute?gemeinde=klein").text) == ["P4"]
    assert _due_ids(tl1.get("/fallsteuerung/heute?fachkraft=frau%20DREI").text) == ["P6"]
    assert _due_ids(tl1.get("/fallsteuerung/heute?fachkraft=cw3").text) == ["P6"]
    assert _due_ids(fm1.get("/fallsteuerung/heute?sortierung=person_id&richtung=ab").text) == ["P5", "P4", "P2", "P1"]
    # last contact ascending: 01.12.2016 (P1), today (P2), then those without contact by rank order (P4, P5)
    assert _due_ids(fm1.get("/fallsteuerung/heute?sortierung=last_contact").text) == ["P1", "P2", "P4", "P5"]
    assert fm1.get("/fallsteuerung/heute?grund=unbekannt").status_code == 422
    r = fm1.get("/fallsteuerung/heute?sortierung=passwort")
    assert r.status_code == 422 and "sortiert" in r.text


def test_search_by_id_or_caseworker_name_case_insensitive(clients):
    fm1, tl1 = clients["fm1"], clients["tl1"]
    body = fm1.get("/fallsteuerung/heute?suche=p1").text
    assert "Suchergebnis für „p1“ (1 Person)" in _text(body)
    assert body.count('href="/fallsteuerung/person/P1"') == 2  # the hit and the due row
    assert "Suchergebnis für „FRAU EINS“ (5 Personen)" in _text(fm1.get("/fallsteuerung/heute?suche=FRAU%20EINS").text)
    # P3 belongs to CW2: not found by fm1
    assert "(0 Personen)" in _text(fm1.get("/fallsteuerung/heute?suche=P3").text)
    text = _text(tl1.get("/fallsteuerung/heute?suche=drei").text)
    assert "Suchergebnis für „drei“ (1 Person)" in text and "unter 25, ohne Berufsabschluss" in text


def test_heute_is_the_case_managers_start_page():
    assert permissions.LANDING["fallmanagement"] == "/fallsteuerung/heute"


# --- lists: server-side sorting, filters, search, paging with totals ------------------------------------

LIST = "/fallsteuerung/listen/lzb-ohne-massnahme"


def _list_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/fallsteuerung/person/(Q\d+)">', html)


def test_list_paging_with_total_count(clients):
    c = clients["controlling"]
    first = c.get(LIST).text
    assert "Zeilen 1–50 von 123" in first and _list_ids(first) == [f"Q{i:03d}" for i in range(1, 51)]
    third = c.get(LIST + "?seite=3").text
    assert "Zeilen 101–123 von 123" in third and _list_ids(third) == [f"Q{i:03d}" for i in range(101, 124)]
    assert "Seite 3 von 3" in _text(third)
    assert 'rel="prev"' in third and 'rel="next"' not in third
    # beyond the last page: the last page
    assert "Zeilen 101–123 von 123" in c.get(LIST + "?seite=99").text
    assert c.get(LIST + "?seite=0").status_code == 422
    assert c.get(LIST + "?seite=zwei").status_code == 422


def test_list_filters_case_insensitive_by_name(clients):
    c = clients["controlling"]
    klein = c.get(LIST + "?gemeinde=KLEIN").text
    assert "(41 Zeilen, gefiltert aus 123)" in _text(klein) and "Zeilen 1–41 von 41" in klein
    assert _list_ids(klein)[:3] == ["Q003", "Q006", "Q009"]
    assert "05970008 Klein-Dorf" in klein
    assert "Zeilen 51–82 von 82" in c.get(LIST + "?gemeinde=05970040&seite=2").text
    assert "Zeilen 1–41 von 41" in c.get(LIST + "?fachkraft=bernd").text
    assert "Zeilen 1–41 von 41" in c.get(LIST + "?fachkraft=cw2").text
    assert "Zeilen 1–41 von 41" in c.get(LIST + "?team=t2").text
    assert "keine Zeilen" in c.get(LIST + "?team=t").text  # the team must match exactly
    assert _list_ids(c.get(LIST + "?suche=q12").text) == ["Q120", "Q121", "Q122", "Q123"]


def test_list_sorting(clients):
    c = clients["controlling"]
    desc = c.get(LIST + "?sortierung=elb_days_730&richtung=ab").text
    assert _list_ids(desc)[:3] == ["Q122", "Q121", "Q120"]
    assert 'aria-sort="descending"' in desc
    # the empty value (Q123) is last in both directions
    assert _list_ids(c.get(LIST + "?sortierung=elb_days_730&richtung=ab&seite=3").text)[-1] == "Q123"
    assert _list_ids(c.get(LIST + "?sortierung=elb_days_730&seite=3").text)[-1] == "Q123"
    # names sort case-insensitively: "anna Alt" before "Bernd Bau"; ties by person id
    by_name = _list_ids(c.get(LIST + "?sortierung=caseworker_name").text)
    assert by_name[:3] == ["Q001", "Q002", "Q004"]
    assert _list_ids(c.get(LIST + "?sortierung=caseworker_name&richtung=ab").text)[:3] == ["Q003", "Q006", "Q009"]
    assert c.get(LIST + "?sortierung=geheim").status_code == 422


def test_case_manager_list_is_scoped_before_paging(clients):
    # fm1 (CW1) has no Q persons in the caseload: the list is empty, not a page of other people's rows
    page = clients["fm1"].get(LIST).text
    assert _list_ids(page) == [] and "keine Zeilen" in page


# --- the pure functions ----------------------------------------------------------------------------------

def test_query_rules_pure():
    names = {"05970040": "Bad Berleburg"}
    row = {"person_id": "P9", "municipality_id": "05970040", "team": "T1", "caseworker_id": "CW1",
           "caseworker_name": "Frau Eins", "flags": "school_age pension_age"}
    assert matches(row, ListQuery(municipality="0597"), names)  # AGS prefix
    assert matches(row, ListQuery(municipality="berleburg"), names)
    assert not matches(row, ListQuery(municipality="40"), names)  # not a prefix, not in the name
    assert matches(row, ListQuery(reason="PENSION_AGE"), names)
    assert not matches(row, ListQuery(reason="pension"), names)
    assert matches(row, ListQuery(search=" eins "), names)
    tbl = pa.Table.from_pylist([{"person_id": f"X{i}"} for i in range(7)])
    page = run(tbl, ListQuery(page=2, page_size=3))
    assert (page.total, page.pages, page.first, page.last, page.label()) == (7, 3, 4, 6, "Zeilen 4–6 von 7")
    # an all-empty column sorts by person id; list columns by their text, empty last
    odd = pa.table({"person_id": ["b", "a", "c"], "n": pa.array([None] * 3, pa.null()),
                    "l": pa.array([[2], [1], None], pa.list_(pa.int64()))})
    assert run(odd, ListQuery(sort="n")).rows["person_id"].to_pylist() == ["a", "b", "c"]
    assert run(odd, ListQuery(sort="l", descending=True)).rows["person_id"].to_pylist() == ["b", "a", "c"]
    big = pa.Table.from_pylist([{"person_id": f"X{i:05d}"} for i in range(6451)])
    assert run(big, ListQuery(page=11)).label() == "Zeilen 501–550 von 6.451"


def test_due_cases_pure_leap_day_and_tie():
    caseload = {"A": {"caseworker_id": "C"}, "B": {"caseworker_id": "C"}}
    lists = {"eltern-kleinkind": pa.Table.from_pylist([
        {"person_id": "B", "partner_id": "A", "youngest_child_birth": date(2016, 2, 29)}])}
    # born 29.02.2016: one year old on 28.02.2017 (add_months clamps to the month's end)
    t = due_cases(lists, date(2017, 2, 15), caseload, weeks=2)
    assert t.column("person_id").to_pylist() == ["A", "B"]  # same due date and reasons: by person id
    assert t.column("due").to_pylist() == [date(2017, 2, 28)] * 2
    assert due_cases(lists, date(2017, 2, 13), caseload, weeks=2).num_rows == 0  # 15 days ahead > 14
    with pytest.raises(ValueError, match="negativ"):
        due_cases(lists, date(2017, 2, 15), caseload, weeks=-1)


def test_caseload_filter_by_caseworker_name_case_insensitive(clients):
    fm1, tl1, ctl = clients["fm1"], clients["tl1"], clients["controlling"]
    assert "Fallbestand des Teams T1 der Fachkraft frau DREI (1 Person)" in _text(
        tl1.get("/fallsteuerung?fachkraft=frau%20DREI").text)
    assert "(5 Personen)" in _text(fm1.get("/fallsteuerung?fachkraft=FRAU%20eins").text)
    # an exact caseworker id outside the scope is refused, whatever its case
    assert tl1.get("/fallsteuerung?fachkraft=cw2").status_code == 403
    assert fm1.get("/fallsteuerung?fachkraft=cw3").status_code == 403
    klein = ctl.get("/fallsteuerung?gemeinde=klein").text
    assert "(2 Personen)" in _text(klein) and "05970008 Klein-Dorf" in klein
    assert re.findall(r'href="/fallsteuerung/person/(P\d)"', klein) == ["P3", "P4"]
    desc = ctl.get("/fallsteuerung?sortierung=person_id&richtung=ab").text
    assert re.findall(r'href="/fallsteuerung/person/(P\d)"', desc) == ["P7", "P6", "P5", "P4", "P3", "P2", "P1"]
    assert "Herr Zwei (CW2)" in desc


def test_list_reason_filter_with_labels(clients):
    c = clients["controlling"]
    page = c.get("/fallsteuerung/listen/randzeiten-ungedeckt?grund=zu_weit").text
    assert re.findall(r'href="/fallsteuerung/person/(P\d)"', page) == ["P3"]
    assert '<option value="zu_weit" selected>kein Angebot in erreichbarer Nähe</option>' in page
    assert re.findall(r'href="/fallsteuerung/person/(P\d)"', c.get("/fallsteuerung/listen/randzeiten-ungedeckt").text) \
        == ["P1", "P3"]
