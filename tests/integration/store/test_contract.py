"""The same store semantics on LocalStore and S3Store (moto server)."""

from __future__ import annotations

import hashlib
import threading

import pytest

from cryptonic.errors import ConfigError, ConflictError, NotFoundError
from cryptonic.store.contract import ArtifactStore, FolderListing


def test_round_trip(store: ArtifactStore) -> None:
    etag = store.put_bytes("BTC-USD/versions/v1/model.tflite", b"\x00\x01tflite")
    assert etag == hashlib.md5(b"\x00\x01tflite").hexdigest()  # same ETag on both stores
    assert store.get_bytes("BTC-USD/versions/v1/model.tflite") == b"\x00\x01tflite"
    assert store.get_with_etag("BTC-USD/versions/v1/model.tflite") == (b"\x00\x01tflite", etag)
    info = store.head("BTC-USD/versions/v1/model.tflite")
    assert (info.key, info.etag, info.size) == ("BTC-USD/versions/v1/model.tflite", etag, 8)
    assert info.last_modified.tzinfo is not None
    assert store.exists("BTC-USD/versions/v1/model.tflite")
    assert not store.exists("BTC-USD/versions/v1/model.keras")


def test_json(store: ArtifactStore) -> None:
    etag = store.put_json("x/champion.json", {"version": "v", "history": []})
    assert store.get_json("x/champion.json") == {"version": "v", "history": []}
    assert store.head("x/champion.json").etag == etag


def test_missing(store: ArtifactStore) -> None:
    with pytest.raises(NotFoundError, match=r"/nope/key not found"):
        store.get_bytes("nope/key")
    with pytest.raises(NotFoundError, match=r"/nope/key not found"):
        store.head("nope/key")
    with pytest.raises(NotFoundError):
        store.get_with_etag("nope/key")


def test_list_is_relative_sorted_and_prefix_based(store: ArtifactStore) -> None:
    for key in ("b/2", "a/1", "a/10", "ab/1", "a/sub/3"):
        store.put_bytes(key, b"x")
    assert store.list() == ["a/1", "a/10", "a/sub/3", "ab/1", "b/2"]
    assert store.list("") == store.list()
    assert store.list("a/") == ["a/1", "a/10", "a/sub/3"]
    assert store.list("a") == ["a/1", "a/10", "a/sub/3", "ab/1"]
    assert store.list("nothing/") == []


def test_list_folder_lists_one_level_as_s3_does_with_a_delimiter(store: ArtifactStore) -> None:
    for key in ("b/2", "a/1", "a/10", "ab/1", "a/sub/3", "a/sub/deep/4", "top.json", "^GSPC/x"):
        store.put_bytes(key, b"x")
    assert store.list_folder() == FolderListing(("^GSPC/", "a/", "ab/", "b/"), ("top.json",))
    assert store.list_folder("") == store.list_folder()
    assert store.list_folder("a/") == FolderListing(("a/sub/",), ("a/1", "a/10"))
    assert store.list_folder("a/sub/") == FolderListing(("a/sub/deep/",), ("a/sub/3",))
    assert store.list_folder("a") == FolderListing(("a/", "ab/"), ())  # a string prefix, as S3
    assert store.list_folder("a/1") == FolderListing((), ("a/1", "a/10"))
    assert store.list_folder("nothing/") == FolderListing((), ())


def test_a_folder_lives_as_long_as_it_holds_an_object(store: ArtifactStore) -> None:
    store.put_bytes("T/versions/v1/model.tflite", b"x")
    store.put_bytes("T/versions/v2/model.tflite", b"x")
    store.delete("T/versions/v1/model.tflite")  # the local store keeps the empty directory
    assert store.list_folder("T/versions/") == FolderListing(("T/versions/v2/",), ())
    store.delete("T/versions/v2/model.tflite")
    assert store.list_folder("") == FolderListing((), ())


def test_delete(store: ArtifactStore) -> None:
    store.put_bytes("k/1", b"x")
    store.delete("k/1")
    assert not store.exists("k/1")
    store.delete("k/1")  # idempotent on both stores


def test_if_none_match(store: ArtifactStore) -> None:
    store.put_bytes("k", b"1", if_none_match="*")
    with pytest.raises(ConflictError, match=r"k already exists \(If-None-Match: \*\)"):
        store.put_bytes("k", b"2", if_none_match="*")
    assert store.get_bytes("k") == b"1"


def test_if_match(store: ArtifactStore) -> None:
    etag = store.put_bytes("k", b"1")
    etag2 = store.put_bytes("k", b"2", if_match=etag)
    with pytest.raises(ConflictError, match="changed"):
        store.put_bytes("k", b"3", if_match=etag)
    assert store.get_bytes("k") == b"2"
    assert store.put_bytes("k", b"4", if_match=etag2) == hashlib.md5(b"4").hexdigest()


def test_if_match_on_a_missing_object_is_a_conflict(store: ArtifactStore) -> None:
    with pytest.raises(ConflictError, match="no longer exists"):
        store.put_bytes("gone", b"1", if_match=hashlib.md5(b"x").hexdigest())


def test_unsafe_keys(store: ArtifactStore) -> None:
    for key in ("../x", "/abs", "a//b", ".hidden"):
        with pytest.raises(ConfigError):
            store.put_bytes(key, b"x")


def test_racing_conditional_writes_one_winner(store: ArtifactStore) -> None:
    etag = store.put_bytes("champion.json", b"v0")
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        barrier.wait()
        try:
            store.put_bytes("champion.json", f"v{n + 1}".encode(), if_match=etag)
            outcome = f"v{n + 1}"
        except ConflictError:
            outcome = "conflict"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1, results
    assert store.get_bytes("champion.json") == winners[0].encode()
