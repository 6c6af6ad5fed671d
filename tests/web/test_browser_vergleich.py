"""Browser test (issue 14): the peer comparison's band chart renders, the supervision matrix shows coloured
statuses (Playwright on Debian's Chromium against a real uvicorn server, fixture data of web_helpers)."""

from __future__ import annotations

import pytest
from web_helpers import PASSWORD, build_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app):
    data_dir = tmp_path_factory.mktemp("browservergleich")
    build_app(data_dir).state.engine.dispose()
    with serve_app(data_dir) as url:
        yield url


def test_band_chart_and_matrix(browser, server):
    ctx = browser.new_context(locale="de-DE")
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{server}/anmelden")
    page.fill("#username", "rd1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{server}/aufsicht"
    cells = page.locator("table.matrix .status").all_inner_texts()
    assert "verfehlt" in cells, cells
    page.click("text=Vergleich >> nth=0")
    page.wait_for_selector("#vergleich-band[data-rendered=ok] svg", timeout=20000)
    # band areas, median and the Jobcenter's line are drawn
    assert page.locator("#vergleich-band svg path").count() >= 4
    page.select_option("select[name=k]", "K3")
    page.click("button[type=submit] >> text=Anzeigen")
    page.wait_for_selector("#vergleich-band[data-rendered=ok] svg", timeout=20000)
    assert "Veränderung des Bestands an Langzeitleistungsbeziehenden" in page.locator("main").inner_text()
    # no script error, no CSP refusal; nothing but the browser's own favicon request missing
    assert not [e for e in errors if "Failed to load resource" not in e], errors
    assert all(u.endswith("/favicon.ico") for u in missing), missing
    ctx.close()
