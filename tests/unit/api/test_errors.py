"""One error shape for every failed answer, and no internals in it."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.api.errors import api_error_of, validation_message
from cryptonic.config import Settings
from cryptonic.errors import (
    AccessDeniedError,
    ConfigError,
    DataError,
    IntegrityError,
    ModelError,
    NoModelError,
    NotFoundError,
    PredictionError,
    StoreUnavailableError,
)
from tests.fixtures.api import assert_error
from tests.fixtures.published import api_client


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (NoModelError("x"), 503, "no_model"),
        (IntegrityError("x"), 503, "integrity_error"),
        (AccessDeniedError("secret detail"), 503, "store_unavailable"),
        (StoreUnavailableError("s3://bucket/key down"), 503, "store_unavailable"),
        (NotFoundError("s3://bucket/missing"), 503, "model_unavailable"),
        (PredictionError("need 14"), 422, "bad_input"),
        (ConfigError("bad"), 422, "bad_request"),
        (ModelError("x"), 503, "model_error"),
        (DataError("x"), 503, "bad_data"),
    ],
)
def test_error_mapping(exc, status, code):
    error = api_error_of(exc, "BTC-USD")
    assert (error.status, error.code) == (status, code)
    assert "s3://" not in error.message
    assert "secret" not in error.message


def test_no_model_message_says_how_to_train():
    message = api_error_of(NoModelError("x"), "ETH-USD").message
    assert "cryptonic retrain --ticker ETH-USD" in message
    assert "retrain function" in message


def test_validation_message_is_short_and_does_not_echo_input():
    errors = [
        {"loc": ("body", "closes", i), "msg": "Input should be a finite number", "input": "SECRET"}
        for i in range(5)
    ]
    text = validation_message(errors)
    assert text.startswith("body.closes.0: Input should be a finite number")
    assert "(and 2 more)" in text
    assert "SECRET" not in text


def test_unreachable_store_with_nothing_cached_is_503(aws_env, monkeypatch):
    from tests.fixtures.s3 import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")
    settings = Settings(store_uri="s3://nowhere-bucket/models")
    client = api_client(create_app(settings))
    message = assert_error(client.get("/predict"), 503, "store_unavailable")
    assert "nowhere-bucket" not in message
    assert "127.0.0.1" not in message
    assert client.get("/health").status_code == 200
