"""``GET /docs`` (Swagger UI from the app's own assets) and ``/openapi.json``."""

from __future__ import annotations

import json


def test_docs_and_openapi(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/openapi.json" in docs.text
    spec = client.get("/openapi.json").json()
    assert {"/predict", "/historic", "/status", "/models", "/health"} <= set(spec["paths"])
    assert "/" not in spec["paths"]
    error_schema = spec["paths"]["/predict"]["get"]["responses"]["503"]["content"]
    assert "ErrorResponse" in json.dumps(error_schema)


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
