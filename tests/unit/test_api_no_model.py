"""The API over an empty store: every error path that needs no trained model, the docs, the page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from mangum import Mangum

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry import Registry
from cryptonic.store import LocalStore
from tests.fixtures.published import api_client, http_event, rest_event

CONTEXT: Any = None  # Mangum does not read the Lambda context


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    assert "Traceback" not in response.text
    return body["error"]["message"]


@pytest.fixture
def settings(local_store_uri):
    return Settings(tickers=["BTC-USD", "AAPL"], store_uri=local_store_uri, cache_ttl_seconds=0)


@pytest.fixture
def app(settings, local_store):
    return create_app(settings, Registry(local_store))


@pytest.fixture
def client(app):
    return api_client(app)


def test_health_is_ok_without_a_model(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "app_version": body["app_version"],
        "store": "file",
        "tickers": ["BTC-USD", "AAPL"],
        "champions": {},
    }


@pytest.mark.parametrize("path", ["/predict", "/status", "/historic", "/predict?ticker=aapl"])
def test_no_model_yet_is_503_with_how_to_train(client, path):
    response = client.get(path)
    message = assert_error(response, 503, "no_model")
    ticker = "AAPL" if "aapl" in path else "BTC-USD"
    assert f"cryptonic retrain --ticker {ticker}" in message
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["retry-after"] == "300"


def test_post_predict_without_a_model_is_503(client):
    assert_error(client.post("/predict", json={"closes": [1.0] * 20}), 503, "no_model")


def test_models_of_a_ticker_without_versions_is_an_empty_list(client):
    response = client.get("/models?ticker=BTC-USD")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "ticker": "BTC-USD",
        "champion": None,
        "pinned": None,
        "versions": [],
    }


@pytest.mark.parametrize("path", ["/predict", "/status", "/historic", "/models"])
def test_unknown_ticker_is_404(client, path):
    message = assert_error(client.get(f"{path}?ticker=ETH-USD"), 404, "unknown_ticker")
    assert "BTC-USD, AAPL" in message


@pytest.mark.parametrize("ticker", ["bad ticker", "../etc", "BTC/USD", "X" * 30, "-A"])
def test_malformed_ticker_is_422(client, ticker):
    response = client.get("/predict", params={"ticker": ticker})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_ticker", "validation_error"}


def test_unknown_route_and_method_are_json(client):
    message = assert_error(client.get("/nope"), 404, "not_found")
    assert "/nope" in message
    assert_error(client.delete("/predict"), 405, "method_not_allowed")
    assert_error(client.get("/static/missing.js"), 404, "not_found")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"start": "2024-02-01", "end": "2024-01-01"}, "invalid_range"),
        ({"start": "1577836800"}, "validation_error"),
        ({"end": "2024-13-01"}, "validation_error"),
        ({"start": "2024-02-30"}, "validation_error"),
    ],
)
def test_historic_date_validation(client, params, code):
    assert_error(client.get("/historic", params=params), 422, code)


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "invalid_json"),
        (b"[1, 2]", 422, "validation_error"),
        (b'{"closes": []}', 422, "validation_error"),
        (b'{"closes": [1, 2, NaN]}', 422, "validation_error"),
        (b'{"closes": [1, 2, Infinity]}', 422, "validation_error"),
        (b'{"closes": [1, -2]}', 422, "validation_error"),
        (b'{"closes": [1, "2"]}', 422, "validation_error"),
        (b'{"closes": [1, true]}', 422, "validation_error"),
        (b'{"closes": [1, 2], "last_date": "05/10/2026"}', 422, "validation_error"),
        (b'{"closes": [1, 2], "last_date": "9999-12-31"}', 422, "validation_error"),
        (b'{"closes": [1, 2], "extra": 1}', 422, "validation_error"),
        (b'{"ticker": "no way", "closes": [1]}', 422, "invalid_ticker"),
        (b'{"ticker": "ETH-USD", "closes": [1]}', 404, "unknown_ticker"),
    ],
)
def test_post_predict_validation(client, body, status, code):
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert_error(response, status, code)


def test_too_many_closes_is_422(client):
    response = client.post("/predict", json={"closes": [1.0] * 5001})
    message = assert_error(response, 422, "validation_error")
    assert "5000" in message


def test_unhandled_error_is_a_generic_500_without_traceback(app, caplog):
    def boom() -> None:
        raise RuntimeError("secret internals at /var/task/x.py")

    app.add_api_route("/boom", boom)
    response = api_client(app).get("/boom")
    message = assert_error(response, 500, "internal_error")
    assert "secret" not in message
    assert "secret" not in response.text
    assert any("secret internals" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_pinned_version_that_is_not_published_is_503(local_store_uri, local_store):
    settings = Settings(store_uri=local_store_uri, model_version="20260101T000000Z-abcdef0")
    client = api_client(create_app(settings, Registry(local_store)))
    assert_error(client.get("/predict"), 503, "model_unavailable")


def test_unreachable_store_with_nothing_cached_is_503(aws_env, monkeypatch):
    from tests.fixtures.s3 import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    settings = Settings(store_uri="s3://nowhere-bucket/models")
    client = api_client(create_app(settings))
    message = assert_error(client.get("/predict"), 503, "store_unavailable")
    assert "nowhere-bucket" not in message
    assert "127.0.0.1" not in message
    assert client.get("/health").status_code == 200


def test_docs_and_openapi(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
    spec = client.get("/openapi.json").json()
    assert {"/predict", "/historic", "/status", "/models", "/health"} <= set(spec["paths"])
    assert "/" not in spec["paths"]
    error_schema = spec["paths"]["/predict"]["get"]["responses"]["503"]["content"]
    assert "ErrorResponse" in json.dumps(error_schema)


def test_page_and_assets_use_relative_urls(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<base href="/">' in page.text
    urls = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert urls
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls)
    assert "static/app.js" in urls
    assert "static/style.css" in urls
    for name, kind in [("app.js", "text/javascript"), ("style.css", "text/css")]:
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(kind)
        again = client.get(f"/static/{name}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304
    script = client.get("/static/app.js").text
    assert "http://" not in script.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in script


def test_docs_page_and_openapi_behind_a_rest_api_stage(app):
    handler = Mangum(app, lifespan="off")
    docs = handler(rest_event("GET", "/docs", stage="Prod"), CONTEXT)
    assert docs["statusCode"] == 200
    assert "'/Prod/openapi.json'" in docs["body"] or '"/Prod/openapi.json"' in docs["body"]
    spec = json.loads(handler(rest_event("GET", "/openapi.json", stage="Prod"), CONTEXT)["body"])
    assert spec["servers"][0]["url"] == "/Prod"
    page = handler(rest_event("GET", "/", stage="Prod"), CONTEXT)
    assert page["statusCode"] == 200
    assert '<base href="/Prod/">' in page["body"]
    missing = handler(rest_event("GET", "/nope", stage="Prod"), CONTEXT)
    assert missing["statusCode"] == 404
    assert json.loads(missing["body"])["success"] is False


def test_http_api_named_stage_and_default_stage(app):
    handler = Mangum(app, lifespan="off")
    named = handler(http_event("GET", "/health", stage="live"), CONTEXT)
    assert named["statusCode"] == 200
    assert json.loads(named["body"])["status"] == "ok"
    page = handler(http_event("GET", "/", stage="live"), CONTEXT)
    assert '<base href="/live/">' in page["body"]
    default = handler(http_event("GET", "/"), CONTEXT)
    assert '<base href="/">' in default["body"]


def test_explicit_root_path(local_store_uri, local_store):
    app = create_app(Settings(store_uri=local_store_uri), Registry(local_store), root_path="/api")
    client = api_client(app)
    assert '<base href="/api/">' in client.get("/").text
    assert client.get("/api/health").status_code == 200
    assert client.get("/health").status_code == 200


def test_store_with_a_version_but_no_champion(local_store_uri):
    store = LocalStore(local_store_uri.removeprefix("file://"))
    store.put_json("BTC-USD/versions/20260101T000000Z-abcdef0/other.json", {})
    client = api_client(create_app(Settings(store_uri=local_store_uri), Registry(store)))
    assert_error(client.get("/predict"), 503, "no_model")


def test_malformed_pinned_version_is_a_server_side_503(local_store_uri, local_store):
    settings = Settings(store_uri=local_store_uri, model_version="not-a-version")
    client = api_client(create_app(settings, Registry(local_store)))
    assert_error(client.get("/predict"), 503, "bad_config")


def test_no_model_answer_is_remembered_for_the_ttl(local_store_uri, local_store):
    """A ticker without a model costs no store I/O per request (the failure is cached)."""
    calls: list[str] = []

    class Counting(LocalStore):
        def get_with_etag(self, key: str) -> tuple[bytes, str]:
            calls.append(key)
            return super().get_with_etag(key)

    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    store = Counting(local_store.root)
    settings = Settings(store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store), clock=clock))
    for _ in range(5):
        assert_error(client.get("/predict"), 503, "no_model")
    assert len(calls) == 1
    clock.now += 31
    assert_error(client.get("/predict"), 503, "no_model")
    assert len(calls) == 2


def test_docs_need_no_cdn(client):
    """Swagger UI's assets come from the app: /docs works on a closed network."""
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" not in docs.text
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text
    js = client.get("/static/swagger/swagger-ui-bundle.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 100_000
    assert client.get("/static/swagger/swagger-ui.css").status_code == 200
    missing = client.get("/static/swagger/../../secrets")
    assert missing.status_code == 404
    assert client.get("/static/swagger/evil.js").json()["error"]["code"] == "not_found"
