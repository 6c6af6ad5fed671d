"""Issue 10 item 3: no blocking work on the event loop, and reports rendered once per cache key.

* Every ``async`` route handler and ``async`` dependency of the app only awaits: its calls are
  awaited (thread pool, render pool) or belong to a short allow-list of cheap constructors (AST check
  on every route the app registers).
* Requesting a PDF through the real ASGI app in an asyncio loop in debug mode: no callback of the
  loop runs longer than 0.2 s (the detector itself is checked with a deliberately blocking callback).
* The report cache: the second request for the same report does not render again, a new month, a new
  agreement version or a new results generation does; concurrent requests for the same uncached
  report render once; old generations' cache folders are removed.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import re
import textwrap
import threading
import time
from datetime import date

import httpx
import pyarrow as pa
import pytest
from fastapi.routing import APIRoute
from web_helpers import PASSWORD, build_app, write_fixture_results

from zielwerk.reports.cache import ReportCache
from zielwerk.web import report_bridge

#: calls an async handler may make without awaiting them (cheap, no I/O): by name, and by method name
CHEAP_CALLS = {"Response", "JSONResponse", "HTTPException", "Month.parse", "pool_of", "_attachment", "str", "len",
               "request.headers.get", "form.get"}
CHEAP_METHODS = {"isoformat"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _unawaited_calls(fn) -> list[str]:
    """Calls in ``fn``'s body that are neither awaited nor cheap (nested calls inside an awaited call's
    arguments count as awaited: they are arguments, evaluated before handing off)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    func = tree.body[0]
    awaited: set[int] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            awaited.add(id(node.value))
            for arg in ast.walk(node.value):
                if isinstance(arg, ast.Call):
                    awaited.add(id(arg))
    bad = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and id(node) not in awaited:
            name = _dotted(node.func)
            if name not in CHEAP_CALLS and name.rsplit(".", 1)[-1] not in CHEAP_METHODS:
                bad.append(f"{fn.__module__}.{fn.__name__}: {name}(…) line {node.lineno}")
    return bad


def _dependencies(dependant) -> list:
    out = []
    for d in dependant.dependencies:
        if d.call is not None:
            out.append(d.call)
        out += _dependencies(d)
    return out


def _api_routes(routes) -> list[APIRoute]:
    """Every route, including those of included routers (FastAPI wraps them, ``original_router``)."""
    out = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        sub = getattr(r, "original_router", None)
        if sub is not None:
            out += _api_routes(sub.routes)
    return out


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("eventloop"))
    yield app
    app.state.engine.dispose()


def test_async_handlers_and_dependencies_only_await(app):
    checked, bad = set(), []
    routes = _api_routes(app.routes)
    assert any(r.path.startswith("/api/") for r in routes)
    for route in routes:
        for fn in [route.endpoint, *_dependencies(route.dependant)]:
            if fn in checked:
                continue
            checked.add(fn)
            if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
                bad += _unawaited_calls(fn)
    assert not bad, "blocking calls on the event loop:\n" + "\n".join(bad)
    # the checked set held the request context (a plain generator now) and the async handlers
    names = {f"{f.__module__}.{f.__name__}" for f in checked}
    assert {"zielwerk.web.context.page", "zielwerk.web.context.api", "zielwerk.web.pages.reports.download",
            "zielwerk.web.pages.fall_lists.download_xlsx"} <= names
    from zielwerk.web import context

    assert inspect.isgeneratorfunction(context.page) and inspect.isgeneratorfunction(context.api)


def test_the_ast_check_finds_a_blocking_call():
    async def blocking(ctx):  # the pre-issue-10 report handler, in short
        body = render_monthly(ctx, "2016-06", "pdf")  # noqa: F821
        await asyncio.sleep(0)
        return Response(body)  # noqa: F821

    assert [b.split(": ")[1] for b in _unawaited_calls(blocking)] == ["render_monthly(…) line 2"]


class _SlowCallbacks(logging.Handler):
    """Collects asyncio's debug-mode warnings "Executing <Handle …> took 0.345 seconds"."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.slow: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "took" in record.getMessage() and "Executing" in record.getMessage():
            self.slow.append(record.getMessage())


async def _login(client: httpx.AsyncClient, username: str = "traeger") -> None:
    form = (await client.get("/anmelden")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    r = await client.post("/anmelden", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303, r.text


def _run_with_detector(coro_fn) -> list[str]:
    handler = _SlowCallbacks()
    logger = logging.getLogger("asyncio")
    logger.addHandler(handler)

    async def main():
        asyncio.get_running_loop().slow_callback_duration = 0.2
        await coro_fn()

    try:
        asyncio.run(main(), debug=True)
    finally:
        logger.removeHandler(handler)
    return handler.slow


def test_slow_callback_detector_sees_a_blocking_callback():
    async def block():
        time.sleep(0.4)  # noqa: ASYNC251 - on the loop: what a render in an async handler did

    assert _run_with_detector(block)


def test_a_pdf_request_does_not_block_the_event_loop(app):
    bodies = []

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            await _login(c)
            r = await c.get("/berichte/2016-03?format=pdf")
            bodies.append(r)

    slow = _run_with_detector(scenario)
    assert bodies[0].status_code == 200 and bodies[0].content.startswith(b"%PDF-")
    assert not slow, slow


# --- the report cache --------------------------------------------------------------------------------


@pytest.fixture
def counted(monkeypatch):
    """Count the renders (the app renders in threads: ``create_app`` uses ``RenderPool(processes=False)``)."""
    calls: list[tuple[str, str]] = []
    real = report_bridge.render_monitoring

    def render(mon, as_of, fmt, *rest):  # rest: the deviation comments (issue 13)
        calls.append((str(mon.report), fmt))
        time.sleep(0.2)  # long enough for a second concurrent request to arrive meanwhile
        return real(mon, as_of, fmt, *rest)

    monkeypatch.setattr(report_bridge, "render_monitoring", render)
    return calls


def _fetch(app, *paths: str, concurrent: bool = False) -> list[httpx.Response]:
    out: list[httpx.Response] = []

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as c:
            await _login(c, "controlling")
            if concurrent:
                out.extend(await asyncio.gather(*(c.get(p) for p in paths)))
            else:
                for p in paths:
                    out.append(await c.get(p))

    asyncio.run(scenario())
    assert all(r.status_code == 200 for r in out), [r.text[:200] for r in out]
    return out


def test_second_request_is_served_from_the_cache_and_a_new_key_renders(tmp_path, counted):
    app = build_app(tmp_path)
    try:
        first, second = _fetch(app, "/berichte/2016-06?format=html", "/berichte/2016-06?format=html")
        assert counted == [("2016-06", "html")] and first.content == second.content
        _fetch(app, "/berichte/2016-05?format=html", "/berichte/2016-06?format=xlsx")  # new month, new format
        assert counted[1:] == [("2016-05", "html"), ("2016-06", "xlsx")]
        # a new agreement version: a new key
        from zielwerk.store import agreements

        with app.state.sessions.begin() as s:
            a = agreements.get(s, "testkreis-2016")
            doc = a.versions[-1].document
            agreements.add_version(s, a, doc + "\n# Fassung 2\n", reason="Test", created_by="controlling")
        _fetch(app, "/berichte/2016-06?format=html")
        assert counted[3:] == [("2016-06", "html")]
        # a new results generation: a new key, the same version renders again
        old = report_bridge.generation_key(app.state.results)
        write_fixture_results(tmp_path)
        assert report_bridge.generation_key(app.state.results) != old
        _fetch(app, "/berichte/2016-06?format=html", "/berichte/2016-06?format=html")
        assert counted[4:] == [("2016-06", "html")]
    finally:
        app.state.engine.dispose()


def test_concurrent_requests_for_one_uncached_report_render_once(tmp_path, counted):
    app = build_app(tmp_path)
    try:
        out = _fetch(app, *["/berichte/2016-04?format=html"] * 3, concurrent=True)
        assert counted == [("2016-04", "html")]
        assert out[0].content == out[1].content == out[2].content
    finally:
        app.state.engine.dispose()


def test_cache_keeps_only_generations_on_disk(tmp_path):
    cache = ReportCache(tmp_path / "cache")
    cache.put("g-1", "v1-abc-2016-06.pdf", b"eins")
    cache.put("g-2", "v1-abc-2016-06.pdf", b"zwei", keep={"g-1", "g-2"})
    assert cache.generations() == ["g-1", "g-2"] and cache.get("g-1", "v1-abc-2016-06.pdf") == b"eins"
    cache.put("g-3", "v1-abc-2016-06.pdf", b"drei", keep={"g-2", "g-3"})  # g-1 is no longer on disk
    assert cache.generations() == ["g-2", "g-3"] and cache.get("g-1", "v1-abc-2016-06.pdf") is None
    assert not list((tmp_path / "cache").rglob("*.tmp"))  # atomic writes leave nothing behind
    with pytest.raises(ValueError):
        cache.path("../x", "y.pdf")


def test_generation_key_prefers_the_generation_id_and_falls_back_to_meta(tmp_path):
    class WithId:
        dir = tmp_path / "nirgends"

        def generation(self):
            return "20261126T101010-abc"

    assert report_bridge.generation_key(WithId()) == "g-20261126T101010-abc"

    class Legacy:  # results folder of the time before generations: meta.json only
        dir = tmp_path / "results"

    assert report_bridge.generation_key(Legacy()) is None
    Legacy.dir.mkdir()
    (Legacy.dir / "meta.json").write_text('{"computed_at": "1"}')
    k1 = report_bridge.generation_key(Legacy())
    (Legacy.dir / "meta.json").write_text('{"computed_at": "2"}')
    assert k1.startswith("m-") and report_bridge.generation_key(Legacy()) not in (k1, None)
    (tmp_path / "manifest.json").write_text('{"generation": "G7"}')  # results inside a generation folder
    assert report_bridge.generation_key(Legacy()) == "g-G7"


def test_render_pool_runs_in_worker_processes():
    """The server's pool (worker processes): the work-list workbook's arguments travel by pickle."""
    import os

    from zielwerk.casework.export import xlsx_bytes

    pool = report_bridge.RenderPool(workers=1, processes=True)
    table = pa.table({"person_id": ["P1", "P2"], "tage_bis_lzb": [45, 104]})

    async def main():
        pid = await pool.run(os.getpid)
        book = await pool.run(xlsx_bytes, table, "LZB-Prävention", date(2016, 12, 15))
        return pid, book

    try:
        pid, book = asyncio.run(main())
    finally:
        pool.shutdown()
    assert pid != os.getpid() and book[:2] == b"PK"


def test_render_pool_limits_concurrent_renders():
    pool = report_bridge.RenderPool(workers=2, processes=False)
    lock = threading.Lock()
    now = [0]
    peak = [0]

    def work():
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1

    async def main():
        await asyncio.gather(*(pool.run(work) for _ in range(6)))

    asyncio.run(main())
    assert peak[0] == 2
