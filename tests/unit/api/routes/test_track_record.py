"""``GET /track-record`` before any refresh: the empty record, its parameters, unknown tickers."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.api import WatchedStore, assert_error
from tests.fixtures.published import api_client


def test_a_ticker_without_refreshes_has_an_empty_record(client):
    response = client.get("/track-record?ticker=btc-usd")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "ticker": "BTC-USD",
        "closes_through": None,
        "retention_days": None,
        "summary": {
            "forecasts": 0,
            "days_scored": 0,
            "mape": None,
            "persistence_mape": None,
            "skill": None,
            "coverage": None,
            "interval_level": None,
            "first_as_of": None,
            "last_as_of": None,
        },
        "rolling_coverage": [],
        "forecasts": [],
    }
    assert response.headers["cache-control"] == "public, max-age=300"


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"limit": "all"}])
def test_bad_limits_are_422(client, params):
    assert_error(client.get("/track-record", params=params), 422, "validation_error")


def test_the_parameters_are_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/track-record"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"ticker", "limit"}
    limit = params["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    assert "persistence" in operation["description"]


def test_unknown_ticker_is_404_after_one_small_request_once_per_ttl(local_store_uri, local_store):
    store = WatchedStore(local_store)
    settings = Settings(tickers=["BTC-USD"], store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store)))
    for ticker in ("ETH-USD", "ETH-USD", "eth-usd"):
        message = assert_error(client.get(f"/track-record?ticker={ticker}"), 404, "unknown_ticker")
        assert "BTC-USD" in message
    assert list(zip(store.calls, store.keys, strict=True)) == [
        ("list", "ETH-USD/"),
    ]
