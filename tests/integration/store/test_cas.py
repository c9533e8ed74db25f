"""Compare-and-swap updates of one JSON object on both stores (a folder and moto's S3)."""

from __future__ import annotations

import pytest

from cryptonic.errors import ConflictError, IntegrityError
from cryptonic.store.cas import read_json, update_json

KEY = "forecasts/BTC-USD/latest.json"


def add(name: str):
    def change(current):
        names = sorted({*(current or {}).get("names", []), name})
        return {"names": names}

    return change


def test_creates_then_merges(store):
    first = update_json(store, KEY, add("a"))
    assert (first.written, first.value) == (True, {"names": ["a"]})
    second = update_json(store, KEY, add("b"))
    assert second.value == {"names": ["a", "b"]}
    assert read_json(store, KEY) == ({"names": ["a", "b"]}, second.etag)


def test_an_unchanged_value_writes_nothing(store):
    written = update_json(store, KEY, add("a"))
    again = update_json(store, KEY, add("a"))
    assert not again.written
    assert again.etag == written.etag
    assert store.head(KEY).etag == written.etag


def test_a_writer_that_loses_rereads_and_keeps_the_winners_change(store):
    """Writer B lands between A's read and A's write: A retries on B's value; neither is lost."""
    update_json(store, KEY, add("base"))
    interleaved = {"done": False}

    def a_change(current):
        if not interleaved["done"]:
            interleaved["done"] = True
            update_json(store, KEY, add("b"))  # the rival, complete, before A writes
        return add("a")(current)

    swapped = update_json(store, KEY, a_change)
    assert swapped.attempts == 2
    assert read_json(store, KEY)[0] == {"names": ["a", "b", "base"]}


def test_two_creators_of_a_missing_object_both_land(store):
    interleaved = {"done": False}

    def a_change(current):
        if not interleaved["done"]:
            interleaved["done"] = True
            update_json(store, KEY, add("b"))
        return add("a")(current)

    update_json(store, KEY, a_change)
    assert read_json(store, KEY)[0] == {"names": ["a", "b"]}


def test_gives_up_after_the_attempts_and_says_so(store):
    counter = {"n": 0}

    def always_beaten(current):
        counter["n"] += 1
        store.put_json(KEY, {"rival": counter["n"]})  # someone else writes every time
        return {"mine": True}

    with pytest.raises(ConflictError, match="3 compare-and-swap attempts"):
        update_json(store, KEY, always_beaten, attempts=3)
    assert read_json(store, KEY)[0] == {"rival": 3}


def test_read_json_of_a_missing_key(store):
    assert read_json(store, KEY) == (None, None)


def test_a_damaged_object_fails_the_writer_unless_it_is_derived(store, caplog):
    store.put_bytes(KEY, b'{"names": ["a"')  # half-written by hand
    with pytest.raises(IntegrityError, match="is not valid JSON"):
        update_json(store, KEY, add("b"))
    assert store.get_bytes(KEY) == b'{"names": ["a"'  # untouched

    rebuilt = update_json(store, KEY, add("b"), derived=True)

    assert (rebuilt.written, rebuilt.value) == (True, {"names": ["b"]})
    assert read_json(store, KEY) == ({"names": ["b"]}, rebuilt.etag)
    assert f"{KEY} is unreadable" in caplog.text
