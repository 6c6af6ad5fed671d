"""Work-list pages: a case manager logs in, opens the prevention list (own caseload only), records a
contact, sees it in the case view and in the list; another case manager cannot open that customer.
The app is the real one (``create_app``; its route table registers ``zielwerk.web.pages.fall_lists.ROUTES``)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from .webdata import PASSWORD, build


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = build(tmp_path_factory.mktemp("webdata"))
    yield application
    application.state.engine.dispose()


def client_for(app, username):
    c = TestClient(app, base_url="https://testserver")
    page = c.get("/anmelden")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/anmelden", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": ""},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return c


def test_case_manager_flow(app):
    fm1, fm2 = client_for(app, "fm1"), client_for(app, "fm2")
    # the prevention list of fm1 shows A (own caseload, LZB from 15.10.2015), not B (CW2); C is LZB already
    page = fm1.get("/fallsteuerung/listen/lzb-praevention")
    assert page.status_code == 200
    assert "/fallsteuerung/person/A" in page.text and "/fallsteuerung/person/B" not in page.text
    assert "15.10.2015" in page.text and "Langzeitleistungsbezug verringern" in page.text
    # the goal's current status: K3 of the list's Stichtag month (June 2015), not the later July value;
    # in the wording of FKV 2011, in force for June 2015
    assert "Kennzahl K3 Veränderung des Bestands an Langzeitleistungsbeziehern: -2,0 % (Juni 2015)" in page.text
    # the loop: the list as drawn 6 months earlier (15.12.2014; empty then: A and B were 10 months away)
    assert "Wirkung der Liste:</strong> Von den 0 Personen der Liste vom 15.12.2014" in page.text
    # record a contact for A from the case view
    case = fm1.get("/fallsteuerung/person/A")
    assert case.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', case.text).group(1)
    r = fm1.post("/fallsteuerung/person/A/kontakt", data={"csrf_token": token, "channel": "persoenlich",
                                                          "outcome": "Beratung LZB-Prävention", "note": ""},
                 follow_redirects=False)
    assert r.status_code == 303
    assert "Beratung LZB-Prävention" in fm1.get("/fallsteuerung/person/A").text
    # the list now shows the live last contact (today's date)
    from datetime import date

    assert date.today().strftime("%d.%m.%Y") in fm1.get("/fallsteuerung/listen/lzb-praevention").text
    # the other case manager can neither open A nor see A on the list
    assert fm2.get("/fallsteuerung/person/A").status_code == 403
    assert "/fallsteuerung/person/A" not in fm2.get("/fallsteuerung/listen/lzb-praevention").text
    assert "/fallsteuerung/person/B" in fm2.get("/fallsteuerung/listen/lzb-praevention").text
    # every list read is audited; the refused person read too
    from sqlalchemy import select

    from zielwerk.store.models import AuditEntry

    with app.state.sessions() as db:
        rows = list(db.scalars(select(AuditEntry)))
    reads = [r for r in rows if r.action == "worklist.read" and r.object_id == "lzb-praevention"]
    assert {r.username for r in reads} == {"fm1", "fm2"}
    assert any(r.username == "fm2" and r.action == "person.read" and r.outcome == "denied" for r in rows)


def test_index_download_and_lead_view(app):
    gf = client_for(app, "gf")
    idx = gf.get("/fallsteuerung/listen")
    assert idx.status_code == 200 and "LZB-Prävention" in idx.text and "Randzeiten" in idx.text
    csv_ = gf.get("/fallsteuerung/listen/lzb-praevention/download.csv")
    assert csv_.status_code == 200
    text = csv_.content.decode("utf-8-sig")
    assert text.startswith("Person;") and "A;" in text and "B;" in text
    xl = gf.get("/fallsteuerung/listen/fallbelastung/download.xlsx")
    assert xl.status_code == 200 and xl.content[:2] == b"PK"
    assert gf.get("/fallsteuerung/listen/gibt-es-nicht").status_code == 404


def test_plan_in_store_removes_person_from_no_plan_list(app):
    fm1 = client_for(app, "fm1")
    assert "/fallsteuerung/person/C" in fm1.get("/fallsteuerung/listen/lzb-ohne-kooperationsplan").text
    case = fm1.get("/fallsteuerung/person/C")
    # the case view shows C's open obstacle (debt since 01.01.2014, webdata.dataset) from the case files
    assert re.search(r"<td>Schulden</td><td>01\.01\.2014</td><td>–</td><td>ja</td>", case.text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', case.text).group(1)
    from datetime import date

    r = fm1.post("/fallsteuerung/person/C/plan", data={"csrf_token": token, "agreed_on": date.today().isoformat(),
                                                       "review_on": "", "goals": "Schuldnerberatung"},
                 follow_redirects=False)
    assert r.status_code == 303
    assert "/fallsteuerung/person/C" not in fm1.get("/fallsteuerung/listen/lzb-ohne-kooperationsplan").text


def test_flags_filter_and_dated_title(app):
    """Issue 15: the Stichtag 15.06.2015 gives the 2015 wording; the Hinweis filter selects rows by flag."""
    gf = client_for(app, "gf")
    page = gf.get("/fallsteuerung/listen/lzb-ohne-kooperationsplan")
    assert page.status_code == 200
    assert "<h1>LZB mit Handlungsbedarf ohne Eingliederungsvereinbarung</h1>" in page.text
    # A, B, C are born 1980 (35 years, no employment, no children): no flags
    prev = gf.get("/fallsteuerung/listen/lzb-praevention?hinweis=ohne")
    assert prev.status_code == 200 and "/fallsteuerung/person/A" in prev.text
    old = gf.get("/fallsteuerung/listen/lzb-praevention?hinweis=pension_age")
    assert old.status_code == 200 and "/fallsteuerung/person/A" not in old.text and "Keine Einträge." in old.text
    assert gf.get("/fallsteuerung/listen/lzb-praevention?hinweis=gibt-es-nicht").status_code == 422
    case = client_for(app, "fm1").get("/fallsteuerung/person/C")
    assert "Eingliederungsvereinbarung (§ 15 SGB II a. F. (bis 30.06.2023))" in case.text
