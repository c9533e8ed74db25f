"""``VersionListing``: a ticker's version ids, listed at most every TTL, paged newest first."""

from __future__ import annotations

import datetime as dt

from cryptonic.api.state.version_listing import VersionListing
from cryptonic.api.state.versions import ManifestCache
from cryptonic.registry.keys import artifact_key
from cryptonic.registry.registry import Registry, new_version_id
from tests.fixtures.api import FakeClock, WatchedStore
from tests.fixtures.published import manifest_draft

TICKER = "BTC-USD"


def publish(registry: Registry, minute: int) -> str:
    version = new_version_id(dt.datetime(2026, 1, 1, 0, minute, tzinfo=dt.UTC))
    registry.publish(TICKER, version, {"notes.txt": b"x"}, manifest_draft())
    return version


def listing(registry: Registry, clock: FakeClock, ttl: float = 30) -> VersionListing:
    return VersionListing(registry, ManifestCache(registry), ttl_seconds=ttl, clock=clock)


def test_ids_newest_first_and_a_crashed_publish_is_skipped_on_the_page(local_store):
    registry = Registry(local_store)
    versions = [publish(registry, minute) for minute in (5, 1, 9)]
    crashed = new_version_id(dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC))
    local_store.put_bytes(artifact_key(TICKER, crashed, "notes.txt"), b"no manifest yet")
    local_store.put_bytes(f"{TICKER}/versions/not-a-version/manifest.json", b"{}")
    listed = listing(registry, FakeClock())
    assert listed.ids(TICKER).versions == tuple(sorted([*versions, crashed], reverse=True))
    assert listed.ids(TICKER).champion is None, "published, never promoted"
    page = listed.page(TICKER, limit=10)
    assert [version for version, _ in page.versions] == sorted(versions, reverse=True)
    assert listed.ids("ETH-USD").versions == ()


def test_ids_are_listed_at_most_once_per_ttl(local_store):
    first = publish(Registry(local_store), 1)
    store = WatchedStore(local_store)
    clock = FakeClock()
    listed = listing(Registry(store), clock)
    assert listed.ids(TICKER).versions == (first,)
    reads = list(store.reads)
    assert reads, "the first call lists"
    second = publish(Registry(local_store), 2)
    clock.now += 29
    assert listed.ids(TICKER).versions == (first,), "within the TTL: the listing held"
    assert store.reads == reads
    clock.now += 2
    assert listed.ids(TICKER).versions == (second, first)


def test_a_page_continues_after_its_cursor(local_store):
    registry = Registry(local_store)
    newest_first = sorted((publish(registry, minute) for minute in range(5)), reverse=True)
    listed = listing(registry, FakeClock())
    page = listed.page(TICKER, limit=2)
    assert [v for v, _ in page.versions] == newest_first[:2]
    assert page.next_cursor == newest_first[1]
    last = listed.page(TICKER, limit=3, cursor=page.next_cursor)
    assert [v for v, _ in last.versions] == newest_first[2:]
    assert last.next_cursor is None
