"""Browser test (Playwright, Debian's Chromium, real uvicorn server) of issue 13 item 5: a case manager
finds a person by id and by surname on "Heute", sorts a work list, pages to the last page of "LZB ohne Maßnahme",
opens "Heute" at 390 px without horizontal scrolling; axe-core finds nothing serious on "Heute".

Data: the hand-built folder of ``test_heute.py``, with the 123 persons Q001 … Q123 of the list
``lzb-ohne-massnahme`` moved into fm1's caseload (CW1), so fm1 sees 123 rows = 3 pages of 50.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_heute import CASELOAD, _lists, _prepare
from web_helpers import browser_login, build_app

from zielwerk.web.results import lists_dir, results_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


#: person id → (first name, last name); P1 and Q017 belong to fm1 (CW1), P3 to CW2
NAMES = {"P1": ("Anna", "Müller"), "Q017": ("Peter", "Müller"), "P3": ("Anna", "Müllerová")}


def _prepare_browser(data_dir: Path) -> None:
    _prepare(data_dir)
    rows = [{"person_id": p, "caseworker_id": cw, "team": t, "municipality_id": m, "sex": "f",
             "birth_date": date(1990, 1, 1), "assigned_since": date(2015, 1, 1)} for p, cw, t, m in CASELOAD]
    rows += [{"person_id": f"Q{i:03d}", "caseworker_id": "CW1", "team": "T1", "municipality_id": "05970040",
              "sex": "m", "birth_date": date(1980, 1, 1), "assigned_since": date(2015, 1, 1)} for i in range(1, 124)]
    # person names (docs/data.md, "Person names"): two Müllers in fm1's caseload, the rest without a name
    for r in rows:
        r["first_name"], r["last_name"] = NAMES.get(r["person_id"], (None, None))
    pq.write_table(pa.Table.from_pylist(rows), results_dir(data_dir) / "caseload.parquet")
    q = _lists()["lzb-ohne-massnahme"]
    # as wide as the real lists (about 20 columns, some with long texts): print must not cut columns
    for k in range(14):
        q = q.append_column(f"spalte_{k}", pa.array([f"Handlungsbedarf Schulden und Wohnung {k}"] * q.num_rows))
    pq.write_table(q, lists_dir(data_dir) / "lzb-ohne-massnahme.parquet")


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app):
    data_dir = tmp_path_factory.mktemp("heutebrowser")
    build_app(data_dir).state.engine.dispose()
    _prepare_browser(data_dir)
    with serve_app(data_dir) as url:
        yield url


def test_case_manager_finds_sorts_and_pages(browser, server):
    ctx, page = browser_login(browser, server, "fm1")
    # the start page of a case manager is "Heute"
    assert page.url.endswith("/fallsteuerung/heute")
    assert page.locator("h1").inner_text() == "Heute"
    assert "jüngstes Kind seit 20.11.2016 im 2. Lebensjahr" in page.locator("table.due").inner_text()
    # find a person by id, case-insensitively
    page.fill("#suche", "q12")
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.wait_for_load_state("networkidle")
    hits = page.locator("section[aria-label=Suchergebnis] table")
    assert "(4 Personen)" in hits.locator("caption").inner_text()
    hits.locator("a[href='/fallsteuerung/person/Q121']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Person Q121"
    # the list: sort by person, descending on the second click
    page.goto(f"{server}/fallsteuerung/listen/lzb-ohne-massnahme")
    page.locator("th a", has_text="Person").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("th a", has_text="Person").first.click()
    page.wait_for_load_state("networkidle")
    assert "richtung=ab" in page.url
    first = page.locator("table tbody tr").first.locator("a[href^='/fallsteuerung/person/']").inner_text()
    assert first == "Q123"
    # page to the last page
    page.click("text=letzte Seite »")
    page.wait_for_load_state("networkidle")
    assert "Zeilen 101–123 von 123" in page.locator(".pager").inner_text()
    last = page.locator("table tbody tr").last.locator("a[href^='/fallsteuerung/person/']").inner_text()
    assert last == "Q001"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "liste-letzte-seite.png"), full_page=True)
    ctx.close()


def test_heute_at_390_px_without_horizontal_scrolling(browser, server):
    ctx, page = browser_login(browser, server, "fm1", viewport={"width": 390, "height": 844})
    page.goto(f"{server}/fallsteuerung/heute?suche=frau%20eins")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "heute-390.png"), full_page=True)
    assert width <= 390, width
    # the rows are cards: the header row is visually hidden, each cell carries its label
    assert page.locator("table.due thead").bounding_box()["height"] <= 1
    ctx.close()


def test_heute_and_lists_axe_no_serious_or_critical_violations(browser, server):
    found = []
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        ctx, page = browser_login(browser, server, "tl1", bypass_csp=True, viewport=viewport)
        for path in ("/fallsteuerung/heute?suche=p", "/fallsteuerung/listen/lzb-ohne-massnahme?seite=2",
                     "/fallsteuerung?sortierung=team&richtung=ab"):
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            found += [f"{path} {viewport['width']} px: {v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])}×"
                      for v in result["violations"] if v["impact"] in ("serious", "critical")]
        ctx.close()
    assert not found, "\n".join(found)


def test_print_without_navigation_and_without_cut_columns(browser, server):
    """Printing (A4 portrait ≈ 794 px at 96 dpi): no navigation, forms or pager; the widest list (all
    columns of "LZB-Prävention"-like lists) fits the page width instead of being cut off."""
    ctx, page = browser_login(browser, server, "fm1", viewport={"width": 794, "height": 1123})
    for path in ("/fallsteuerung/listen/lzb-ohne-massnahme", "/fallsteuerung/heute"):
        page.goto(f"{server}{path}")
        page.emulate_media(media="print")
        assert not page.locator("nav[aria-label=Hauptnavigation]").is_visible()
        assert not page.locator("form").first.is_visible()
        right = page.evaluate("Math.max(...[...document.querySelectorAll('table')]"
                              ".map(t => t.getBoundingClientRect().right))")
        assert right <= 794, (path, right)
        assert page.evaluate("document.documentElement.scrollWidth") <= 794, path
        page.emulate_media(media="screen")
    ctx.close()


def test_list_at_390_px_as_cards(browser, server):
    ctx, page = browser_login(browser, server, "fm1", viewport={"width": 390, "height": 844})
    page.goto(f"{server}/fallsteuerung/listen/lzb-ohne-massnahme")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # sorting without the hidden header row: the small-screen sort form
    page.select_option("#sortierung-klein", "person_id")
    page.select_option("#richtung-klein", "ab")
    page.get_by_role("button", name="Sortieren", exact=True).click()
    page.wait_for_load_state("networkidle")
    first = page.locator("table tbody tr").first.locator("a[href^='/fallsteuerung/person/']").inner_text()
    assert first == "Q123"
    ctx.close()


def test_case_manager_finds_a_person_by_surname(browser, server):
    """Issue 13: the case manager types a surname in lower case and finds the persons of that name in the
    own caseload (P1 Anna Müller, Q017 Peter Müller; not P3 "Müllerová" of CW2), sees "Nachname, Vorname"
    beside the id, narrows to "anna m" and opens the person."""
    ctx, page = browser_login(browser, server, "fm1")
    page.fill("#suche", "müller")
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.wait_for_load_state("networkidle")
    hits = page.locator("section[aria-label=Suchergebnis] table")
    assert "(2 Personen)" in hits.locator("caption").inner_text()
    rows = hits.locator("tbody tr")
    assert rows.nth(0).locator("td").nth(0).inner_text() == "P1"
    assert rows.nth(0).locator("td").nth(1).inner_text() == "Müller, Anna"
    assert rows.nth(1).locator("td").nth(1).inner_text() == "Müller, Peter"
    page.fill("#suche", "anna m")
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "(1 Person)" in hits.locator("caption").inner_text()
    hits.locator("a[href='/fallsteuerung/person/P1']").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Person P1 – Müller, Anna"
    ctx.close()


def test_case_manager_finds_persons_by_caseworker_name_case_insensitively(browser, server):
    """The search also matches the caseworker's name (issue 13 item 5): "FRAU EINS" in capitals finds
    every person of Frau Eins (CW1): 5 of CASELOAD and Q001–Q123."""
    expected = sum(1 for _, cw, _, _ in CASELOAD if cw == "CW1") + 123
    ctx, page = browser_login(browser, server, "fm1")
    page.fill("#suche", "FRAU EINS")
    page.get_by_role("button", name="Suchen", exact=True).click()
    page.wait_for_load_state("networkidle")
    hits = page.locator("section[aria-label=Suchergebnis] table")
    assert f"({expected} Personen, die ersten 50 angezeigt)" in hits.locator("caption").inner_text()
    assert "Frau Eins" in hits.locator("tbody tr").first.inner_text()
    ctx.close()
