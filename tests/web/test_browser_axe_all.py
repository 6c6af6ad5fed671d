"""axe-core on every page (issue 13 acceptance): no serious or critical finding.

The page list is built per role from the crawler's discovery (tests/web/test_crawler.py: every same-origin
link and GET form target a role is shown, from its start page), reduced to one URL per route pattern of
the app (``/fallsteuerung/person/{person_id}`` once, not once per person); the login page is checked
anonymously. Each page is loaded in Debian's Chromium, the vendored axe-core (vendor/axe.min.js) injected
(``bypass_csp`` only for that) and run.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_crawler import SKIP_PREFIXES, _targets
from web_helpers import USERS, VARIANTS, browser_login, build_app_with_every_list, login

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ORIGIN = "https://testserver"


def _patterns() -> list[tuple[re.Pattern, str]]:
    from zielwerk.web.app import ROUTES

    out = []
    for method, path, _ in ROUTES:
        if method == "GET":
            out.append((re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path))
    return out


def pattern_of(path: str, patterns) -> str:
    """The app's route pattern a path belongs to (the most specific one: literal routes first)."""
    bare = path.split("?")[0]
    hits = [p for rx, p in patterns if rx.match(bare)]
    if not hits:
        return bare
    return min(hits, key=lambda p: p.count("{"))


def discover(client, start: str, patterns) -> dict[str, str]:
    """Breadth-first over the links a role is shown, visiting one URL per route pattern; returns
    {pattern: first URL of it that answered an HTML page}."""
    queue = deque([start])
    seen_patterns: set[str] = set()
    pages: dict[str, str] = {}
    while queue:
        path = queue.popleft()
        pat = pattern_of(path, patterns)
        if pat in seen_patterns:
            continue
        r = client.get(path, follow_redirects=True)
        final = str(r.url).removeprefix(ORIGIN)
        if "text/html" not in r.headers.get("content-type", ""):
            seen_patterns.add(pat)
            continue
        seen_patterns.add(pat)
        pat = pattern_of(final, patterns)
        pages.setdefault(pat, final)
        for url in _targets(ORIGIN + final, r.text):
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != ORIGIN:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(SKIP_PREFIXES) or pattern_of(target, patterns) in seen_patterns:
                continue
            queue.append(target)
    return pages


@pytest.fixture(scope="module")
def site(tmp_path_factory, serve_app):
    """(server URL, {user: [page URLs]}) — the crawler's fixture data (every work list present)."""
    from fastapi.testclient import TestClient

    from zielwerk.web.permissions import LANDING

    data = tmp_path_factory.mktemp("axe_all")
    app = build_app_with_every_list(data)
    patterns = _patterns()
    pages: dict[str, list[str]] = {}
    for name, (role, _) in USERS.items():
        c = TestClient(app, base_url=ORIGIN)
        assert login(c, name).status_code == 303
        start = LANDING["fallmanagement" if VARIANTS.get(name) == "teamleitung" else role]
        pages[name] = list(discover(c, start, patterns).values())
        c.close()
    app.state.engine.dispose()
    with serve_app(data) as url:
        yield url, pages


def _axe(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_discovery_covers_the_main_routes_of_each_role(site):
    _, pages = site
    pats = _patterns()
    controlling = {pattern_of(p, pats) for p in pages["controlling"]}
    assert {"/", "/kennzahlen", "/zielvereinbarung/{key}", "/zielvereinbarung/{key}/bearbeiten",
            "/zielvereinbarung/{key}/vergleich", "/berichte"} <= controlling, controlling
    assert "/fallsteuerung/heute" in {pattern_of(p, pats) for p in pages["fm1"]}
    assert all(len(v) == len({pattern_of(p, pats) for p in v}) for v in pages.values())  # one per pattern


def test_axe_every_page_of_every_role(browser, site):
    server, pages = site
    found: list[str] = []
    anon = browser.new_context(bypass_csp=True)
    page = anon.new_page()
    page.goto(f"{server}/anmelden")
    found += [f"anonym /anmelden: {f}" for f in _axe(page)]
    anon.close()
    checked = 1
    for user, paths in pages.items():
        ctx, page = browser_login(browser, server, user, bypass_csp=True)
        for path in paths:
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
            found += [f"{user} {path}: {f}" for f in _axe(page)]
            checked += 1
        ctx.close()
    assert checked > 30, checked
    assert not found, "\n".join(found)
