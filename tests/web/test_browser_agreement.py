"""Browser tests (issue 13 acceptance): signing as each party with a confirmation step; editing a target
in the agreement form and reading the readable diff; a deviation comment that appears in the PDF.

Playwright on Debian's Chromium against a real uvicorn server (fixtures in tests/conftest.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from web_helpers import _password_hash, browser_login, build_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
KEY = "testkreis-2016"


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app):
    data_dir = tmp_path_factory.mktemp("browser_agreement")
    app = build_app(data_dir)
    from zielwerk.store.models import User

    with app.state.sessions.begin() as s:  # a second carrier user: one signs for the Kreis, one for the Agentur
        s.add(User(username="traeger2", full_name="Traeger Zwei", password_hash=_password_hash(), role="traeger"))
    app.state.engine.dispose()
    with serve_app(data_dir) as url:
        yield url


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _party_row(page, label: str) -> str:
    return page.locator("table", has_text="Unterschriften der Fassung").locator("tr", has_text=label).inner_text()


def test_sign_as_each_party_with_confirmation(browser, server):
    """Jobcenter (geschaeftsfuehrung), Kreis and Agentur für Arbeit (traeger: the party chosen first while
    both are open);
    without ticking the confirmation nothing is signed; after the third party the version is signed."""
    steps = [("gf", "Geschäftsführung des Jobcenters", None),
             ("traeger", "Kreis (kommunaler Träger)", "Kreis (kommunaler Träger)"),
             # the Kreis has signed: the button names the one open party, no choice
             ("traeger2", "Agentur für Arbeit", None)]
    for i, (user, party, choose) in enumerate(steps):
        ctx, page = browser_login(browser, server, user)
        page.goto(f"{server}/zielvereinbarung/{KEY}")
        assert "noch nicht unterzeichnet" in _party_row(page, party)
        page.click("form[action$='/unterzeichnen'] button")
        if choose:  # a carrier user chooses the party first
            page.click(f"main a:has-text('{choose}')")
        page.wait_for_selector("text=Verbindlich unterzeichnen")
        assert party in page.locator("form.card").inner_text()
        if i == 0:  # the confirmation is required: the browser refuses the unticked box
            page.click("text=Verbindlich unterzeichnen")
            assert page.url.split("?")[0].endswith("/unterzeichnen")
            assert page.evaluate("document.querySelector('#bestaetigt').validity.valueMissing")
            _shot(page, "unterzeichnen_bestaetigung")
        page.check("#bestaetigt")
        page.click("text=Verbindlich unterzeichnen")
        page.wait_for_url(re.compile(rf"/zielvereinbarung/{KEY}\?fassung=1$"))
        row = _party_row(page, party)
        assert "noch nicht unterzeichnet" not in row and "im Web" in row, row
        # the button for this user is gone (no dead end to a 409)
        assert page.locator("form[action$='/unterzeichnen'] button").count() == 0
        ctx.close()
    ctx, page = browser_login(browser, server, "controlling")
    page.goto(f"{server}/zielvereinbarung/{KEY}")
    assert "ist von allen Parteien unterzeichnet" in page.locator("main").inner_text()
    page.goto(f"{server}/")
    assert "noch nicht unterzeichnet" not in page.locator("main").inner_text()
    _shot(page, "zielvereinbarung_unterzeichnet")
    ctx.close()


def test_edit_a_target_in_the_form_and_read_the_diff(browser, server):
    ctx, page = browser_login(browser, server, "controlling")
    page.goto(f"{server}/zielvereinbarung/{KEY}")
    page.click("text=Bearbeiten (neue Fassung)")
    page.wait_for_selector("#f-g0-t0-wert")
    assert page.input_value("#f-g0-t0-wert") in ("25", "26,5")
    # a wrong entry first: a German message on the field, nothing saved
    page.fill("#f-g0-t0-wert", "125")
    page.fill("#f-reason", "Nachsteuerung")
    page.click("button[value=speichern]")
    page.wait_for_selector("#err-g0-t0-wert")
    assert page.locator("#err-g0-t0-wert").inner_text() == \
        "Zielwert muss bei einer Quote zwischen 0 und 100 liegen, nicht 125"
    assert page.get_attribute("#f-g0-t0-wert", "aria-invalid") == "true"
    _shot(page, "zielvereinbarung_formular_fehler")
    page.fill("#f-g0-t0-wert", "27,5")
    page.fill("#f-g1-t0-veraenderung_prozent", "-2,5")
    page.select_option("#f-g1-traeger", "gemeinsam")
    page.click("button[value=speichern]")
    page.wait_for_url(f"{server}/zielvereinbarung/{KEY}/vergleich")
    changes = page.locator("ul.changes").inner_text()
    assert re.search(r"Zielwert K2: \d+,\d % → 27,5 %", changes), changes
    assert "Zielwert K3: −2,0 % → −2,5 %" in changes
    assert "Träger von „Langzeitbezug vermeiden“: Kreis → gemeinsam (Kreis und Agentur für Arbeit)" in changes
    assert "unterzeichner" not in changes and "ziele[" not in changes
    _shot(page, "zielvereinbarung_vergleich_lesbar")
    ctx.close()


def test_deviation_comment_appears_in_the_pdf(browser, server):
    from pypdf import PdfReader

    text = "Personalengpass im Fallmanagement (Browser)"
    ctx, page = browser_login(browser, server, "controlling")
    page.goto(f"{server}/berichte?monat=2016-06")
    page.fill("#text-lzb", text)
    page.click("#ziel-lzb button:has-text('Speichern')")
    page.wait_for_load_state("networkidle")
    assert text in page.locator("#ziel-lzb").inner_text()
    with page.expect_download() as info:
        page.click("a[href='/berichte/2016-06?format=pdf']")
    data = Path(info.value.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    pdf_text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())
    assert text in pdf_text
    assert "Begründung: " + text in pdf_text  # beside the goal's deviation
    ctx.close()


def test_agreement_form_at_390_px_without_horizontal_scrolling(browser, server):
    ctx, page = browser_login(browser, server, "controlling", viewport={"width": 390, "height": 844})
    page.goto(f"{server}/zielvereinbarung/neu")
    page.wait_for_selector("#f-g0-t0-kennzahl")
    _shot(page, "zielvereinbarung_neu_390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ctx.close()


def test_agreement_form_with_field_errors_has_no_serious_axe_findings(browser, server):
    """The crawler reaches the form only in its valid state: the state with messages per field, too."""
    axe = Path(__file__).parent / "vendor" / "axe.min.js"
    ctx, page = browser_login(browser, server, "controlling", bypass_csp=True)
    page.goto(f"{server}/zielvereinbarung/neu")
    page.fill("#f-jahr", "20x")
    page.fill("#f-g0-t0-wert", "abc")
    page.click("button[value=speichern]")
    page.wait_for_selector("#err-jahr")
    page.add_script_tag(content=axe.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, bad
    ctx.close()
