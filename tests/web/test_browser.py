"""Browser tests: Playwright driving Debian's Chromium against a real uvicorn server.

Never skipped: ``scripts/setup.d/50-chromium.sh`` installs /usr/bin/chromium. Screenshots go to
``test-artifacts/``. The accessibility check injects the vendored axe-core (``vendor/axe.min.js``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from web_helpers import PASSWORD, build_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_app):
    data_dir = tmp_path_factory.mktemp("browserdata")
    build_app(data_dir).state.engine.dispose()
    with serve_app(data_dir) as url:
        yield url


def _login(browser, server, username, **context_args):
    ctx = browser.new_context(locale="de-DE", accept_downloads=True, **context_args)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{server}/anmelden")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return ctx, page, errors


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_login_and_dashboard_with_rendered_chart(browser, server):
    ctx, page, errors = _login(browser, server, "controlling")
    assert page.url == f"{server}/"
    assert page.locator("h1").inner_text() == "Überblick"
    page.wait_for_selector("#ueberblick-chart-0[data-rendered=ok] svg", timeout=20000)
    # the chart has drawn marks (lines/points), not an empty canvas
    assert page.locator("#ueberblick-chart-0 svg path").count() > 3
    # the fixture's last month is December: the status is final (erreicht/verfehlt), coloured
    status = page.locator("table").first.locator("td .status, td [class*=status]").all_inner_texts()
    assert any(w in " ".join(status) for w in ("erreicht", "verfehlt")), status
    _shot(page, "ueberblick")
    page.goto(f"{server}/kennzahlen?k=K2&einheit=jobcenter:JC1")
    page.wait_for_selector("#kennzahl-chart[data-rendered=ok] svg", timeout=20000)
    _shot(page, "kennzahlen")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    ctx.close()


def test_change_a_target_as_new_version(browser, server):
    ctx, page, _ = _login(browser, server, "gf")
    page.goto(f"{server}/zielvereinbarung/testkreis-2016")
    versions_before = page.locator("ol li").count()
    assert page.input_value("#q-k2-value") == "25,00"
    page.fill("#q-k2-value", "26,5")
    page.fill("#q-k2-reason", "Planwert nach Halbjahresgespräch angehoben")
    page.click("form.quick button:has-text('Speichern (k2)')")
    page.wait_for_url(f"{server}/zielvereinbarung/testkreis-2016")
    assert page.locator("ol li").count() == versions_before + 1
    assert "Planwert nach Halbjahresgespräch angehoben" in page.locator(".meta").inner_text()
    _shot(page, "zielvereinbarung_neue_fassung")
    page.click("text=Fassungen vergleichen")
    changes = page.locator("ul.changes").inner_text()
    assert "25" in changes and "26" in changes
    _shot(page, "zielvereinbarung_vergleich")
    ctx.close()


def test_download_a_report(browser, server):
    ctx, page, _ = _login(browser, server, "traeger")
    page.goto(f"{server}/berichte")
    with page.expect_download() as info:
        page.click("a[href='/berichte/2016-12?format=pdf']")
    download = info.value
    path = ARTIFACTS / "monatsbericht_2016-12.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(path)
    assert download.suggested_filename == "monatsbericht_2016-12.pdf"
    assert path.read_bytes()[:5] == b"%PDF-" and path.stat().st_size > 10_000
    _shot(page, "berichte")
    ctx.close()


MAIN_PAGES = {
    "controlling": ["/", "/kennzahlen", "/kennzahlen/K2/definition", "/zielvereinbarung",
                    "/zielvereinbarung/testkreis-2016", "/zielvereinbarung/testkreis-2016/bearbeiten",
                    "/zielvereinbarung/testkreis-2016/vergleich", "/berichte", "/daten", "/fallsteuerung",
                    "/fallsteuerung/person/P1", "/fallsteuerung/listen", "/fallsteuerung/listen/lzb-praevention"],
    "admin": ["/verwaltung", "/verwaltung/protokoll", "/verwaltung/protokoll?pruefen=1", "/konto"],
    "fm1": ["/fallsteuerung", "/fallsteuerung/person/P1"],
}


def test_accessibility_axe_no_serious_or_critical_violations(browser, server):
    """axe-core on the main pages (login page included); bypass_csp only to inject axe itself."""
    found = []
    anon = browser.new_context(bypass_csp=True)
    page = anon.new_page()
    page.goto(f"{server}/anmelden")
    found += _axe(page, "/anmelden")
    anon.close()
    for user, paths in MAIN_PAGES.items():
        ctx, page, _ = _login(browser, server, user, bypass_csp=True)
        for path in paths:
            page.goto(f"{server}{path}")
            page.wait_for_load_state("networkidle")
            if page.locator("div.chart").count():
                page.wait_for_selector("div.chart[data-rendered=ok]", timeout=20000)
            found += _axe(page, path)
        ctx.close()
    assert not found, "\n".join(found)


def _axe(page, path) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{path}: {v['id']} ({v['impact']}): {v['help']} – {len(v['nodes'])}×"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
