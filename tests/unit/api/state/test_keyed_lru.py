"""``KeyedLru``: the least recently used out beyond the bound, lock-free reads, one load per key."""

from __future__ import annotations

import threading

import pytest

from cryptonic.api.state.keyed_lru import KeyedLru


def test_the_least_recently_used_goes_first():
    evicted: list[tuple[str, int]] = []
    lru: KeyedLru[str, int] = KeyedLru(2, on_evict=lambda k, v: evicted.append((k, v)))
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a use: b is now the oldest
    lru.put("c", 3)
    assert lru.keys() == ["a", "c"]
    assert evicted == [("b", 2)]
    assert lru.get("b") is None
    assert len(lru) == 2


def test_a_read_that_is_not_a_use_moves_nothing():
    lru: KeyedLru[str, int] = KeyedLru(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a", touch=False) == 1
    lru.put("c", 3)
    assert lru.keys() == ["b", "c"]


def test_put_replaces_and_makes_recent():
    lru: KeyedLru[str, int] = KeyedLru()
    lru.put("a", 1)
    lru.put("b", 2)
    lru.put("a", 10)
    assert lru.items() == [("b", 2), ("a", 10)]


def test_without_a_bound_nothing_is_evicted():
    lru: KeyedLru[int, int] = KeyedLru()
    for key in range(1000):
        lru.put(key, key)
    assert len(lru) == 1000


def test_discard_where_drops_the_chosen_keys_without_on_evict():
    evicted: list[tuple[str, str]] = []
    lru: KeyedLru[tuple[str, str], int] = KeyedLru(on_evict=lambda k, v: evicted.append(k))
    for key in [("A", "1"), ("B", "1"), ("A", "2")]:
        lru.put(key, 0)
    lru.discard_where(lambda key: key[0] == "A")
    assert lru.keys() == [("B", "1")]
    assert evicted == []


def test_the_bound_is_at_least_one():
    with pytest.raises(ValueError, match="capacity must be at least 1"):
        KeyedLru(0)


def test_get_or_load_loads_a_miss_once_then_serves_it():
    loads: list[int | None] = []
    lru: KeyedLru[str, int] = KeyedLru()

    def load(held: int | None) -> int:
        loads.append(held)
        return 7

    assert lru.get_or_load("a", load) == 7
    assert lru.get_or_load("a", load) == 7
    assert loads == [None]


def test_get_or_load_reloads_what_is_no_longer_fresh_and_hands_it_to_the_loader():
    lru: KeyedLru[str, int] = KeyedLru()
    lru.put("a", 1)
    seen: list[int | None] = []

    def load(held: int | None) -> int:
        seen.append(held)
        return 2

    assert lru.get_or_load("a", load, fresh=lambda value: value > 1) == 2
    assert lru.get_or_load("a", load, fresh=lambda value: value > 1) == 2
    assert seen == [1]


def test_a_failed_load_holds_nothing_and_the_next_call_loads_again():
    lru: KeyedLru[str, int] = KeyedLru()

    def fail(held: int | None) -> int:
        raise OSError("store down")

    with pytest.raises(OSError, match="store down"):
        lru.get_or_load("a", fail)
    assert lru.get("a") is None
    assert lru.get_or_load("a", lambda held: 3) == 3
    assert lru._locks == {}, "no lock outlives its load"


def test_one_load_per_key_at_a_time_and_other_keys_are_not_held_up():
    lru: KeyedLru[str, str] = KeyedLru()
    inside, release = threading.Event(), threading.Event()
    loads: list[str] = []

    def slow(held: str | None) -> str:
        loads.append("slow")
        inside.set()
        assert release.wait(10)
        return "first"

    def second(held: str | None) -> str:
        loads.append("second")
        return "second"

    results: dict[str, str] = {}
    first = threading.Thread(target=lambda: results.update(a1=lru.get_or_load("a", slow)))
    first.start()
    assert inside.wait(10)
    waiter = threading.Thread(target=lambda: results.update(a2=lru.get_or_load("a", second)))
    waiter.start()
    assert lru.get_or_load("b", lambda held: "other") == "other", "another key loads meanwhile"
    waiter.join(0.2)
    assert waiter.is_alive(), "the same key waits for the load in flight"
    release.set()
    first.join(10)
    waiter.join(10)
    assert results == {"a1": "first", "a2": "first"}
    assert loads == ["slow"]
    assert lru._locks == {}
