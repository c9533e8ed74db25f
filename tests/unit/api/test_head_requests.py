"""``HEAD`` through the real Mangum adapter: the ``GET`` answer's status and headers, no body."""

from __future__ import annotations

from typing import Any

import pytest
from mangum import Mangum

from tests.fixtures.published import http_event

CONTEXT: Any = None


@pytest.mark.parametrize("path", ["/health", "/", "/openapi.json"])
def test_head_answers_as_get_without_the_body(app, path):
    handler = Mangum(app, lifespan="off")
    got = handler(http_event("GET", path), CONTEXT)
    head = handler(http_event("HEAD", path), CONTEXT)
    assert got["statusCode"] == head["statusCode"] == 200
    assert got["body"]
    assert head["body"] == ""
    assert head["headers"]["content-type"] == got["headers"]["content-type"]
    assert head["headers"]["content-length"] == got["headers"]["content-length"]


def test_head_of_an_unknown_path_is_a_404_without_a_body(app):
    head = Mangum(app, lifespan="off")(http_event("HEAD", "/nope"), CONTEXT)
    assert head["statusCode"] == 404
    assert head["body"] == ""


def test_head_of_a_route_that_crashes_is_a_500_without_a_body(app):
    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    handler = Mangum(app, lifespan="off")
    assert handler(http_event("GET", "/boom"), CONTEXT)["body"]  # the JSON error, for GET
    head = handler(http_event("HEAD", "/boom"), CONTEXT)
    assert head["statusCode"] == 500
    assert head["body"] == ""
