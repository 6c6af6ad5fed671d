"""Web fixtures (helpers in ``web_helpers.py``): a session-wide app and one logged-in client per role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_helpers import USERS, VARIANTS, build_app, login


@pytest.fixture(scope="session")
def web_app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("webdata"))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="session")
def clients(web_app):
    """One logged-in client per role and role variant (``teamleitung``; session-scoped: log in once)."""
    out = {}
    for name, (role, _) in USERS.items():
        c = TestClient(web_app, base_url="https://testserver")
        r = login(c, name)
        assert r.status_code == 303, r.text
        out[VARIANTS.get(name, role)] = c
    yield out
    for c in out.values():
        c.close()


@pytest.fixture
def anon(web_app):
    with TestClient(web_app, base_url="https://testserver") as c:
        yield c


