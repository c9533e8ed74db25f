"""``GET /models``: the published versions of a ticker with their backtest and gate decision."""

from __future__ import annotations

from collections import Counter

import pytest

from cryptonic.registry.keys import MANIFEST_NAME, artifact_key
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, make_client
from tests.fixtures.published import TICKER, publish_version

pytestmark = pytest.mark.slow


def test_models_lists_versions_newest_first(published_registry, published_model):
    first = published_registry.champion(TICKER).version
    held = publish_version(
        published_registry, published_model, days=270, promote=False, model_mape=4.0
    )
    body = make_client(published_registry).get("/models?ticker=BTC-USD").json()
    assert body["champion"] == first
    rows = body["versions"]
    assert [r["version"] for r in rows] == [held, first]
    assert rows[0]["champion"] is False
    assert rows[1]["champion"] is True
    assert rows[0]["mape"] == 4.0
    assert rows[0]["persistence_mape"] == 3.5
    assert rows[0]["skill"] == pytest.approx(1 - 4.0 / 3.5)
    assert rows[0]["promote"] is False
    assert rows[1]["promote"] is True


def reads_of(store: WatchedStore) -> Counter[str]:
    counted = Counter(store.reads)
    store.clear()
    return counted


def test_models_reads_each_manifest_once_per_container(local_published_registry, published_model):
    """Manifests are immutable: after the first request only the listing (and the pointer, and
    the track record for the live records: no refresh ran here, so one GET that finds none) is
    re-read, at most every TTL; a new version costs one manifest GET, once."""
    versions = [local_published_registry.champion(TICKER).version]
    versions += [
        publish_version(local_published_registry, published_model, days=250 + i, promote=False)
        for i in range(2)
    ]
    store = WatchedStore(local_published_registry.store)
    clock = FakeClock()
    client = make_client(Registry(store), clock, cache_ttl_seconds=30)

    first = client.get("/models")
    assert [r["version"] for r in first.json()["versions"]] == sorted(versions, reverse=True)
    assert reads_of(store) == {"list": 1, "get_with_etag": 2, "get_json": 3}
    for _ in range(20):
        assert client.get("/models").content == first.content
    assert reads_of(store) == {}, "within the TTL: no store request at all"

    clock.now += 31
    assert client.get("/models").content == first.content
    assert reads_of(store) == {"list": 1, "get_with_etag": 2}, "manifests are not read again"

    newest = publish_version(local_published_registry, published_model, days=280, promote=False)
    store.clear()
    clock.now += 31
    body = client.get("/models").json()
    assert body["versions"][0]["version"] == newest
    assert reads_of(store) == {"list": 1, "get_with_etag": 2, "get_json": 1}


def test_models_and_the_champion_share_the_manifests(local_published_registry):
    """The champion's manifest, read to serve /predict, is not read again for /models."""
    store = WatchedStore(local_published_registry.store)
    client = make_client(Registry(store), FakeClock(), cache_ttl_seconds=30)
    assert client.get("/predict").status_code == 200
    assert reads_of(store)["get_json"] == 1
    assert client.get("/models").status_code == 200
    assert reads_of(store) == {"list": 1, "get_with_etag": 2}


def test_models_pages_with_a_cursor(local_published_registry, published_model):
    versions = [local_published_registry.champion(TICKER).version]
    versions += [
        publish_version(local_published_registry, published_model, days=240 + i, promote=False)
        for i in range(4)
    ]
    newest_first = sorted(versions, reverse=True)
    store = WatchedStore(local_published_registry.store)
    client = make_client(Registry(store), FakeClock(), cache_ttl_seconds=30)

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/models", params=params).json()
        pages += 1
        assert body["champion"] == versions[0]
        assert len(body["versions"]) <= 2
        seen += [r["version"] for r in body["versions"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert cursor == seen[-1]
    assert seen == newest_first
    assert pages == 3
    assert reads_of(store)["get_json"] == 5, "each page reads only its own manifests"

    older = client.get("/models", params={"cursor": newest_first[1]}).json()
    assert [r["version"] for r in older["versions"]] == newest_first[2:]
    assert older["next_cursor"] is None
    past_the_end = client.get("/models", params={"cursor": "19990101T000000Z-0000000"}).json()
    assert past_the_end["versions"] == []
    assert past_the_end["next_cursor"] is None


def test_a_version_with_a_corrupt_manifest_is_left_out(local_published_registry, published_model):
    good = local_published_registry.champion(TICKER).version
    bad = publish_version(local_published_registry, published_model, days=250, promote=False)
    store = local_published_registry.store
    store.put_bytes(artifact_key(TICKER, bad, MANIFEST_NAME), b'{"version": "other"}')
    body = make_client(local_published_registry).get("/models").json()
    assert [r["version"] for r in body["versions"]] == [good]
