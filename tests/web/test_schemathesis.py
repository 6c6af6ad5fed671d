"""A bounded schemathesis run against the OpenAPI document (issue 12, acceptance): every operation
of ``/api`` with generated requests (token auth of a controlling user), checked by schemathesis'
default checks: no server error, status codes, content types and bodies as documented.

Bounded: ``MAX_EXAMPLES`` generated cases per operation and mode (50 valid, 50 invalid; operations
without parameters need one case; about 20–30 s for the 7 operations on the shared 2-core machine),
no deadline (the machine is shared), the app in process (ASGI).
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from web_helpers import build_app, login, own_token

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 50


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    app = build_app(tmp_path_factory.mktemp("schemathesis"))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def api_token(api_app):
    """A token of the controlling user (all API operations, agreement.edit), made by its owner."""
    with TestClient(api_app, base_url="https://testserver") as c:
        assert login(c, "controlling").status_code == 303
        return own_token(c, "schemathesis")


def test_api_conforms_to_its_openapi_document(api_app, api_token):
    """Every operation: ``MAX_EXAMPLES`` generated valid requests and as many invalid ones (negative
    mode: wrong types, malformed bodies) through ``case.call_and_validate``.

    (The operations are run from one test with each operation's Hypothesis strategy:
    ``schemathesis.pytest.from_fixture`` does not work with this pytest version.)"""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_token}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                      database=None)
            def run(case):
                case.call_and_validate(headers=headers)

            try:
                run()
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # an operation without parameters has no invalid input
            except (AssertionError, BaseExceptionGroup) as exc:  # collect every operation's failures
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert operations >= 7
    assert failures == [], "\n\n".join(failures)
