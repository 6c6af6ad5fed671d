"""The API's contract (issue 12, point 10): docs from local files under the CSP, audited reads,
422 bodies as documented, 403/404/409 in the OpenAPI document, TRACE answered 405 with ``Allow``."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_helpers import audit_rows, build_app, login, own_token


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("api"))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def token(app):
    with TestClient(app, base_url="https://testserver") as c:
        assert login(c, "controlling").status_code == 303
        return own_token(c, "Vertrag")


@pytest.fixture
def api(app, token):
    with TestClient(app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}) as c:
        yield c


def test_docs_page_uses_only_local_assets_and_no_inline_script(app):
    with TestClient(app, base_url="https://testserver") as c:
        r = c.get("/api/docs")
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        html = r.text
        assert "http://" not in html and "https://" not in html and "//cdn" not in html
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
        assert scripts and all('src="/static/' in attrs and body.strip() == "" for attrs, body in scripts)
        for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
            asset = c.get(src)
            assert asset.status_code == 200 and len(asset.content) > 100, src
        assert "SwaggerUIBundle" in c.get("/static/swagger-ui/swagger-ui-bundle.js").text
        assert "/api/openapi.json" in html


def test_indicator_reads_through_the_api_are_audited(app, api):
    before = len(audit_rows(app, action="indicators.download"))
    r = api.get("/api/kennzahlen?k=K2&einheit=municipality:05970040")
    assert r.status_code == 200
    rows = audit_rows(app, action="indicators.download")
    assert len(rows) == before + 1
    assert rows[-1].username == "controlling" and rows[-1].object_id == "K2:municipality:05970040"
    assert rows[-1].after == {"format": "api"}


def test_422_bodies_are_the_documented_list(api):
    spec = api.get("/api/openapi.json").json()
    schema = spec["components"]["schemas"]["HTTPValidationError"]
    assert schema["properties"]["detail"]["type"] == "array"
    for r in (api.get("/api/monitoring?monat=2016-13"),
              api.post("/api/zielvereinbarungen/testkreis-2016/fassungen", json={"reason": "ohne Dokument"}),
              api.post("/api/zielvereinbarungen/testkreis-2016/fassungen",
                       json={"document": "jahr = 'x'", "reason": "kaputt"})):
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert isinstance(detail, list) and detail
        for item in detail:
            assert set(item) == {"loc", "msg", "type"} and isinstance(item["loc"], list)
            assert isinstance(item["msg"], str) and item["msg"]
    item = api.get("/api/monitoring?monat=2016-13").json()["detail"][0]
    assert item["loc"] == ["query", "monat"] and item["msg"].startswith("Ungültige Eingabe")


def test_error_answers_are_documented(api):
    spec = api.get("/api/openapi.json").json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for code in ("401", "403", "404"):
                assert code in op["responses"], (method, path, code)
    assert "409" in spec["paths"]["/api/monitoring"]["get"]["responses"]
    # the documented error body is what the API sends
    r = api.get("/api/zielvereinbarungen/gibt-es-nicht")
    assert r.status_code == 404 and isinstance(r.json()["detail"], str)


@pytest.mark.parametrize("path", ["/api/meta", "/api/monitoring", "/", "/kennzahlen", "/static/style.css"])
def test_trace_is_405_with_allow(app, path):
    with TestClient(app, base_url="https://testserver") as c:
        r = c.request("TRACE", path)
    assert r.status_code == 405
    assert "GET" in r.headers["allow"] and "TRACE" not in r.headers["allow"]
