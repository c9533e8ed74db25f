"""LocalStore: atomic writes, ETags, conditional writes under a file lock, key safety."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading

import pytest

from cryptonic.errors import (
    ConfigError,
    ConflictError,
    IntegrityError,
    NotFoundError,
    StoreUnavailableError,
)
from cryptonic.store.contract import FolderListing
from cryptonic.store.deadline import deadline
from cryptonic.store.local import LocalStore


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_round_trip_and_etags(local_store: LocalStore) -> None:
    etag = local_store.put_bytes("BTC-USD/versions/v/model.tflite", b"abc")
    assert etag == md5(b"abc")  # unquoted md5 hex, like S3's ETag without quotes
    assert local_store.get_bytes("BTC-USD/versions/v/model.tflite") == b"abc"
    assert local_store.get_with_etag("BTC-USD/versions/v/model.tflite") == (b"abc", etag)
    info = local_store.head("BTC-USD/versions/v/model.tflite")
    assert (info.key, info.etag, info.size) == ("BTC-USD/versions/v/model.tflite", etag, 3)
    assert info.last_modified.tzinfo is not None
    assert local_store.exists("BTC-USD/versions/v/model.tflite")


def test_json_round_trip(local_store: LocalStore) -> None:
    etag = local_store.put_json("a/b.json", {"b": 1, "a": [1.5, "x"]})
    assert local_store.get_json("a/b.json") == {"b": 1, "a": [1.5, "x"]}
    assert local_store.head("a/b.json").etag == etag


def test_invalid_json_is_an_integrity_error(local_store: LocalStore) -> None:
    local_store.put_bytes("bad.json", b"{nope")
    with pytest.raises(IntegrityError, match=r"bad\.json is not valid JSON"):
        local_store.get_json("bad.json")


def test_missing_key(local_store: LocalStore) -> None:
    with pytest.raises(NotFoundError, match=r"file://.*/store/nope/x not found"):
        local_store.get_bytes("nope/x")
    with pytest.raises(NotFoundError):
        local_store.head("nope/x")
    assert not local_store.exists("nope/x")
    assert local_store.list() == []  # the root does not even exist yet


def test_folder_is_not_an_object(local_store: LocalStore) -> None:
    local_store.put_bytes("a/b/c", b"1")
    with pytest.raises(NotFoundError):
        local_store.get_bytes("a/b")
    with pytest.raises(NotFoundError):
        local_store.head("a/b")
    assert not local_store.exists("a/b")


def test_list_is_a_sorted_string_prefix_match_hiding_internal_files(
    local_store: LocalStore,
) -> None:
    for key in ("b/2", "a/1", "a/10", "ab/1", "a/sub/3"):
        local_store.put_bytes(key, b"x")
    assert local_store.list() == ["a/1", "a/10", "a/sub/3", "ab/1", "b/2"]
    assert local_store.list("a/") == ["a/1", "a/10", "a/sub/3"]
    assert local_store.list("a") == ["a/1", "a/10", "a/sub/3", "ab/1"]
    assert local_store.list("a/1") == ["a/1", "a/10"]
    assert local_store.list("zzz/") == []
    # the lock file and temp files exist on disk but are not objects
    assert (local_store.root / ".cryptonic.lock").exists()
    assert not [p for p in local_store.root.rglob(".tmp-*")]


def test_a_folder_listing_hides_internal_files_and_folders_without_objects(
    local_store: LocalStore,
) -> None:
    local_store.put_bytes("T/versions/v1/model.tflite", b"x")
    (local_store.root / "T" / "versions" / "crashed").mkdir()  # no object: no folder on S3
    (local_store.root / "T" / "versions" / "tmp-only").mkdir()
    (local_store.root / "T" / "versions" / "tmp-only" / ".tmp-abc").write_bytes(b"half")
    (local_store.root / ".hidden").mkdir()
    (local_store.root / ".hidden" / "x").write_bytes(b"x")
    assert local_store.list_folder("") == FolderListing(("T/",), ())  # not the lock file either
    assert local_store.list_folder("T/versions/") == FolderListing(("T/versions/v1/",), ())
    assert local_store.list_folder("T/versions/v1/model.tflite/") == FolderListing((), ())


def test_a_passed_deadline_fails_every_call_before_it_touches_the_folder(
    local_store: LocalStore,
) -> None:
    local_store.put_bytes("a/b", b"x")
    calls = {
        "read": lambda: local_store.get_bytes("a/b"),
        "head": lambda: local_store.head("a/b"),
        "head ": lambda: local_store.exists("a/b"),
        "list": lambda: local_store.list(""),
        "list ": lambda: local_store.list_folder("a/"),
        "write": lambda: local_store.put_bytes("a/new", b"x"),
        "delete": lambda: local_store.delete("a/b"),
    }
    with deadline(0.0):
        for action, call in calls.items():
            with pytest.raises(StoreUnavailableError, match=f"no time left for {action.strip()}"):
                call()
    assert local_store.list() == ["a/b"], "nothing written, nothing deleted"
    with deadline(10.0):
        assert local_store.get_bytes("a/b") == b"x"


def test_delete_is_idempotent(local_store: LocalStore) -> None:
    local_store.put_bytes("k", b"1")
    local_store.delete("k")
    assert not local_store.exists("k")
    local_store.delete("k")  # missing: no error, as on S3


def test_if_none_match_creates_once(local_store: LocalStore) -> None:
    local_store.put_bytes("k", b"1", if_none_match="*")
    with pytest.raises(ConflictError, match="already exists"):
        local_store.put_bytes("k", b"2", if_none_match="*")
    assert local_store.get_bytes("k") == b"1"


def test_if_match(local_store: LocalStore) -> None:
    etag = local_store.put_bytes("k", b"1")
    new = local_store.put_bytes("k", b"2", if_match=etag)
    assert new == md5(b"2")
    with pytest.raises(ConflictError, match="changed"):
        local_store.put_bytes("k", b"3", if_match=etag)  # stale
    assert local_store.put_bytes("k", b"4", if_match=f'"{new}"')  # S3-style quoted also accepted
    with pytest.raises(ConflictError, match="no longer exists"):
        local_store.put_bytes("missing", b"1", if_match=etag)


def test_conditions_are_checked(local_store: LocalStore) -> None:
    with pytest.raises(ConfigError, match="not both"):
        local_store.put_bytes("k", b"1", if_match="x", if_none_match="*")
    with pytest.raises(ConfigError):
        local_store.put_bytes("k", b"1", if_none_match="x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "key", ["", "../x", "a/../../x", "/abs", "a//b", "a/./b", ".hidden", "a/.tmp-1", "a\\b", "a/"]
)
def test_unsafe_keys_are_refused(local_store: LocalStore, key: str) -> None:
    with pytest.raises(ConfigError, match="invalid store key"):
        local_store.put_bytes(key, b"x")
    with pytest.raises(ConfigError):
        local_store.get_bytes(key)


def test_writes_are_atomic_and_leave_no_temp_files(local_store: LocalStore) -> None:
    big = b"x" * 1_000_000
    local_store.put_bytes("m/model.keras", big)
    local_store.put_bytes("m/model.keras", b"small")
    assert local_store.get_bytes("m/model.keras") == b"small"
    assert sorted(p.name for p in (local_store.root / "m").iterdir()) == ["model.keras"]


def test_threads_racing_with_the_same_etag_exactly_one_wins(local_store: LocalStore) -> None:
    etag = local_store.put_bytes("champion.json", b"v0")
    results: list[str] = []
    barrier = threading.Barrier(8)

    def writer(n: int) -> None:
        barrier.wait()
        try:
            local_store.put_bytes("champion.json", f"v{n + 1}".encode(), if_match=etag)
            results.append(f"v{n + 1}")
        except ConflictError:
            results.append("conflict")

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1
    assert results.count("conflict") == 7
    assert local_store.get_bytes("champion.json") == winners[0].encode()


def _process_writer(root: str, etag: str, n: int, start: object, out: object) -> None:
    store = LocalStore(root)
    start.wait()  # type: ignore[attr-defined]
    try:
        store.put_bytes("champion.json", f"p{n}".encode(), if_match=etag)
        out.put(f"p{n}")  # type: ignore[attr-defined]
    except ConflictError:
        out.put("conflict")  # type: ignore[attr-defined]


def test_processes_racing_with_the_same_etag_exactly_one_wins(local_store: LocalStore) -> None:
    etag = local_store.put_bytes("champion.json", b"v0")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_process_writer, args=(str(local_store.root), etag, n, start, out))
        for n in range(4)
    ]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    winners = [r for r in results if r != "conflict"]
    assert len(winners) == 1, results
    assert local_store.get_bytes("champion.json") == winners[0].encode()
