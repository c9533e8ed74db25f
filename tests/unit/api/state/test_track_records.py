"""``TrackRecords``: each ticker's track record read once, re-checked by ETag at most every TTL."""

from __future__ import annotations

import pytest

from cryptonic.api.state.track_records import TrackRecords
from cryptonic.errors import StoreUnavailableError
from cryptonic.registry.track_record import TrackRecord
from tests.fixtures.api import FakeClock, WatchedStore


def write(store, ticker: str, retention_days: int = 365) -> None:
    record = TrackRecord.empty(ticker, retention_days)
    store.put_json(f"forecasts/{ticker}/track-record.json", record.model_dump(mode="json"))


def test_read_once_then_checked_by_etag_after_the_ttl(local_store):
    write(local_store, "BTC-USD")
    store = WatchedStore(local_store)
    clock = FakeClock()
    records = TrackRecords(store, ttl_seconds=30, clock=clock)
    first = records.get("BTC-USD")
    assert first is not None
    assert first.retention_days == 365
    assert records.get("BTC-USD") is first
    assert store.reads == ["get_with_etag"]
    clock.now += 31
    assert records.get("BTC-USD") is first, "same ETag: the record held"
    assert store.reads == ["get_with_etag", "head"]
    write(local_store, "BTC-USD", retention_days=30)
    clock.now += 31
    newer = records.get("BTC-USD")
    assert newer is not None
    assert newer.retention_days == 30


def test_no_record_yet_is_an_answer_kept_for_the_ttl(local_store):
    store = WatchedStore(local_store)
    clock = FakeClock()
    records = TrackRecords(store, ttl_seconds=30, clock=clock)
    assert records.get("BTC-USD") is None
    assert records.get("BTC-USD") is None
    assert store.reads == ["get_with_etag"]


def test_each_ticker_is_read_on_its_own(local_store):
    write(local_store, "BTC-USD")
    store = WatchedStore(local_store)
    records = TrackRecords(store, ttl_seconds=30, clock=FakeClock())
    assert records.get("BTC-USD") is not None
    assert records.get("AAPL") is None
    assert store.keys == [
        "forecasts/BTC-USD/track-record.json",
        "forecasts/AAPL/track-record.json",
    ]


def test_a_failed_check_keeps_the_record_and_a_cold_one_raises(local_store):
    write(local_store, "BTC-USD")
    store = WatchedStore(local_store)
    clock = FakeClock()
    records = TrackRecords(store, ttl_seconds=30, clock=clock)
    held = records.get("BTC-USD")
    store.down = True
    clock.now += 31
    assert records.get("BTC-USD") is held
    with pytest.raises(StoreUnavailableError):
        records.get("AAPL")
