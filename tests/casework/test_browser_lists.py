"""Browser test (Playwright, Debian's Chromium, real uvicorn server): a case manager logs in, opens
the LZB prevention list, records a contact for a customer on it, sees the contact in the case view;
another case manager cannot open that customer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from .webdata import PASSWORD, build

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app):
    data_dir = tmp_path_factory.mktemp("fallbrowser")
    build(data_dir).state.engine.dispose()
    with serve_app(data_dir) as url:
        yield url


def _login(browser, server, username):
    ctx = browser.new_context(locale="de-DE")
    page = ctx.new_page()
    page.goto(f"{server}/anmelden")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return ctx, page


def test_case_manager_records_contact_from_prevention_list(browser, server):
    ctx, page = _login(browser, server, "fm1")
    page.goto(f"{server}/fallsteuerung/listen")
    page.click("text=LZB-Prävention")
    assert page.locator("h1").inner_text() == "LZB-Prävention"
    table = page.locator("table").inner_text()
    assert "15.10.2015" in table  # A becomes LZB on 15.10.2015 if A stays in receipt
    assert page.locator("a[href='/fallsteuerung/person/B']").count() == 0  # B belongs to CW2
    page.click("a[href='/fallsteuerung/person/A']")
    assert page.locator("h1").inner_text() == "Person A"
    page.select_option("#channel", "telefon")
    page.fill("#outcome", "Beratung zur LZB-Prävention vereinbart")
    page.click("text=Kontakt erfassen")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/fallsteuerung/person/A")
    assert "Beratung zur LZB-Prävention vereinbart" in page.locator("main").inner_text()
    # back on the list, the last contact is today's
    page.goto(f"{server}/fallsteuerung/listen/lzb-praevention")
    assert date.today().strftime("%d.%m.%Y") in page.locator("table").inner_text()
    ctx.close()

    ctx2, page2 = _login(browser, server, "fm2")
    resp = page2.goto(f"{server}/fallsteuerung/person/A")
    assert resp.status == 403
    assert "Berechtigung" in page2.locator("main").inner_text()
    page2.goto(f"{server}/fallsteuerung/listen/lzb-praevention")
    assert page2.locator("a[href='/fallsteuerung/person/A']").count() == 0
    assert page2.locator("a[href='/fallsteuerung/person/B']").count() == 1
    ctx2.close()
