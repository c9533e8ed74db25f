"""``create_app`` and its edge middleware: the public path prefix under API Gateway stages."""

from __future__ import annotations

import json
from typing import Any

from mangum import Mangum

from cryptonic.api import create_app
from cryptonic.api.app import stage_prefix
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.published import api_client, http_event, load_event, rest_event

CONTEXT: Any = None  # Mangum does not read the Lambda context


def test_stage_prefix_rest_api_stage_from_request_context():
    event = load_event("predict-rest-get")
    assert stage_prefix({"aws.event": event, "path": "/predict"}) == "/prod"
    root = rest_event("GET", "/", stage="Prod")
    assert stage_prefix({"aws.event": root, "path": "/"}) == "/Prod"


def test_stage_prefix_http_api():
    assert stage_prefix({"aws.event": load_event("predict-http-get"), "path": "/predict"}) == ""
    named = http_event("GET", "/docs", stage="live")
    assert stage_prefix({"aws.event": named, "path": "/live/docs"}) == "/live"


def test_stage_prefix_without_an_event():
    assert stage_prefix({"path": "/predict"}) == ""
    assert stage_prefix({"aws.event": {"requestContext": "x"}, "path": "/"}) == ""


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
