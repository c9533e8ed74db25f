"""The writer and the readers of the store meet: a real (tiny) retrain publishes into a store,
then the serving Lambda handler answers from that very store through Mangum.

Every other API test reads versions the fixtures publish; this one reads what the pipeline
wrote, so a field the pipeline renames or drops fails here, on local and on moto S3. The pipeline
runs once per module (writing to S3 is the retrain tests' subject, on both stores); each test
serves a copy of every object it wrote, byte for byte, from a store of its own.
"""

from __future__ import annotations

import base64
import importlib
import json
import sys
from typing import Any

import pytest

from cryptonic.config import Settings, get_settings
from cryptonic.data import to_yahoo_csv
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.registry.manifest import Manifest
from cryptonic.registry.registry import Registry
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.uri import open_store
from tests.fixtures.prices import make_prices
from tests.fixtures.published import http_event
from tests.fixtures.retrain import TINY_SETTINGS

pytestmark = pytest.mark.slow
TICKER = "BTC-USD"


def body_of(response: dict[str, Any]) -> Any:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


@pytest.fixture(scope="module")
def pipeline_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArtifactStore, str]:
    """A store one tiny retrain published into, and the version it promoted."""
    folder = tmp_path_factory.mktemp("retrained")
    prices = folder / "prices.csv"
    prices.write_bytes(to_yahoo_csv(make_prices(300)))
    uri = f"file://{folder / 'store'}"
    settings = Settings(**{**TINY_SETTINGS, "data_source": str(prices), "store_uri": uri})
    store = open_store(uri)
    result = retrain(settings, store, TICKER)
    assert result.promoted, result.reason
    return store, result.version or ""


@pytest.fixture
def served(pipeline_store, store_uri, monkeypatch):
    """(handler, the manifest the pipeline published) serving a copy of what it wrote."""
    source, version = pipeline_store
    target = open_store(store_uri)
    for key in source.list():
        target.put_bytes(key, source.get_bytes(key))
    monkeypatch.setenv("STORE_URI", store_uri)
    monkeypatch.setenv("TICKERS", TICKER)
    monkeypatch.setenv("CACHE_TTL_SECONDS", "0")
    for name in ("MODEL_VERSION", "MODEL_NAME", "ROOT_PATH"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    sys.modules.pop("functions.predict.app", None)
    module = importlib.import_module("functions.predict.app")
    manifest = Registry(target).manifest(TICKER, version)
    yield module.handler, manifest
    sys.modules.pop("functions.predict.app", None)
    get_settings.cache_clear()


def get(handler: Any, path: str, query: str = "") -> tuple[int, Any]:
    response = handler(http_event("GET", path, query=query), None)
    return response["statusCode"], body_of(response)


def test_predict_serves_the_forecast_the_pipeline_published(served):
    handler, manifest = served
    status, body = get(handler, "/predict", f"ticker={TICKER}")
    assert status == 200, body
    assert body["model_version"] == manifest.version
    assert body["as_of"] == manifest.data.end.isoformat()
    assert len(body["result"]) == manifest.model.horizon
    assert all(item["prediction"] > 0 for item in body["result"])


def test_status_reports_the_pipelines_manifest(served):
    handler, manifest = served
    status, body = get(handler, "/status", f"ticker={TICKER}")
    assert status == 200, body
    assert isinstance(manifest, Manifest)
    assert manifest.metrics is not None
    assert manifest.metrics.model is not None
    assert manifest.metrics.persistence is not None
    assert body["model_version"] == manifest.version
    assert body["trained_at"] == manifest.created_at
    assert body["strategy"] == manifest.strategy
    assert body["model"]["lookback"] == manifest.model.lookback
    assert body["data"]["sha256"] == manifest.data.sha256
    assert body["data"]["rows"] == manifest.data.rows
    assert body["backtest"]["weeks"] == manifest.metrics.window.weeks  # type: ignore[union-attr]
    assert body["backtest"]["model_mape"] == pytest.approx(manifest.metrics.model.mape)
    assert body["backtest"]["persistence_mape"] == pytest.approx(manifest.metrics.persistence.mape)
    assert body["gate"]["promote"] is True
    assert body["export"]["windows_checked"] == manifest.export.windows_checked  # type: ignore[union-attr]


def test_historic_serves_the_snapshot_it_was_trained_on(served):
    handler, manifest = served
    end = manifest.data.end.isoformat()
    status, body = get(handler, "/historic", f"ticker={TICKER}&end={end}")
    assert status == 200, body
    assert body["end"] == end
    assert body["count"] >= 1
    assert body["result"][-1]["close"] > 0


def test_models_lists_the_published_version_with_its_scores(served):
    handler, manifest = served
    status, body = get(handler, "/models", f"ticker={TICKER}")
    assert status == 200, body
    [row] = body["versions"]
    assert row["version"] == manifest.version
    assert row["champion"] is True
    assert row["mape"] == pytest.approx(manifest.metrics.model.mape)  # type: ignore[union-attr]
    assert row["promote"] is True
