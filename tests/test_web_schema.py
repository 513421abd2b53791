"""schemathesis against the server's own OpenAPI spec (/openapi.json), on a real `tradewar serve`
process: generated requests (valid and invalid) to every operation; no 5xx, responses as
documented, and every error in the one shape {"error": {"code", "message", "field"}}.

The number of examples is bounded (EXAMPLES per operation, derandomized) so that the module
runs in a minute or two on CI's two cores."""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402 (only once schemathesis is known to be there)
from schemathesis.checks import (  # noqa: E402 (idem)
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 25


@pytest.fixture(scope="module")
def live_url():
    from web_server import running_server

    with running_server() as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(live_url):
    return schemathesis.openapi.from_url(live_url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_openapi(case):
    response = case.call_and_validate(
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        timeout=120,
    )
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert set(body["error"]) == {"code", "message", "field"}, body
        assert isinstance(body["error"]["message"], str) and body["error"]["message"]
        assert body["error"]["field"] is None or isinstance(body["error"]["field"], str)
