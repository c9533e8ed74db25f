"""``POST /predict`` input validation and ``/predict`` without a model."""

from __future__ import annotations

import pytest

from tests.fixtures.api import assert_error


def test_post_predict_without_a_model_is_503(client):
    assert_error(client.post("/predict", json={"closes": [1.0] * 20}), 503, "no_model")


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
