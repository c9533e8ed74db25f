"""Pieces of the API that need no trained model: parsing, ETags, prefixes, error shapes."""

from __future__ import annotations

import pytest

from cryptonic.api.app import stage_prefix
from cryptonic.api.bodies import backtest_summary, predict_response, status_response
from cryptonic.api.errors import api_error_of, validation_message
from cryptonic.api.etags import etag_matches
from cryptonic.api.price_snapshot import parse_prices
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
from tests.fixtures.published import http_event, load_event, rest_event

YAHOO = b"""Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,1,2,0.5,10.5,10.4,100
2024-01-01,1,2,0.5,10.0,9.9,100
2024-01-03,1,2,0.5,null,null,0
2024-01-04,1,2,0.5,-1,-1,0
not-a-date,1,2,0.5,11,11,0
2024-01-02,1,2,0.5,10.75,10.7,100
2024-01-05 00:00:00+00:00,1,2,0.5,12.0,12.0,100
2024-01-06,1,2
"""


def test_parse_prices_yahoo_layout_sorted_clean_and_deduplicated():
    series = parse_prices(YAHOO)
    assert series.dates == ["2024-01-01", "2024-01-02", "2024-01-05"]
    assert series.closes == [10.0, 10.75, 12.0]


def test_parse_prices_lower_case_and_adj_close_fallback():
    assert parse_prices(b"date,close\n2024-01-01,3\n").closes == [3.0]
    assert parse_prices(b"\xef\xbb\xbfDate,Adj Close\n2024-01-01,4\n").closes == [4.0]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"Day,Close\n2024-01-01,3\n", "no Date column"),
        (b"Date,Open\n2024-01-01,3\n", "no Close column"),
        (b"Date,Close\nx,y\n", "no rows"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_parse_prices_errors(data, match):
    with pytest.raises(DataError, match=match):
        parse_prices(data)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('"v1.abc"', True),
        ('W/"v1.abc"', True),
        ('"other", "v1.abc"', True),
        ("*", True),
        ("v1.abc", True),
        ('"v1.abd"', False),
        ("", False),
    ],
)
def test_etag_matches(header, expected):
    assert etag_matches(header, '"v1.abc"') is expected


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


def test_payloads_tolerate_a_sparse_manifest():
    status = status_response(
        "BTC-USD", "v", {"artifacts": {}}, pinned=False, promoted_at=None, previous_version=None
    )
    assert status.data is None
    assert status.model is None
    assert status.gate is None
    assert status.backtest.model_mape is None
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    body = predict_response("BTC-USD", "v", forecast)
    assert body.period_length == 1
    assert body.last_close is None


def test_backtest_summary_computes_skill_when_missing():
    manifest = {"metrics": {"model": {"mape": 2.0}, "persistence": {"mape": 4.0}}}
    assert backtest_summary(manifest).skill == pytest.approx(0.5)
