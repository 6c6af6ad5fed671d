"""The web application on PostgreSQL (the store tests cover both backends table by table; this runs
the main flows through the app on a throwaway PostgreSQL database)."""

from __future__ import annotations

import os
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from web_helpers import AGREEMENT_TOML, audit_rows, build_app, csrf_of, login

pytestmark = pytest.mark.postgres

PG_URL = os.environ.get("ZIELWERK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"zielwerk_web_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    app = build_app(tmp_path_factory.mktemp("pgweb"),
                    db_url=make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    try:
        assert app.state.engine.dialect.name == "postgresql"
        yield app
    finally:
        app.state.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_flows_on_postgresql(pg_app):
    c = TestClient(pg_app, base_url="https://testserver")
    assert login(c, "controlling").status_code == 303
    assert c.get("/").status_code == 200
    r = c.post("/zielvereinbarung/testkreis-2016/bearbeiten",
               data={"document": AGREEMENT_TOML.replace("wert = 25.0", "wert = 25.5"), "reason": "PG",
                     "csrf_token": csrf_of(c)}, follow_redirects=False)
    assert r.status_code == 303
    assert "Fassung 2" in c.get("/zielvereinbarung/testkreis-2016").text
    fm = TestClient(pg_app, base_url="https://testserver")
    login(fm, "fm1")
    assert fm.get("/fallsteuerung/person/P3").status_code == 403
    assert audit_rows(pg_app, username="fm1", object_id="P3")[-1].outcome == "denied"
    entry = audit_rows(pg_app, action="agreement.version")[-1]
    assert entry.before["fassung"] == 1 and entry.after["fassung"] == 2
    # the database itself refuses to change the audit log
    with pytest.raises(Exception, match="append-only"), pg_app.state.engine.begin() as conn:
        conn.execute(text("update audit_log set username = 'x'"))
