"""The serving Lambda's real handler (functions.predict.app: Mangum over the app) with the shipped
API Gateway events, against a published store (local folder and moto S3)."""

from __future__ import annotations

import base64
import importlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cryptonic.api import serving_state
from cryptonic.config import get_settings
from cryptonic.registry.registry import Registry
from tests.fixtures.paths import REPO
from tests.fixtures.published import (
    EVENTS_DIR,
    TICKER,
    http_event,
    load_event,
    publish_version,
    run_handler_in_subprocess,
)

pytestmark = pytest.mark.slow

MODULE = "functions.predict.app"
EVENTS = [
    "predict-http-get",
    "predict-http-post",
    "predict-rest-get",
    "predict-rest-post",
    "status-http-get",
]


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def header(response: dict[str, Any], name: str) -> str | None:
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return headers.get(name)


def _serving_env(monkeypatch: pytest.MonkeyPatch, store_uri: str) -> None:
    monkeypatch.setenv("STORE_URI", store_uri)
    monkeypatch.setenv("TICKERS", TICKER)
    monkeypatch.setenv("CACHE_TTL_SECONDS", "0")
    for name in ("MODEL_VERSION", "MODEL_NAME", "ROOT_PATH"):
        monkeypatch.delenv(name, raising=False)


def _fresh_import(
    monkeypatch: pytest.MonkeyPatch, store_uri: str, **env: str
) -> Iterator[ModuleType]:
    _serving_env(monkeypatch, store_uri)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    sys.modules.pop(MODULE, None)
    try:
        yield importlib.import_module(MODULE)
    finally:
        sys.modules.pop(MODULE, None)
        get_settings.cache_clear()


@pytest.fixture
def lambda_module(monkeypatch, published_registry) -> Iterator[ModuleType]:
    """functions.predict.app imported as the Lambda runtime would, with STORE_URI set."""
    yield from _fresh_import(monkeypatch, published_registry.store.uri)


def test_champion_is_loaded_at_import(lambda_module, published_registry):
    cached = serving_state(lambda_module.app).cache.cached()
    pointer = published_registry.champion(TICKER)
    assert pointer is not None
    assert cached[TICKER][0].version == pointer.version


def test_only_the_default_ticker_is_loaded_at_import(monkeypatch, local_store, published_model):
    registry = Registry(local_store)
    for ticker in (TICKER, "ETH-USD"):
        publish_version(registry, published_model, ticker=ticker)
    for module in _fresh_import(monkeypatch, local_store.uri, TICKERS=f"{TICKER},ETH-USD"):
        assert serving_state(module.app).cache.loaded() == [TICKER]
        response = module.handler(http_event("GET", "/predict", query="ticker=ETH-USD"), None)
        assert response["statusCode"] == 200, "the others load on their first request"


WELL_UNDER_S = 7.5
"""Three quarters of Lambda's 10 s init limit and of the function's 10 s timeout. A stalled call
ends at the request's deadline (2.5 s) once the store clients take their time from it
(cryptonic/store/deadline.py), at the end of one call's serving budget (about 4 s) until then."""


def timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_stalled_s3_fails_neither_the_cold_start_nor_health(monkeypatch, silent_endpoint):
    """S3 accepts connections and never answers. Warming every ticker at import once took 12.2 s
    for three, past Lambda's init limit: the init failed, and so did every request, /health
    included. Now the import warms the default ticker within its deadline and goes on."""
    env = {"TICKERS": f"{TICKER},ETH-USD", "CACHE_TTL_SECONDS": "30"}
    imported = _fresh_import(monkeypatch, "s3://model-bucket/models", **env)
    module, import_s = timed(lambda: next(imported))
    try:
        assert import_s < WELL_UNDER_S
        assert silent_endpoint.accepted >= 1, "the cold start did ask the store"
        assert serving_state(module.app).cache.loaded() == []
        for path in ("/health", "/"):
            assert module.handler(http_event("GET", path), None)["statusCode"] == 200, path
        for ticker in (TICKER, "ETH-USD"):
            event = http_event("GET", "/predict", query=f"ticker={ticker}")
            response, elapsed = timed(lambda event=event: module.handler(event, None))
            assert response["statusCode"] == 503, response
            assert body_of(response)["error"]["code"] == "store_unavailable"
            assert elapsed < WELL_UNDER_S
        page, elapsed = timed(lambda: module.handler(http_event("GET", "/tickers"), None))
        assert page["statusCode"] == 200
        rows = body_of(page)["tickers"]
        assert [row["ticker"] for row in rows] == [TICKER, "ETH-USD"]
        assert all(row["unread"] and row["champion"] is None for row in rows)
        assert elapsed < WELL_UNDER_S
    finally:
        imported.close()


@pytest.mark.parametrize("name", EVENTS)
def test_shipped_events(lambda_module, published_registry, name):
    response = lambda_module.handler(load_event(name), None)
    assert response["statusCode"] == 200, response
    assert header(response, "content-type") == "application/json"
    body = body_of(response)
    pointer = published_registry.champion(TICKER)
    assert body["success"] is True
    assert body["ticker"] == TICKER
    assert body["model_version"] == pointer.version
    if name.startswith("status"):
        assert body["trained_at"]
        assert body["backtest"]["model_mape"] is not None
    else:
        assert body["period_length"] == 7
        assert len(body["result"]) == 7
    if name.endswith("-post"):
        assert body["as_of"] == "2026-10-05"
    if name.endswith("-get") and name.startswith("predict"):
        assert header(response, "etag")
        assert "max-age" in (header(response, "cache-control") or "")


def test_http_and_rest_events_answer_alike(lambda_module):
    http_get = lambda_module.handler(load_event("predict-http-get"), None)
    rest_get = lambda_module.handler(load_event("predict-rest-get"), None)
    assert body_of(http_get) == body_of(rest_get)
    http_post = body_of(lambda_module.handler(load_event("predict-http-post"), None))
    rest_post = body_of(lambda_module.handler(load_event("predict-rest-post"), None))
    assert http_post["result"] == rest_post["result"]


def test_if_none_match_through_api_gateway(lambda_module):
    first = lambda_module.handler(load_event("predict-http-get"), None)
    event = load_event("predict-http-get")
    event["headers"]["if-none-match"] = header(first, "etag")
    again = lambda_module.handler(event, None)
    assert again["statusCode"] == 304
    assert not again.get("body")


def test_errors_through_api_gateway(lambda_module):
    event = load_event("predict-http-get")
    event["rawQueryString"] = "ticker=DOGE-USD"
    event["queryStringParameters"] = {"ticker": "DOGE-USD"}
    unknown = lambda_module.handler(event, None)
    assert unknown["statusCode"] == 404
    assert body_of(unknown)["error"]["code"] == "unknown_ticker"

    event = load_event("predict-rest-post")
    event["body"] = json.dumps({"closes": [1.0, 2.0]})
    short = lambda_module.handler(event, None)
    assert short["statusCode"] == 422
    assert body_of(short)["error"]["code"] == "bad_input"


def test_handler_without_a_model(monkeypatch, local_store_uri):
    for module in _fresh_import(monkeypatch, local_store_uri):
        response = module.handler(load_event("predict-http-get"), None)
        assert response["statusCode"] == 503
        error = body_of(response)["error"]
        assert error["code"] == "no_model"
        assert "cryptonic retrain --ticker BTC-USD" in error["message"]
        health = load_event("status-http-get")
        health["rawPath"] = health["requestContext"]["http"]["path"] = "/health"
        assert module.handler(health, None)["statusCode"] == 200


def test_serving_never_imports_tensorflow_keras_or_pandas(monkeypatch, published_registry):
    _serving_env(monkeypatch, published_registry.store.uri)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    data = run_handler_in_subprocess(sys.executable, REPO, env, EVENTS_DIR, EVENTS)
    assert data["codes"] == dict.fromkeys(EVENTS, 200)
    assert data["loaded"] == []


LOADED_ON_DEMAND = [
    "numpy",
    "ai_edge_litert",
    "cryptonic.forecast.predictor",
    "cryptonic.forecast.windows",
]
"""What the first POST /predict loads and nothing before it may (nor boto3 on a local store)."""

COLD_START_GETS = [
    "predict-http-get",
    "predict-rest-get",
    "status-http-get",
    "historic-http-get",
    "models-http-get",
    "health-http-get",
]


def cold_start_events(folder: Path) -> Path:
    """The shipped GET/POST events plus GET /historic, /models and /health, in ``folder``."""
    folder.mkdir()
    for name in ("predict-http-get", "predict-rest-get", "status-http-get", "predict-http-post"):
        shutil.copy(EVENTS_DIR / f"{name}.json", folder)
    for path in ("/historic", "/models", "/health"):
        event = http_event("GET", path, query=f"ticker={TICKER}")
        (folder / f"{path.strip('/')}-http-get.json").write_text(json.dumps(event))
    return folder


def test_cached_get_path_needs_neither_numpy_nor_litert(monkeypatch, tmp_path, published_model):
    """The whole cold start stays lean: importing functions.predict.app (which loads the
    champion: warm()), the first GET /predict, GET /status (and /historic, /models, /health)
    import no numpy and no LiteRT. The first POST /predict does: that run shows the check sees
    them when they are there."""
    from cryptonic.registry.registry import Registry
    from cryptonic.store.local import LocalStore
    from tests.fixtures.published import publish_version

    store = LocalStore(tmp_path / "store")
    publish_version(Registry(store), published_model)
    _serving_env(monkeypatch, store.uri)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    events = cold_start_events(tmp_path / "events")
    banned = [*LOADED_ON_DEMAND, "boto3", "botocore"]

    lean = run_handler_in_subprocess(sys.executable, REPO, env, events, COLD_START_GETS, banned)
    assert lean["codes"] == dict.fromkeys(COLD_START_GETS, 200)
    assert lean["loaded"] == []

    posted = [*COLD_START_GETS, "predict-http-post"]
    control = run_handler_in_subprocess(sys.executable, REPO, env, events, posted, banned)
    assert control["codes"] == dict.fromkeys(posted, 200)
    assert set(LOADED_ON_DEMAND) <= set(control["loaded"])
    assert not {"boto3", "botocore"} & set(control["loaded"])
