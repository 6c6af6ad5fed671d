"""``/api/docs``: Swagger UI from local files (issue 12, point 10).

FastAPI's default docs page loads Swagger UI from a CDN and starts it with an inline script; the
Content-Security-Policy (``script-src 'self'``, :mod:`zielwerk.web.security`) blocks both, so the
page stayed blank. Here the assets come from the ``swagger-ui-bundle`` package (mounted under
``/static/swagger-ui``) and the start script is a static file (``/static/api-docs.js``).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/static/swagger-ui"

PAGE = f"""<!doctype html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Zielwerk API – Dokumentation</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/api/openapi.json"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE)


def install(app: FastAPI) -> None:
    """Mount the Swagger UI assets and the docs page; call before ``/static`` is mounted (the more
    specific mount must come first)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=swagger_ui_path), name="swagger-ui")
    app.add_api_route("/api/docs", docs_page, methods=["GET", "HEAD"], include_in_schema=False)


__all__ = ["install"]
