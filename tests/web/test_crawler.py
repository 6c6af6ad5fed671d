"""Issue 13 acceptance: every link a user is shown works for that user.

Logs in as every demo role (the ``clients`` fixture: the app with the fixture data, one user per role)
and follows, breadth-first from the role's start page, every same-origin link (``href``) and every
GET form target (``action`` of ``<form method="get">``, submitted with its first option/value) the
role is shown, up to :data:`LIMIT` pages per role. No answer may be 403, 404 or 5xx. When the reachable
set is smaller than the limit, the whole set has been visited (the queue ran empty).
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

LIMIT = 300
#: never follow: logging out ends the crawl's session; static assets are no pages
SKIP_PREFIXES = ("/static/", "/abmelden", "/api/")


class _Links(HTMLParser):
    """Collects ``<a href>`` and GET forms (their action and the first value of each named field)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form: tuple[str, dict[str, str]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            if a.get("method", "get").lower() == "get":
                self._form = (a.get("action", ""), {})
        elif self._form is not None and tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self._form[1].setdefault(a["name"], a.get("value", ""))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
        elif self._form is not None and tag == "option" and self._select:
            self._form[1].setdefault(self._select, a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _targets(base: str, html: str) -> list[str]:
    p = _Links()
    p.feed(html)
    out = [urljoin(base, h) for h in p.links]
    for action, fields in p.forms:
        url = urljoin(base, action or base)
        out.append(url.split("?")[0] + ("?" + urlencode(fields) if fields else ""))
    return out


def crawl(client, start: str = "/") -> tuple[list[str], dict[str, int], bool]:
    """(visited paths in order, {path: status} of every bad answer, whether every reachable page was
    visited)."""
    first = client.get(start, follow_redirects=True)
    origin = "https://testserver"
    queue = deque([str(first.url).removeprefix(origin)])
    seen = set(queue)
    visited: list[str] = []
    bad: dict[str, int] = {}
    while queue and len(visited) < LIMIT:
        path = queue.popleft()
        r = client.get(path, follow_redirects=True)
        visited.append(path)
        if r.status_code in (403, 404) or r.status_code >= 500:
            bad[path] = r.status_code
        if "text/html" not in r.headers.get("content-type", ""):
            continue
        for url in _targets(origin + path, r.text):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target.startswith(SKIP_PREFIXES) or target in seen:
                continue
            seen.add(target)
            queue.append(target)
    return visited, bad, not queue


@pytest.fixture(scope="module")
def crawl_clients(tmp_path_factory):
    """The fixture app (``web_helpers.build_app``) with every work list of the catalogue computed, as after
    an import (the shared fixture holds two lists only; a list missing from the generation answers 404
    by design), one logged-in client per role."""
    from fastapi.testclient import TestClient
    from web_helpers import USERS, VARIANTS, build_app_with_every_list, login

    app = build_app_with_every_list(tmp_path_factory.mktemp("crawl"))
    clients = {}
    for name, (role, _) in USERS.items():
        c = TestClient(app, base_url="https://testserver")
        assert login(c, name).status_code == 303
        clients[VARIANTS.get(name, role)] = c
    yield clients
    for c in clients.values():
        c.close()
    app.state.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "geschaeftsfuehrung", "controlling", "traeger", "kommune",
                                  "fallmanagement", "teamleitung", "aufsicht"])
def test_every_link_works(crawl_clients, role):
    from zielwerk.web.permissions import LANDING

    client = crawl_clients[role]
    start = LANDING["fallmanagement" if role == "teamleitung" else role]
    visited, bad, complete = crawl(client, start)
    assert not bad, f"{role}: {bad}"
    assert visited[0] == start
    # at least LIMIT pages, or fewer when the role's whole reachable set was visited
    assert len(visited) == LIMIT or complete, (len(visited), complete)
    assert len(visited) >= 3, visited


def test_link_parser_reads_links_and_get_forms():
    html = ('<a href="/a">A</a><a href="https://elsewhere/x">x</a>'
            '<form method="get" action="/b"><select name="monat"><option value="2016-12">Dez</option>'
            '<option value="2016-11">Nov</option></select><input name="q" value=""></form>'
            '<form method="post" action="/c"><input name="z" value="1"></form>')
    got = _targets("https://testserver/start", html)
    assert got == ["https://testserver/a", "https://elsewhere/x", "https://testserver/b?monat=2016-12&q="]


@pytest.mark.slow
def test_every_link_works_on_the_demo(tmp_path, siegen_dir):
    """The demo as ``zielwerk demo`` sets it up (generated Siegen-Wittgenstein data, the example agreement,
    one demo user per role): every role, from its start page, ≥ 300 pages or its whole reachable set."""
    from fastapi.testclient import TestClient
    from web_helpers import login

    from zielwerk.pipeline.run import run_import
    from zielwerk.store import default_url
    from zielwerk.web import WebConfig, create_app
    from zielwerk.web.permissions import LANDING
    from zielwerk.web.provision import EXAMPLE_AGREEMENT, EXAMPLE_KEY, ensure_demo_users, load_agreement_file

    data = tmp_path / "demo"
    app = create_app(WebConfig(data_dir=data))
    assert load_agreement_file(app.state.sessions, EXAMPLE_AGREEMENT, EXAMPLE_KEY)
    run_import(siegen_dir, data, db_url=default_url(data))
    # the demo's official table (zielwerk demo loads it): the aufsicht user oversees Siegen's Vergleichstyp
    from zielwerk.pipeline.provision import load_official_figures

    assert load_official_figures(app.state.sessions, siegen_dir) > 0
    accounts = ensure_demo_users(app.state.sessions, data, password=lambda name: f"{name}-Kraeftig-Demo-7")
    assert {role for _, role, _ in accounts} == set(LANDING)
    problems = {}
    for name, role, password in accounts:
        with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client:
            assert login(client, name, password).status_code == 303
            visited, bad, complete = crawl(client, LANDING[role])
        assert len(visited) == LIMIT or complete, (role, len(visited))
        if bad:
            problems[role] = bad
    app.state.engine.dispose()
    # Persons who left the caseload after the list's Stichtag are shown without a link (fall_lists.view).
    assert not problems, problems
