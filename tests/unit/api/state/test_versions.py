"""Reading versions for serving: the manifest cache and versions loaded whole, on a local store."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cryptonic.api.state.versions import ManifestCache, check_forecast, load_version
from cryptonic.errors import IntegrityError, NotFoundError
from cryptonic.registry.registry import Registry, new_version_id
from tests.fixtures.api import WatchedStore
from tests.fixtures.published import manifest_draft

TICKER = "BTC-USD"


def publish(registry: Registry, minute: int, artifacts: dict[str, bytes] | None = None) -> str:
    version = new_version_id(dt.datetime(2026, 1, 1, 0, minute, tzinfo=dt.UTC))
    registry.publish(TICKER, version, artifacts or {"notes.txt": b"x"}, manifest_draft())
    return version


def test_manifest_cache_reads_each_manifest_once_and_keeps_a_bounded_number(local_store):
    versions = [publish(Registry(local_store), minute) for minute in range(3)]
    store = WatchedStore(local_store)
    manifests = ManifestCache(Registry(store), kept=2)
    for _ in range(3):
        assert manifests.get(TICKER, versions[0]).version == versions[0]
    assert store.reads == ["get_json"]
    manifests.get(TICKER, versions[1])
    manifests.get(TICKER, versions[0])  # most recently used: kept
    manifests.get(TICKER, versions[2])  # evicts versions[1]
    store.clear()
    manifests.get(TICKER, versions[0])
    manifests.get(TICKER, versions[2])
    assert store.reads == []
    manifests.get(TICKER, versions[1])
    assert store.reads == ["get_json"]


def test_manifest_cache_does_not_remember_a_failure(local_store):
    """A version listed while its publish still runs has a manifest a moment later."""
    store = WatchedStore(local_store)
    manifests = ManifestCache(Registry(store))
    version = new_version_id(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(NotFoundError):
        manifests.get(TICKER, version)
    Registry(local_store).publish(TICKER, version, {"notes.txt": b"x"}, manifest_draft())
    assert manifests.get(TICKER, version).version == version
    assert manifests.get(TICKER, version).version == version
    assert store.reads == ["get_json", "get_json"]


def test_a_version_without_a_forecast_is_not_loaded(local_store):
    registry = Registry(local_store)
    version = publish(registry, 0, {"model.tflite": b"not a model"})
    with pytest.raises(IntegrityError, match=r"forecast\.json"):
        load_version(ManifestCache(registry), TICKER, version)


def test_a_corrupt_forecast_is_not_loaded(local_store):
    registry = Registry(local_store)
    version = publish(registry, 0, {"forecast.json": b'{"result": []}'})
    with pytest.raises(IntegrityError, match="not a valid forecast"):
        load_version(ManifestCache(registry), TICKER, version)


def test_a_forecast_whose_band_says_a_broken_calibration_is_not_served():
    banded = {
        "ticker": TICKER,
        "as_of": "2026-01-01",
        "last_close": 3.0,
        "interval_level": 0.8,
        "result": [{"date": "2026-01-02", "prediction": 3.1, "lower": 2.9, "upper": 3.3}],
    }
    assert check_forecast({**banded, "calibration": "adaptive"}, "here") is not None
    for broken in ({"interval_scales": [1.0, 2.0]}, {"calibration": "guessed"}):
        with pytest.raises(IntegrityError, match="here is not a valid forecast"):
            check_forecast({**banded, **broken}, "here")


def test_a_version_is_loaded_whole_with_its_bytes_verified(local_store):
    forecast = {
        "ticker": TICKER,
        "as_of": "2026-01-01",
        "last_close": 3.0,
        "result": [{"date": "2026-01-02", "prediction": 3.1}],
    }
    artifacts = {
        "forecast.json": json.dumps(forecast).encode(),
        "prices.csv": b"Date,Close\n2026-01-01,3\n",
    }
    registry = Registry(local_store)
    version = publish(registry, 0, artifacts)
    loaded = load_version(ManifestCache(registry), TICKER, version)
    assert (loaded.ticker, loaded.version, loaded.manifest.version) == (TICKER, version, version)
    assert loaded.forecast == forecast
    assert loaded.tflite is None
    assert loaded.prices().closes == [3.0]
