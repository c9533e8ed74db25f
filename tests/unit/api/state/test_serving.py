"""``ServingState``: which tickers are served, how a malformed or unknown one is refused and what
that costs, and the cold start (``warm``) that never fails."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.api import create_app, serving_state, warm
from cryptonic.api.state.serving import ServingState
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


# -- the cold start: warm()


class BrokenStore(WatchedStore):
    """A store whose reads fail in a way nobody planned for (not one of our errors)."""

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        self._use("get_with_etag", key)
        raise RuntimeError("a bug in a store client")


def warm_state(store: Any, uri: str, **overrides: Any) -> ServingState:
    settings = Settings(tickers=["BTC-USD", "AAPL"], store_uri=uri, **overrides)
    return serving_state(create_app(settings, Registry(store)))


def test_warm_reads_the_default_ticker_only_inside_its_deadline(local_store, local_store_uri):
    store = WatchedStore(local_store)
    assert warm_state(store, local_store_uri, warm_deadline_seconds=1.5).warm() is None
    assert sorted(store.keys) == ["BTC-USD/champion.json", "forecasts/BTC-USD/latest.json"], (
        "its two pointers side by side, not AAPL's: it loads on its first request"
    )
    assert all(left is not None and 0.0 < left <= 1.5 for left in store.left), (
        "the deadline holds in the thread that reads the second pointer too"
    )


@pytest.mark.parametrize("kind", ["down", "late", "broken"])
def test_warm_never_raises(local_store, local_store_uri, kind, caplog):
    store = BrokenStore(local_store) if kind == "broken" else WatchedStore(local_store)
    store.down = kind == "down"
    store.delay_s = 0.5 if kind == "late" else 0.0
    state = warm_state(store, local_store_uri, warm_deadline_seconds=0.05)
    assert state.warm() is None
    assert store.calls == ["get_with_etag"] * 2, "the two pointers, then nothing"
    assert "BTC-USD" in caplog.text


def test_a_zero_warm_deadline_leaves_the_store_alone(local_store, local_store_uri):
    store = WatchedStore(local_store)
    assert warm_state(store, local_store_uri, warm_deadline_seconds=0).warm() is None
    assert store.calls == []


def test_after_a_failed_warm_health_and_the_page_answer(local_store, local_store_uri):
    store = WatchedStore(local_store)
    store.down = True
    app = create_app(Settings(store_uri=local_store_uri), Registry(store))
    assert warm(app) is None
    client = api_client(app)
    assert client.get("/health").status_code == 200
    assert client.get("/").status_code == 200
    assert_error(client.get("/predict"), 503, "store_unavailable")


# -- unknown tickers


def test_an_unknown_ticker_costs_one_small_request_then_none(local_store, local_store_uri):
    for n in range(30):  # whatever else the store holds: nothing of it is read
        local_store.put_json(f"ETH-USD/versions/v{n}/manifest.json", {})
    store = WatchedStore(local_store)
    settings = Settings(tickers=["BTC-USD"], store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store), clock=FakeClock()))
    for method, path in [("GET", "/predict"), ("GET", "/status"), ("GET", "/historic")] * 2:
        assert_error(client.request(method, f"{path}?ticker=NOPE-USD"), 404, "unknown_ticker")
    response = client.post("/predict", json={"ticker": "NOPE-USD", "closes": [1.0] * 20})
    assert_error(response, 404, "unknown_ticker")
    assert list(zip(store.calls, store.keys, strict=True)) == [("list", "NOPE-USD/")]
    assert response.json()["error"]["message"] == (
        "unknown ticker NOPE-USD: it is not in TICKERS (BTC-USD) and the store has no model of "
        "it; GET /tickers lists every ticker served"
    )
