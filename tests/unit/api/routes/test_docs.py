"""``GET /docs`` (Swagger UI from the app's own assets) and ``/openapi.json``."""

from __future__ import annotations

import json
import re

from cryptonic.api.routes.docs import docs_page
from tests.fixtures.api import assert_security_headers


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


def test_docs_have_the_security_headers_and_nothing_inline(client):
    docs = client.get("/docs")
    assert_security_headers(docs)
    scripts = re.findall(r"<script([^>]*)>", docs.text)
    assert len(scripts) == 2
    assert all("src=" in attrs for attrs in scripts), "inline script"
    assert "<style" not in docs.text
    assert re.search(r"\s(style|on\w+)=", docs.text) is None
    start = client.get("/static/docs.js")
    assert start.status_code == 200
    assert "SwaggerUIBundle(" in start.text
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        asset = client.get(f"/static/swagger/{name}")
        assert asset.headers["x-content-type-options"] == "nosniff"


def test_docs_page_escapes_the_path_prefix():
    page = docs_page('/a"><script>x</script>').decode()
    assert "<script>x" not in page
    assert 'data-openapi-url="/a&quot;&gt;&lt;script&gt;x&lt;/script&gt;/openapi.json"' in page
