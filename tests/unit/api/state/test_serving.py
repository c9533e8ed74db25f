"""``ServingState``: which tickers are served, how a malformed or unknown one is refused and what
that costs."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, assert_error
from tests.fixtures.published import api_client


@pytest.mark.parametrize("path", ["/predict", "/status", "/historic", "/models"])
def test_unknown_ticker_is_404(client, path):
    message = assert_error(client.get(f"{path}?ticker=ETH-USD"), 404, "unknown_ticker")
    assert "BTC-USD, AAPL" in message


@pytest.mark.parametrize("ticker", ["bad ticker", "../etc", "BTC/USD", "X" * 30, "-A"])
def test_malformed_ticker_is_422(client, ticker):
    response = client.get("/predict", params={"ticker": ticker})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_ticker", "validation_error"}


# -- unknown tickers


def test_an_unknown_ticker_costs_two_small_requests_then_none(local_store, local_store_uri):
    for n in range(30):  # whatever else the store holds: nothing of it is read
        local_store.put_json(f"ETH-USD/versions/v{n}/manifest.json", {})
    store = WatchedStore(local_store)
    settings = Settings(tickers=["BTC-USD"], store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store), clock=FakeClock()))
    for method, path in [("GET", "/predict"), ("GET", "/status"), ("GET", "/historic")] * 2:
        assert_error(client.request(method, f"{path}?ticker=NOPE-USD"), 404, "unknown_ticker")
    response = client.post("/predict", json={"ticker": "NOPE-USD", "closes": [1.0] * 20})
    assert_error(response, 404, "unknown_ticker")
    assert store.keys == ["NOPE-USD/champion.json", "NOPE-USD/versions/"]
