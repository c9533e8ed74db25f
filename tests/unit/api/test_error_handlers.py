"""FastAPI's and Starlette's failures in our one error shape, and no internals in a 500."""

from __future__ import annotations

from tests.fixtures.api import assert_error
from tests.fixtures.published import api_client


def test_unknown_route_and_method_are_json(client):
    message = assert_error(client.get("/nope"), 404, "not_found")
    assert "/nope" in message
    assert_error(client.delete("/predict"), 405, "method_not_allowed")
    assert_error(client.get("/static/missing.js"), 404, "not_found")


def test_unhandled_error_is_a_generic_500_without_traceback(app, caplog):
    def boom() -> None:
        raise RuntimeError("secret internals at /var/task/x.py")

    app.add_api_route("/boom", boom)
    response = api_client(app).get("/boom")
    message = assert_error(response, 500, "internal_error")
    assert "secret" not in message
    assert "secret" not in response.text
    assert any("secret internals" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_a_body_that_is_not_json_is_400_and_a_bad_one_422(client):
    response = client.post(
        "/predict", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_error(response, 400, "invalid_json")
    message = assert_error(
        client.post("/predict", json={"closes": [1, "x"]}), 422, "validation_error"
    )
    assert "closes" in message
