"""Zielwerk web application (FastAPI + Jinja2 + HTMX). See ``docs/web.md``.

``create_app(WebConfig(data_dir=...))`` builds the app; ``ROUTES`` in ``app.py`` lists every page.
"""

from .app import ROUTES, create_app
from .config import WebConfig

__all__ = ["ROUTES", "WebConfig", "create_app"]
