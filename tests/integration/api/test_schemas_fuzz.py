"""Schemathesis fuzzing from the app's own OpenAPI schema: no 5xx, every answer as documented, and
every error in the ``{success: false, error: {code, message}}`` shape.

Driven with Hypothesis directly (``operation.as_strategy``): schemathesis' ``from_fixture`` pytest
integration does not work with pytest 9. Bounded: a few dozen examples per operation and mode.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cryptonic.api import create_app
from cryptonic.config import Settings

pytestmark = pytest.mark.slow

OPERATIONS = [
    ("GET", "/predict"),
    ("POST", "/predict"),
    ("GET", "/historic"),
    ("GET", "/status"),
    ("GET", "/models"),
    ("GET", "/track-record"),
    ("GET", "/health"),
    ("GET", "/tickers"),
]
MAX_EXAMPLES = 30


@pytest.fixture
def api_schema(local_published_registry):
    registry = local_published_registry
    app = create_app(
        Settings(tickers=["BTC-USD"], store_uri=registry.store.uri, cache_ttl_seconds=30),
        registry,
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def error_shape(ctx, response, case):
    """Every error answer is our JSON error object (no FastAPI ``detail``, no traceback)."""
    if response.status_code >= 400:
        body = response.json()
        assert body["success"] is False, body
        assert set(body) == {"success", "error"}, body
        assert set(body["error"]) == {"code", "message"}, body
        assert isinstance(body["error"]["code"], str)
        assert body["error"]["message"]
        assert "Traceback" not in response.text
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


def test_every_operation_is_fuzzed(api_schema):
    found = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert found == set(OPERATIONS)


CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if path != "/health" or mode is GenerationMode.POSITIVE  # no parameters to make invalid
]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_api_fuzz(api_schema, method, path, mode):
    operation = api_schema[path][method]
    seen: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        response = case.call_and_validate(checks=CHECKS)
        seen.append(response.status_code)

    fuzz()
    assert seen
