"""``VersionListing``: a ticker's version ids, listed at most every TTL, paged newest first."""

from __future__ import annotations

import datetime as dt
import time

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


def test_a_page_reads_a_bounded_number_of_manifests_at_once_and_goes_on_from_there(local_store):
    """A cold ``limit=100`` page read 100 manifests one after another (past the deadline on
    S3): now at most ``reads`` per request, side by side; the page ends before the first it did
    not read and ``next_cursor`` continues there."""
    newest_first = sorted((publish(Registry(local_store), m) for m in range(6)), reverse=True)
    store = WatchedStore(local_store)
    store.delay_s = 0.05
    listed = listing(Registry(store), FakeClock())
    listed.ids(TICKER)
    started = time.perf_counter()
    first = listed.page(TICKER, limit=10, reads=3)
    seconds = time.perf_counter() - started
    assert [v for v, _ in first.versions] == newest_first[:3]
    assert first.next_cursor == newest_first[2]
    manifests = [k for k in store.keys if k.endswith("manifest.json")]
    assert len(manifests) == 3
    assert seconds < 2 * store.delay_s, "the three reads overlapped"
    rest = listed.page(TICKER, limit=10, cursor=first.next_cursor, reads=3)
    assert [v for v, _ in rest.versions] == newest_first[3:]
    assert rest.next_cursor is None
    again = listed.page(TICKER, limit=10, reads=0)  # every manifest in memory: no read needed
    assert [v for v, _ in again.versions] == newest_first
