"""Many tickers in one instance: at most MAX_LOADED_TICKERS champions in memory (least recently
served out first, reloaded on their next request), and pointer polling per ticker."""

from __future__ import annotations

import pytest

from cryptonic.api.app import serving_state
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, make_client
from tests.fixtures.published import publish_version

pytestmark = pytest.mark.slow

TICKERS = ["AAA", "BBB", "CCC"]


@pytest.fixture
def three(local_store, published_model):
    """A store with a champion for each of TICKERS, seen through a WatchedStore."""
    registry = Registry(local_store)
    versions = {t: publish_version(registry, published_model, ticker=t) for t in TICKERS}
    store = WatchedStore(local_store)
    return Registry(store), store, versions


def test_the_least_recently_served_champion_is_evicted(three):
    registry, _, _ = three
    clock = FakeClock()
    client = make_client(
        registry, clock, tickers=TICKERS, cache_ttl_seconds=30, max_loaded_tickers=2
    )
    cache = serving_state(client.app).cache
    for ticker in ("AAA", "BBB", "AAA"):  # AAA served again (from memory): BBB is now the oldest
        assert client.get(f"/predict?ticker={ticker}").status_code == 200
    assert cache.loaded() == ["BBB", "AAA"]
    assert client.get("/predict?ticker=CCC").status_code == 200
    assert cache.loaded() == ["AAA", "CCC"]
    assert cache.evictions == 1
    assert set(client.get("/health").json()["champions"]) == {"AAA", "CCC"}
    held = cache._versions.keys()
    assert held, "the others' versions are held"
    assert all(key[0] != "BBB" for key in held), "its loaded versions go with it"


def test_an_evicted_ticker_is_reloaded_by_its_next_request(three):
    registry, store, versions = three
    clock = FakeClock()
    client = make_client(
        registry, clock, tickers=TICKERS, cache_ttl_seconds=30, max_loaded_tickers=1
    )
    first = client.get("/predict?ticker=AAA")
    assert client.get("/predict?ticker=BBB").status_code == 200  # evicts AAA
    store.clear()
    again = client.get("/predict?ticker=AAA")
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert f"AAA/versions/{versions['AAA']}/model.tflite" in store.keys, "loaded from the store"
    assert serving_state(client.app).cache.loaded() == ["AAA"]
    store.clear()
    assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.calls == [], "then served from memory again"


def test_memory_never_holds_more_than_the_bound(three, published_model):
    registry, _, _ = three
    extra = [f"T{i}" for i in range(4)]
    for ticker in extra:
        publish_version(registry, published_model, ticker=ticker)
    client = make_client(registry, FakeClock(), tickers=TICKERS + extra, max_loaded_tickers=3)
    cache = serving_state(client.app).cache
    for ticker in (TICKERS + extra) * 2:
        assert client.get(f"/status?ticker={ticker}").status_code == 200
        assert len(cache.loaded()) <= 3
    assert cache.loaded() == extra[1:]
    assert cache.evictions == 2 * 7 - 3


def test_pointer_polling_is_per_ticker(three, published_model):
    """After the TTL a request checks only its own ticker's pointers (one HEAD each); a new
    champion of another ticker is seen by that ticker's next request, not before."""
    registry, store, _ = three
    clock = FakeClock()
    client = make_client(registry, clock, tickers=TICKERS, cache_ttl_seconds=30)
    for ticker in TICKERS:
        assert client.get(f"/predict?ticker={ticker}").status_code == 200
    new_bbb = publish_version(Registry(store.inner), published_model, ticker="BBB", days=250)
    clock.now += 31
    store.clear()
    assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.keys == ["AAA/champion.json", "forecasts/AAA/latest.json"]
    assert store.calls == ["head", "head"]
    store.clear()
    for _ in range(3):
        assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.calls == [], "AAA was just checked: no I/O within its TTL"
    champions = client.get("/health").json()["champions"]
    assert champions["BBB"]["version"] != new_bbb, "BBB not checked yet"
    assert champions["BBB"]["checked_seconds_ago"] == 31
    assert champions["AAA"]["checked_seconds_ago"] == 0
    assert client.get("/predict?ticker=BBB").json()["model_version"] == new_bbb
    assert "BBB/champion.json" in store.keys
    assert not any(key.startswith(("CCC/", "forecasts/CCC/")) for key in store.keys)


def test_the_setting_bounds_the_cache(local_published_registry):
    client = make_client(local_published_registry, max_loaded_tickers=7)
    assert serving_state(client.app).cache.max_loaded == 7
