"""The champion cache over a store without a servable champion: what it answers, what it costs."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from cryptonic.store.local import LocalStore
from tests.fixtures.api import FakeClock, WatchedStore, assert_error
from tests.fixtures.published import api_client


@pytest.mark.parametrize("path", ["/predict", "/status", "/historic", "/predict?ticker=aapl"])
def test_no_model_yet_is_503_with_how_to_train(client, path):
    response = client.get(path)
    message = assert_error(response, 503, "no_model")
    ticker = "AAPL" if "aapl" in path else "BTC-USD"
    assert f"cryptonic retrain --ticker {ticker}" in message
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["retry-after"] == "300"


def test_a_ticker_pinned_to_a_version_it_has_not_published_is_503(local_store_uri, local_store):
    """A TICKER=VERSION pin is served or fails loudly: never another model in its place."""
    pin = "BTC-USD=20260101T000000Z-abcdef0"
    settings = Settings(store_uri=local_store_uri, model_version=pin)
    client = api_client(create_app(settings, Registry(local_store)))
    assert_error(client.get("/predict"), 503, "model_unavailable")


def test_a_bare_version_id_a_ticker_has_not_published_pins_nothing(local_store_uri, local_store):
    """A bare id pins the ticker that has it; this one has not: it keeps its champion (none)."""
    settings = Settings(store_uri=local_store_uri, model_version="20260101T000000Z-abcdef0")
    client = api_client(create_app(settings, Registry(local_store)))
    assert_error(client.get("/predict"), 503, "no_model")


def test_malformed_pinned_version_is_a_server_side_503(local_store_uri, local_store):
    settings = Settings(store_uri=local_store_uri, model_version="not-a-version")
    client = api_client(create_app(settings, Registry(local_store)))
    assert_error(client.get("/predict"), 503, "bad_config")


def test_store_with_a_version_but_no_champion(local_store_uri):
    store = LocalStore(local_store_uri.removeprefix("file://"))
    store.put_json("BTC-USD/versions/20260101T000000Z-abcdef0/other.json", {})
    client = api_client(create_app(Settings(store_uri=local_store_uri), Registry(store)))
    assert_error(client.get("/predict"), 503, "no_model")


def test_no_model_answer_is_remembered_for_the_ttl(local_store_uri, local_store):
    """A ticker without a model costs no store I/O per request (the failure is cached): once
    per TTL its two pointers, read side by side (the champion's and the forecast log's)."""
    store = WatchedStore(local_store)
    clock = FakeClock()
    settings = Settings(store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store), clock=clock))
    pointers = ["BTC-USD/champion.json", "forecasts/BTC-USD/latest.json"]
    for _ in range(5):
        assert_error(client.get("/predict"), 503, "no_model")
    assert store.reads == ["get_with_etag"] * 2
    assert sorted(store.keys) == pointers
    clock.now += 31
    assert_error(client.get("/predict"), 503, "no_model")
    assert store.reads == ["get_with_etag"] * 4
    assert sorted(store.keys) == sorted(pointers * 2)


def test_the_bound_of_loaded_champions_is_at_least_one(local_store):
    from cryptonic.api.state.champions import ChampionCache

    with pytest.raises(ValueError, match="max_loaded must be at least 1"):
        ChampionCache(Registry(local_store), ttl_seconds=0, max_loaded=0)
    assert ChampionCache(Registry(local_store), ttl_seconds=0, max_loaded=1).max_loaded == 1
