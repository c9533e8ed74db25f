"""The registry on both stores (local folder and moto S3): one suite, parametrized by `store`."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Any, Literal

import pytest

from cryptonic.errors import (
    BucketNotFoundError,
    ConfigError,
    ConflictError,
    DamagedPointerError,
    IntegrityError,
    NoModelError,
    NotFoundError,
)
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.manifest import ArtifactEntry, BacktestRecord
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.s3 import S3Store
from cryptonic.store.s3_reader import S3ReadOnlyStore
from cryptonic.store.sigv4 import Credentials
from cryptonic.store.uri import open_store
from tests.fixtures.published import manifest_draft, score_row
from tests.fixtures.s3_fakes import CountingProxy

TICKER = "BTC-USD"
T0 = dt.datetime(2026, 11, 23, 19, 20, tzinfo=dt.UTC)


def artifacts(tag: str) -> dict[str, bytes]:
    return {
        "model.keras": f"keras-{tag}".encode(),
        "model.tflite": f"tflite-{tag}".encode(),
        "forecast.json": b'{"result": []}',
        "prices.csv": f"date,close\n2026-01-01,{tag}\n".encode(),
    }


def publish(reg: Registry, day: int, tag: str | None = None, **extra: Any) -> str:
    version = new_version_id(T0 + dt.timedelta(days=day))
    draft = manifest_draft(TICKER, metrics=BacktestRecord(model=score_row(mape=0.05)), **extra)
    reg.publish(TICKER, version, artifacts(tag or version), draft)
    return version


@pytest.fixture
def reg(store: ArtifactStore) -> Registry:
    return Registry(store)


# -- publishing -----------------------------------------------------------------------------


def test_publish_writes_the_layout_and_a_manifest_last(reg: Registry, store: ArtifactStore) -> None:
    version = new_version_id(T0)
    manifest = reg.publish(TICKER, version, artifacts("a"), manifest_draft(parent=None))
    names = ["forecast.json", "manifest.json", "model.keras", "model.tflite", "prices.csv"]
    assert store.list(f"{TICKER}/") == [f"{TICKER}/versions/{version}/{n}" for n in names]
    assert manifest.version == version
    assert manifest.ticker == TICKER
    assert manifest.created_at.endswith("Z")
    assert manifest.artifacts["model.tflite"] == ArtifactEntry(
        sha256=hashlib.sha256(b"tflite-a").hexdigest(), bytes=len(b"tflite-a")
    )
    assert reg.manifest(TICKER, version) == manifest
    assert reg.load_artifact(TICKER, version, "model.tflite") == b"tflite-a"


def test_created_at_is_kept_when_given(reg: Registry) -> None:
    version = new_version_id(T0)
    draft = manifest_draft(created_at="2026-01-01T00:00:00Z")
    assert reg.publish(TICKER, version, artifacts("a"), draft).created_at == "2026-01-01T00:00:00Z"


def test_versions_are_immutable(reg: Registry, store: ArtifactStore) -> None:
    version = publish(reg, 0, "first")
    with pytest.raises(ConflictError, match=f"version {version} of {TICKER} already exists"):
        reg.publish(TICKER, version, artifacts("second"), manifest_draft())
    assert reg.load_artifact(TICKER, version, "model.keras") == b"keras-first"


def test_manifest_must_be_json(reg: Registry, store: ArtifactStore) -> None:
    with pytest.raises(ConfigError, match="not JSON-serializable"):
        reg.publish(TICKER, new_version_id(T0), artifacts("a"), manifest_draft(bad=object()))
    assert store.list() == []  # nothing written


def test_reserved_or_unsafe_artifact_names(reg: Registry) -> None:
    for name in ("manifest.json", "../x", "a/b", ".hidden"):
        with pytest.raises(ConfigError):
            reg.publish(TICKER, new_version_id(T0), {name: b"x"}, manifest_draft())


def test_ticker_is_normalized(reg: Registry) -> None:
    version = new_version_id(T0)
    reg.publish("btc-usd", version, artifacts("a"), manifest_draft())
    assert reg.manifest("BTC-USD", version).ticker == "BTC-USD"
    with pytest.raises(ConfigError, match="invalid ticker"):
        reg.version_ids("../etc")
    with pytest.raises(ConfigError, match="the draft is of AAPL"):
        reg.publish(TICKER, new_version_id(T0), artifacts("a"), manifest_draft("AAPL"))


@pytest.mark.parametrize("bad", ["../x", "..", "20261123T192000Z-1a2b3c4/../..", "latest", ""])
def test_path_traversal_versions_are_refused(reg: Registry, bad: str) -> None:
    with pytest.raises(ConfigError, match="invalid model version"):
        reg.load_artifact(TICKER, bad, "model.tflite")
    with pytest.raises(ConfigError):
        reg.promote(TICKER, bad)
    with pytest.raises(ConfigError):
        reg.publish(TICKER, bad, artifacts("a"), manifest_draft())


# -- listing --------------------------------------------------------------------------------


def test_versions_are_listed_newest_first(reg: Registry, store: ArtifactStore) -> None:
    v2 = publish(reg, 2)
    v1 = publish(reg, 1)
    v3 = publish(reg, 3)
    assert reg.version_ids(TICKER) == [v3, v2, v1]
    assert [m.version for m in reg.manifests(TICKER)] == [v3, v2, v1]
    assert reg.version_ids("AAPL") == []
    store.put_bytes(f"{TICKER}/versions/{v2}/manifest.json", b'{"version": "broken"}')
    assert [m.version for m in reg.manifests(TICKER)] == [v3, v1]  # logged and skipped


def test_tickers(reg: Registry) -> None:
    assert reg.tickers() == []
    publish(reg, 0)
    reg.publish("AAPL", new_version_id(T0), artifacts("x"), manifest_draft("AAPL"))
    assert reg.tickers() == ["AAPL", TICKER]


def test_tickers_are_the_root_folders_named_as_tickers(reg: Registry, store: ArtifactStore) -> None:
    publish(reg, 0)
    store.put_json("forecasts/BTC-USD/latest.json", {})  # the forecast log
    store.put_json("runs/refresh/r1/summary.json", {})  # the run ledgers
    store.put_json("btc-usd/champion.json", {})  # not a folder the registry writes
    store.put_json("top.json", {})  # an object at the root is no folder
    store.put_bytes(f"ETH-USD/versions/{new_version_id(T0)}/model.tflite", b"crashed")
    assert reg.tickers() == [TICKER, "ETH-USD"], "a ticker whose only publish crashed is listed"
    assert [m.version for m in reg.manifests("ETH-USD")] == []


def test_has_ticker_agrees_with_tickers(reg: Registry, store: ArtifactStore) -> None:
    publish(reg, 0)  # versions, no champion
    store.put_json("AAPL/champion.json", {})  # a champion (its versions aside)
    store.put_json("forecasts/SOL-USD/latest.json", {})  # a forecast log is not a ticker
    for ticker in ("btc-usd", "AAPL", "SOL-USD", "NOPE-USD", "BTC"):
        assert reg.has_ticker(ticker) == (ticker.upper() in reg.tickers()), ticker
    assert reg.has_ticker(TICKER)
    assert not reg.has_ticker("NOPE-USD")
    with pytest.raises(ConfigError):
        reg.has_ticker("../etc")


# -- integrity ------------------------------------------------------------------------------


def test_corrupt_artifact_is_refused(reg: Registry, store: ArtifactStore) -> None:
    version = publish(reg, 0)
    key = f"{TICKER}/versions/{version}/model.tflite"
    store.put_bytes(key, b"tampered behind the registry's back")
    with pytest.raises(IntegrityError, match=rf"model\.tflite of {TICKER} version {version}"):
        reg.load_artifact(TICKER, version, "model.tflite")
    # same size, different bytes: still caught by sha256
    original = f"tflite-{version}".encode()
    store.put_bytes(key, bytes(reversed(original)))
    with pytest.raises(IntegrityError, match="corrupt"):
        reg.load_artifact(TICKER, version, "model.tflite")
    assert reg.load_artifact(TICKER, version, "model.keras")  # the others still load


def test_artifact_missing_from_the_store(reg: Registry, store: ArtifactStore) -> None:
    version = publish(reg, 0)
    store.delete(f"{TICKER}/versions/{version}/model.keras")
    with pytest.raises(IntegrityError, match="missing from the store"):
        reg.load_artifact(TICKER, version, "model.keras")


def test_artifact_not_in_manifest(reg: Registry) -> None:
    version = publish(reg, 0)
    with pytest.raises(NotFoundError, match=r"has no artifact 'other\.bin'"):
        reg.load_artifact(TICKER, version, "other.bin")


def test_unknown_version(reg: Registry) -> None:
    version = new_version_id(T0)
    with pytest.raises(NotFoundError, match=f"version {version} of {TICKER} not found"):
        reg.manifest(TICKER, version)
    with pytest.raises(NotFoundError):
        reg.load_artifact(TICKER, version, "model.tflite")


def test_corrupt_champion_pointer(reg: Registry, store: ArtifactStore) -> None:
    store.put_bytes(f"{TICKER}/champion.json", b"not json")
    with pytest.raises(IntegrityError, match=r"champion\.json is not valid JSON"):
        reg.champion(TICKER)
    store.put_json(f"{TICKER}/champion.json", {"version": "../x", "promoted_at": "now"})
    with pytest.raises(IntegrityError, match="not a valid champion pointer") as caught:
        reg.champion(TICKER)
    assert str(caught.value).endswith(
        f"; `cryptonic models promote VERSION --ticker {TICKER}` replaces it (its history of "
        "earlier champions is lost)"
    )


def test_only_the_damaged_pointer_itself_is_replaced(reg: Registry, store: ArtifactStore) -> None:
    v1, v2 = publish(reg, 1), publish(reg, 2)
    reg.promote(TICKER, v1)
    store.put_bytes(f"{TICKER}/champion.json", b'{"version": "2026')  # half-written by hand
    with pytest.raises(DamagedPointerError):
        reg.promote(TICKER, v2)  # a job's promotion fails loudly
    with pytest.raises(DamagedPointerError) as found:
        reg.rollback(TICKER)
    assert found.value.etag == store.head(f"{TICKER}/champion.json").etag

    repaired = reg.replace_damaged(TICKER, v2, found.value.etag)

    assert (repaired.version, repaired.history) == (v2, ())
    assert reg.champion(TICKER) == repaired
    assert store.get_bytes(f"{TICKER}/prices.csv") == artifacts(v2)["prices.csv"]
    with pytest.raises(ConflictError, match="changed since it was found damaged"):
        reg.replace_damaged(TICKER, v1, found.value.etag)  # repaired meanwhile: left alone
    assert reg.champion(TICKER) == repaired


# -- champion, promotion, rollback ------------------------------------------------------------


def test_no_champion_yet(reg: Registry) -> None:
    assert reg.champion(TICKER) is None
    assert reg.champion_etag(TICKER) is None
    with pytest.raises(NoModelError, match=r"no model for BTC-USD yet: run `cryptonic retrain"):
        reg.resolve_version(TICKER, None)
    publish(reg, 0)  # published but never promoted: still no model to serve
    with pytest.raises(NoModelError):
        reg.resolve_version(TICKER, None)


def test_promote_and_history(reg: Registry, store: ArtifactStore) -> None:
    v1, v2, v3 = publish(reg, 1), publish(reg, 2), publish(reg, 3)
    p1 = reg.promote(TICKER, v1)
    assert (p1.version, p1.history, p1.etag) == (v1, (), reg.champion_etag(TICKER))
    p2 = reg.promote(TICKER, v2)
    p3 = reg.promote(TICKER, v3, expected=p2)
    assert [h.version for h in p3.history] == [v2, v1]
    assert p3.history[0].promoted_at == p2.promoted_at
    assert reg.champion(TICKER) == p3
    raw = store.get_json(f"{TICKER}/champion.json")
    assert raw["version"] == v3
    assert [h["version"] for h in raw["history"]] == [v2, v1]
    assert reg.resolve_version(TICKER, None) == v3
    # the mirror holds the champion's price snapshot; manifests were not touched
    assert store.get_bytes(f"{TICKER}/prices.csv") == artifacts(v3)["prices.csv"]
    assert "promoted" not in reg.manifest(TICKER, v1).model_dump()


def test_promote_the_current_champion_is_a_no_op(reg: Registry) -> None:
    v1 = publish(reg, 1)
    p1 = reg.promote(TICKER, v1)
    again = reg.promote(TICKER, v1)
    assert again == p1
    assert again.etag == p1.etag
    assert reg.promote(TICKER, v1, expected=p1).etag == p1.etag


def test_promote_unpublished_version(reg: Registry) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        reg.promote(TICKER, new_version_id(T0))
    assert reg.champion(TICKER) is None


def test_champion_etag_changes_on_promotion(reg: Registry) -> None:
    v1, v2 = publish(reg, 1), publish(reg, 2)
    e1 = reg.promote(TICKER, v1).etag
    assert reg.champion_etag(TICKER) == e1
    reg.promote(TICKER, v2)
    assert reg.champion_etag(TICKER) not in {None, e1}


def test_stale_expected_pointer_loses(reg: Registry) -> None:
    v1, v2, v3 = publish(reg, 1), publish(reg, 2), publish(reg, 3)
    p1 = reg.promote(TICKER, v1)
    reg.promote(TICKER, v2, expected=p1)
    with pytest.raises(
        ConflictError,
        match=rf"champion of BTC-USD changed while promoting {v3}: another promotion won",
    ):
        reg.promote(TICKER, v3, expected=p1)
    assert reg.champion(TICKER).version == v2  # type: ignore[union-attr]


def test_expected_none_means_only_if_there_is_no_champion(reg: Registry) -> None:
    v1, v2 = publish(reg, 1), publish(reg, 2)
    reg.promote(TICKER, v1, expected=None)
    with pytest.raises(ConflictError, match="expected no champion"):
        reg.promote(TICKER, v2, expected=None)


@pytest.mark.parametrize("start", ["empty", "champion"])
def test_concurrent_promotions_exactly_one_wins(
    reg: Registry, start: Literal["empty", "champion"]
) -> None:
    base = publish(reg, 0)
    if start == "champion":
        reg.promote(TICKER, base)
    contenders = [publish(reg, day) for day in range(1, 5)]
    expected = reg.champion(TICKER)
    barrier = threading.Barrier(len(contenders))
    outcomes: dict[str, object] = {}
    lock = threading.Lock()

    def promote(version: str) -> None:
        barrier.wait()
        try:
            result: object = reg.promote(TICKER, version, expected=expected)
        except ConflictError as exc:
            result = exc
        with lock:
            outcomes[version] = result

    threads = [threading.Thread(target=promote, args=(v,)) for v in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [v for v, r in outcomes.items() if isinstance(r, ChampionPointer)]
    losers = [r for r in outcomes.values() if isinstance(r, ConflictError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == len(contenders) - 1
    assert all("another promotion won" in str(e) for e in losers)
    final = reg.champion(TICKER)
    assert final is not None
    assert final.version == winners[0]
    assert [h.version for h in final.history] == ([base] if start == "champion" else [])


def test_rollback(reg: Registry, store: ArtifactStore) -> None:
    v1, v2, v3 = publish(reg, 1), publish(reg, 2), publish(reg, 3)
    for v in (v1, v2, v3):
        reg.promote(TICKER, v)
    back = reg.rollback(TICKER)
    assert (back.version, back.rolled_back_from) == (v2, v3)
    assert [h.version for h in back.history] == [v1]
    assert store.get_bytes(f"{TICKER}/prices.csv") == artifacts(v2)["prices.csv"]
    assert reg.rollback(TICKER).version == v1
    with pytest.raises(NotFoundError) as oldest:
        reg.rollback(TICKER)
    assert str(oldest.value) == (
        f"no previous champion to roll back to: {v1} is the oldest in {TICKER}'s champion "
        f"history (a rollback from {v2}: promoting {v2} undoes it)"
    )
    assert reg.champion(TICKER).version == v1  # type: ignore[union-attr]


def test_rollback_without_champion(reg: Registry) -> None:
    with pytest.raises(NoModelError, match="nothing to roll back"):
        reg.rollback(TICKER)


def test_rollback_with_no_history(reg: Registry) -> None:
    only = publish(reg, 1)
    reg.promote(TICKER, only)
    with pytest.raises(NotFoundError) as oldest:
        reg.rollback(TICKER)
    message = f"no previous champion to roll back to: {only} is the oldest in {TICKER}'s"
    assert str(oldest.value) == f"{message} champion history"


# -- pinning --------------------------------------------------------------------------------


def test_pinned_version_wins_over_champion(reg: Registry) -> None:
    v1, v2 = publish(reg, 1), publish(reg, 2)
    reg.promote(TICKER, v2)
    assert reg.resolve_version(TICKER, v1) == v1
    assert reg.resolve_version(TICKER, None) == v2
    assert reg.resolve_version(TICKER, "") == v2
    missing = new_version_id(T0 + dt.timedelta(days=9))
    assert reg.resolve_version(TICKER, missing) == v2, "a bare id this ticker lacks pins nothing"
    with pytest.raises(NotFoundError, match=f"pinned model version {missing}"):
        reg.resolve_version(TICKER, f"{TICKER}={missing}")
    with pytest.raises(ConfigError, match=r"^MODEL_VERSION: invalid model version '\.\./\.\./etc"):
        reg.resolve_version(TICKER, "../../etc/passwd")
    with pytest.raises(ConfigError, match=r"^MODEL_VERSION: invalid model version 'garbage'"):
        reg.resolve_version(TICKER, f"{TICKER}=garbage")


def test_pin_works_without_any_champion(reg: Registry) -> None:
    v1 = publish(reg, 1)
    assert reg.resolve_version(TICKER, v1) == v1


# -- crash safety ---------------------------------------------------------------------------


class CrashError(RuntimeError):
    """The process 'dies' here."""


class CrashingStore:
    """Delegates to a real store but fails every write whose key ends with ``crash_on``."""

    def __init__(self, inner: ArtifactStore, crash_on: str) -> None:
        self.inner = inner
        self.crash_on = crash_on

    @property
    def uri(self) -> str:
        return self.inner.uri

    def put_bytes(self, key: str, data: bytes, **kwargs: Any) -> str:
        if key.endswith(self.crash_on):
            raise CrashError(key)
        return self.inner.put_bytes(key, data, **kwargs)

    def put_json(self, key: str, value: Any, **kwargs: Any) -> str:
        if key.endswith(self.crash_on):
            raise CrashError(key)
        return self.inner.put_json(key, value, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_crash_between_artifacts_and_manifest_keeps_the_old_champion(
    reg: Registry, store: ArtifactStore
) -> None:
    v1 = publish(reg, 1, "old")
    reg.promote(TICKER, v1)
    crashing = Registry(CrashingStore(store, "manifest.json"))
    v2 = new_version_id(T0 + dt.timedelta(days=2))
    with pytest.raises(CrashError):
        crashing.publish(TICKER, v2, artifacts("new"), manifest_draft())
    # v2's artifacts are in the store, but without a manifest the version does not exist: its
    # folder is listed (a delimiter listing sees folders, not manifests), every reader skips it
    assert store.exists(f"{TICKER}/versions/{v2}/model.tflite")
    assert reg.version_ids(TICKER) == [v2, v1]
    assert [m.version for m in reg.manifests(TICKER)] == [v1]
    assert not reg.exists(TICKER, v2)
    with pytest.raises(NotFoundError):
        reg.promote(TICKER, v2)
    with pytest.raises(NotFoundError):
        reg.resolve_version(TICKER, f"{TICKER}={v2}")
    assert reg.resolve_version(TICKER, v2) == v1, "a bare id of an unpublished version pins nothing"
    # the old champion still serves
    assert reg.resolve_version(TICKER, None) == v1
    assert reg.load_artifact(TICKER, v1, "model.tflite") == b"tflite-old"
    # and the half-published id cannot be reused: versions are never overwritten
    with pytest.raises(ConflictError):
        reg.publish(TICKER, v2, artifacts("again"), manifest_draft())


def test_crash_between_publish_and_promote_keeps_the_old_champion(reg: Registry) -> None:
    v1 = publish(reg, 1, "old")
    reg.promote(TICKER, v1)
    v2 = publish(reg, 2, "new")  # published, but the process dies before promote
    assert reg.resolve_version(TICKER, None) == v1
    assert reg.load_artifact(TICKER, v1, "model.tflite") == b"tflite-old"
    assert reg.version_ids(TICKER) == [v2, v1]
    assert reg.champion(TICKER).version == v1  # type: ignore[union-attr]


def test_failed_pointer_write_changes_nothing(reg: Registry, store: ArtifactStore) -> None:
    v1, v2 = publish(reg, 1), publish(reg, 2)
    reg.promote(TICKER, v1)
    crashing = Registry(CrashingStore(store, "champion.json"))
    with pytest.raises(CrashError):
        crashing.promote(TICKER, v2)
    assert reg.resolve_version(TICKER, None) == v1
    assert store.get_bytes(f"{TICKER}/prices.csv") == artifacts(v1)["prices.csv"]


# -- S3-only: a missing bucket is not "no model yet" -------------------------------------------


@pytest.mark.usefixtures("aws_env")
def test_missing_bucket_is_not_mistaken_for_no_champion() -> None:
    reg = Registry(open_store("s3://cryptonic-missing-bucket/models"))
    with pytest.raises(BucketNotFoundError, match="cryptonic-missing-bucket"):
        reg.champion(TICKER)
    with pytest.raises(BucketNotFoundError):
        reg.champion_etag(TICKER)
    with pytest.raises(BucketNotFoundError):
        reg.resolve_version(TICKER, None)
    with pytest.raises(BucketNotFoundError):
        reg.resolve_version(TICKER, new_version_id(T0))
    with pytest.raises(BucketNotFoundError):
        reg.version_ids(TICKER)
    with pytest.raises(BucketNotFoundError):
        reg.tickers()
    with pytest.raises(BucketNotFoundError):
        reg.has_ticker(TICKER)


# -- what the ticker index costs: requests counted on the wire -------------------------------

TICKERS = ("BTC-USD", "ETH-USD", "^GSPC", "EURUSD=X")


def fill(store: ArtifactStore, *, days: int, versions: int) -> None:
    """Tickers with versions, champions, a forecast log of ``days`` days and run ledgers."""
    for ticker in TICKERS:
        ids = [new_version_id(T0 + dt.timedelta(days=i)) for i in range(versions)]
        for version in ids:
            for name in ("model.tflite", "forecast.json", "manifest.json"):
                store.put_bytes(f"{ticker}/versions/{version}/{name}", b"{}")
        store.put_bytes(f"{ticker}/champion.json", b"{}")
        store.put_bytes(f"{ticker}/prices.csv", b"date,close\n")
        for day in range(days):
            as_of = (T0 + dt.timedelta(days=day)).date()
            store.put_bytes(f"forecasts/{ticker}/{as_of}/{ids[-1]}.json", b"{}")
        store.put_bytes(f"forecasts/{ticker}/latest.json", b"{}")
    for day in range(days):
        store.put_bytes(f"runs/refresh/2026-11-{day % 28 + 1:02d}T06-{day:02d}/summary.json", b"{}")


def through(proxy: CountingProxy, kind: str, bucket: str, prefix: str, monkeypatch: Any) -> Any:
    """The reader or the botocore store, reaching moto through the counting proxy."""
    if kind == "reader":
        credentials = Credentials("testing", "testing")
        return S3ReadOnlyStore(
            bucket, prefix, credentials=credentials, region="us-east-1", endpoint=proxy.url
        )
    with monkeypatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL_S3", proxy.url)  # botocore resolves it once, here
        return S3Store(bucket, prefix)


def requests_of(proxy: CountingProxy, call: Any, *args: Any) -> int:
    proxy.clear()
    call(*args)
    return proxy.count()


@pytest.mark.parametrize("kind", ["reader", "botocore"])
def test_the_ticker_index_costs_the_same_whatever_the_logs_and_versions_hold(
    s3_bucket: str, counting_proxy: CountingProxy, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Listings page by 10 here (1,000 on S3), so a listing of every key of the large store
    would take dozens of requests; the index takes one each, in the small store and the large."""
    costs = {}
    for size, days, versions in (("small", 1, 1), ("large", 30, 9)):
        fill(S3Store(s3_bucket, size), days=days, versions=versions)
        store = through(counting_proxy, kind, s3_bucket, size, monkeypatch)
        store.page_size = 10
        reg = Registry(store)
        assert reg.tickers() == sorted(TICKERS)
        assert len(reg.version_ids("BTC-USD")) == versions
        assert requests_of(counting_proxy, store.list, "") >= (10 if days > 1 else 1)
        costs[size] = {
            "tickers": requests_of(counting_proxy, reg.tickers),
            "known ticker": requests_of(counting_proxy, reg.has_ticker, "^GSPC"),
            "unknown ticker": requests_of(counting_proxy, reg.has_ticker, "NOPE-USD"),
            "version ids": requests_of(counting_proxy, reg.version_ids, "BTC-USD"),
        }
    one_each = {"tickers": 1, "known ticker": 1, "unknown ticker": 1, "version ids": 1}
    assert costs == {"small": one_each, "large": one_each}
