"""``StoreTickers``: a ticker checked alone (a HEAD, and a LIST of its own versions only when it has
no pointer), the answer kept for the TTL in bounded memory; the store's list once per TTL; and
neither started once the caller's deadline has passed."""

from __future__ import annotations

import pytest

from cryptonic.api.state.store_tickers import StoreTickers
from cryptonic.errors import StoreUnavailableError
from cryptonic.registry.registry import Registry
from cryptonic.store.deadline import deadline
from tests.fixtures.api import FakeClock, WatchedStore

TTL = 30.0


@pytest.fixture
def watched(local_store):
    local_store.put_json("ETH-USD/champion.json", {"version": "x"})
    for n in range(40):  # a long forecast log: what a listing of the whole store would read
        local_store.put_json(f"forecasts/ETH-USD/{n:04d}.json", {})
    local_store.put_json("SOL-USD/versions/20261102T060000Z-abc1234/manifest.json", {})
    return WatchedStore(local_store)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def tickers(watched, clock):
    return StoreTickers(Registry(watched), ttl_seconds=TTL, clock=clock)


def requests(watched):
    return list(zip(watched.calls, watched.keys, strict=True))


def test_a_ticker_with_a_pointer_costs_one_listing_of_its_folder(tickers, watched):
    assert tickers.has("ETH-USD") is True
    assert requests(watched) == [("list", "ETH-USD/")]
    assert tickers.known_now("ETH-USD")


def test_a_ticker_with_versions_but_no_pointer_yet_is_known(tickers, watched):
    assert tickers.has("SOL-USD") is True
    assert requests(watched) == [("list", "SOL-USD/")]


def test_an_unknown_ticker_costs_one_small_request_once_per_ttl(tickers, watched, clock):
    for _ in range(3):
        assert tickers.has("NOPE-USD") is False
    assert requests(watched) == [("list", "NOPE-USD/")]
    assert not tickers.known_now("NOPE-USD")
    clock.now += TTL
    watched.inner.put_json("NOPE-USD/champion.json", {"version": "x"})
    assert tickers.has("NOPE-USD") is True, "checked again after the TTL"
    assert len(watched.calls) == 2


def test_a_known_ticker_is_checked_again_after_the_ttl(tickers, watched, clock):
    tickers.has("ETH-USD")
    clock.now += TTL - 1
    assert tickers.known_now("ETH-USD")
    assert tickers.has("ETH-USD")
    clock.now += 1
    assert not tickers.known_now("ETH-USD"), "not without I/O after the TTL"
    assert tickers.has("ETH-USD")
    assert watched.calls == ["list", "list"]


def test_the_answers_kept_are_bounded(watched, clock):
    tickers = StoreTickers(Registry(watched), ttl_seconds=TTL, clock=clock, kept=2)
    for name in ("AAA", "BBB", "CCC"):
        assert tickers.has(name) is False
    watched.clear()
    tickers.has("CCC")
    assert watched.calls == [], "the most recent kept"
    tickers.has("AAA")
    assert watched.calls == ["list"], "the oldest forgotten"


def test_a_failed_check_is_not_remembered(tickers, watched):
    watched.down = True
    with pytest.raises(StoreUnavailableError):
        tickers.has("ETH-USD")
    watched.down = False
    assert tickers.has("ETH-USD") is True


def test_no_check_starts_once_the_deadline_has_passed(tickers, watched):
    with deadline(0.0), pytest.raises(StoreUnavailableError, match="no time left"):
        tickers.has("ETH-USD")
    assert watched.calls == []


def test_the_store_is_listed_once_per_ttl(tickers, watched, clock):
    assert tickers.listed() == {"ETH-USD", "SOL-USD"}
    assert tickers.listed() == {"ETH-USD", "SOL-USD"}
    assert requests(watched) == [("list", "")]
    assert tickers.known_now("SOL-USD"), "a listed ticker is known without I/O"
    clock.now += TTL
    tickers.listed()
    assert watched.calls == ["list", "list"]


def test_a_failed_listing_keeps_the_last_one_until_the_ttl(tickers, watched, clock):
    tickers.listed()
    clock.now += TTL
    watched.down = True
    assert tickers.listed() == {"ETH-USD", "SOL-USD"}
    assert tickers.listed() == {"ETH-USD", "SOL-USD"}
    assert watched.calls == ["list", "list"], "not retried before the TTL"


def test_no_listing_starts_once_the_deadline_has_passed(tickers, watched):
    with deadline(0.0):
        assert tickers.listed() == frozenset()
    assert watched.calls == []
    assert tickers.listed() == {"ETH-USD", "SOL-USD"}, "the next request lists"
