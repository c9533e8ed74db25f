"""Every route's actual body validates against the response model it declares, strictly and
without losing or adding a key.

The declared model is read from the app's own ``/openapi.json`` (what ``/docs`` shows): the
``$ref`` of each documented answer names a model of :mod:`cryptonic.api.schemas`. The fuzz test
(test_schemas_fuzz.py) checks generated requests against the JSON schema; this one checks chosen
requests, including the error answers each route documents, against the pydantic models.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from cryptonic.api import create_app, schemas
from cryptonic.api.schemas import ErrorResponse
from cryptonic.config import Settings
from tests.fixtures.published import TICKER, api_client, publish_version

pytestmark = pytest.mark.slow

Request = tuple[str, dict[str, Any]]
"""(path with query, keyword arguments of the test client's request)."""

SUCCESSES: dict[tuple[str, str], list[Request]] = {
    ("GET", "/predict"): [("/predict", {}), (f"/predict?ticker={TICKER.lower()}", {})],
    ("POST", "/predict"): [
        ("/predict", {"json": {"closes": [100.0 + i for i in range(20)]}}),
        ("/predict", {"json": {"closes": [50.0] * 30, "last_date": "2026-01-02"}}),
    ],
    ("GET", "/historic"): [
        ("/historic", {}),
        ("/historic?start=2026-01-01&end=2026-01-31", {}),
        ("/historic?start=1990-01-01&end=1990-01-31", {}),  # empty: nulls
    ],
    ("GET", "/status"): [("/status", {})],
    ("GET", "/models"): [("/models", {}), ("/models?limit=1", {})],  # next_cursor set
    ("GET", "/track-record"): [
        ("/track-record", {}),
        ("/track-record?limit=1", {}),
        ("/track-record?ticker=AAPL", {}),  # no refresh yet: an empty record
    ],
    ("GET", "/health"): [("/health", {})],
    ("GET", "/tickers"): [("/tickers", {}), ("/tickers?limit=1", {})],  # next_cursor set
}
"""Requests answered 200 by each route with a response model; every such route must be here."""

ERRORS: dict[tuple[str, str], list[tuple[int, Request]]] = {
    ("GET", "/predict"): [(404, ("/predict?ticker=ZZZ", {})), (422, ("/predict?ticker=a b", {}))],
    ("POST", "/predict"): [
        (400, ("/predict", {"content": b"{", "headers": {"content-type": "application/json"}})),
        (404, ("/predict", {"json": {"ticker": "ZZZ", "closes": [1.0]}})),
        (422, ("/predict", {"json": {"closes": [1.0, 2.0]}})),
        (503, ("/predict", {"json": {"ticker": "AAPL", "closes": [1.0] * 20}})),
    ],
    ("GET", "/historic"): [
        (404, ("/historic?ticker=ZZZ", {})),
        (422, ("/historic?start=2026-02-01&end=2026-01-01", {})),
        (503, ("/historic?ticker=AAPL", {})),
    ],
    ("GET", "/status"): [(404, ("/status?ticker=ZZZ", {})), (503, ("/status?ticker=AAPL", {}))],
    ("GET", "/models"): [(404, ("/models?ticker=ZZZ", {})), (422, ("/models?cursor=x", {}))],
    ("GET", "/track-record"): [
        (404, ("/track-record?ticker=ZZZ", {})),
        (422, ("/track-record?limit=0", {})),
    ],
    ("GET", "/tickers"): [(422, ("/tickers?limit=0", {})), (422, ("/tickers?cursor=a b", {}))],
}
"""Error answers each route documents (``responses=``), provoked."""


@pytest.fixture
def app(local_published_registry, published_model, tmp_path):
    from cryptonic.data import to_yahoo_csv
    from cryptonic.jobs.refresh.one_ticker import refresh
    from tests.fixtures.prices import make_prices

    publish_version(
        local_published_registry, published_model, days=270, promote=False, model_mape=4.0
    )
    prices = tmp_path / "prices.csv"
    prices.write_bytes(to_yahoo_csv(make_prices(300)))
    store = local_published_registry.store
    for day in (285, 290, 299):  # a track record with scored forecasts, every field filled
        settings = Settings(store_uri=store.uri, data_source=str(prices))
        end = published_model.dates[day]
        assert refresh(settings.model_copy(update={"end_date": end}), store, TICKER).ok
    settings = Settings(tickers=[TICKER, "AAPL"], store_uri=store.uri, cache_ttl_seconds=0)
    return create_app(settings, local_published_registry)


def declared_models(app: Any) -> dict[tuple[str, str], dict[int, type[BaseModel]]]:
    """(method, path) -> {status: model} of every JSON answer the OpenAPI document declares."""
    declared: dict[tuple[str, str], dict[int, type[BaseModel]]] = {}
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            models = declared.setdefault((method.upper(), path), {})
            for status, answer in operation["responses"].items():
                content = answer.get("content", {}).get("application/json")
                if content is not None:
                    name = content["schema"]["$ref"].rsplit("/", 1)[1]
                    models[int(status)] = getattr(schemas, name)
    return declared


def assert_body_is(model: type[BaseModel], raw: bytes) -> None:
    """``raw`` is ``model`` in strict mode, and dumping the parsed model gives ``raw`` back."""
    parsed = model.model_validate_json(raw, strict=True)
    assert parsed.model_dump(mode="json") == json.loads(raw)


def test_every_documented_route_is_checked(app):
    declared = declared_models(app)
    assert set(SUCCESSES) == set(declared)
    assert all(200 in models for models in declared.values())
    assert set(ERRORS) <= set(declared)


@pytest.mark.parametrize(
    ("method", "path", "request_"),
    [(m, p, r) for (m, p), requests in SUCCESSES.items() for r in requests],
)
def test_success_bodies_validate_against_the_declared_model(app, method, path, request_):
    model = declared_models(app)[(method, path)][200]
    url, kwargs = request_
    response = api_client(app).request(method, url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert_body_is(model, response.content)


@pytest.mark.parametrize(
    ("method", "path", "status", "request_"),
    [(m, p, s, r) for (m, p), cases in ERRORS.items() for s, r in cases],
)
def test_error_bodies_validate_against_the_declared_model(app, method, path, status, request_):
    model = declared_models(app)[(method, path)].get(status)
    assert model is ErrorResponse, f"{method} {path} does not document {status} as an error"
    url, kwargs = request_
    response = api_client(app).request(method, url, **kwargs)
    assert response.status_code == status, response.text
    assert_body_is(model, response.content)


def test_the_check_catches_a_drifted_body():
    """The assertion above fails on a key the model does not name and on a missing one."""
    good = b'{"success":false,"error":{"code":"x","message":"y"}}'
    assert_body_is(ErrorResponse, good)
    with pytest.raises(ValueError, match="extra"):
        assert_body_is(ErrorResponse, good[:-1] + b',"detail":1}')
    with pytest.raises(AssertionError):
        assert_body_is(ErrorResponse, b'{"error":{"code":"x","message":"y"}}')
