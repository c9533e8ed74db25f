"""The API over a published registry (local folder and moto S3): every endpoint and its caching."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.errors import StoreUnavailableError
from cryptonic.predictor import Predictor
from cryptonic.registry import Registry, artifact_key
from cryptonic.store import ArtifactStore
from tests.fixtures.published import TICKER, api_client, load_event, publish_version

pytestmark = pytest.mark.slow


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WatchedStore:
    """A real store seen through a switch: counts calls and can play 'unreachable'."""

    def __init__(self, inner: ArtifactStore) -> None:
        self.inner = inner
        self.calls: list[str] = []
        self.down = False

    @property
    def uri(self) -> str:
        return self.inner.uri

    def _use(self, name: str) -> None:
        self.calls.append(name)
        if self.down:
            raise StoreUnavailableError(f"{self.inner.uri}: unreachable (test)")

    def get_bytes(self, key: str) -> bytes:
        self._use("get_bytes")
        return self.inner.get_bytes(key)

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        self._use("get_with_etag")
        return self.inner.get_with_etag(key)

    def get_json(self, key: str) -> Any:
        self._use("get_json")
        return self.inner.get_json(key)

    def put_bytes(self, key: str, data: bytes, **kwargs: Any) -> str:
        self._use("put_bytes")
        return self.inner.put_bytes(key, data, **kwargs)

    def put_json(self, key: str, value: Any, **kwargs: Any) -> str:
        self._use("put_json")
        return self.inner.put_json(key, value, **kwargs)

    def head(self, key: str) -> Any:
        self._use("head")
        return self.inner.head(key)

    def exists(self, key: str) -> bool:
        self._use("exists")
        return self.inner.exists(key)

    def list(self, prefix: str = "") -> list[str]:
        self._use("list")
        return self.inner.list(prefix)

    def delete(self, key: str) -> None:
        self._use("delete")
        self.inner.delete(key)


def make_client(registry: Registry, clock: FakeClock | None = None, **overrides: Any):
    values: dict[str, Any] = {"store_uri": registry.store.uri, "cache_ttl_seconds": 0, **overrides}
    app = create_app(Settings(**values), registry, clock=clock or FakeClock())
    return api_client(app)


def stored_forecast(registry: Registry, version: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(registry.load_artifact(TICKER, version, "forecast.json"))
    return data


def champion_version(registry: Registry) -> str:
    pointer = registry.champion(TICKER)
    assert pointer is not None
    return pointer.version


# ---------------------------------------------------------------------------------------------
# GET /predict


def test_get_predict_serves_the_champion_forecast(published_registry):
    version = champion_version(published_registry)
    response = make_client(published_registry).get("/predict", params={"ticker": TICKER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    stored = stored_forecast(published_registry, version)
    assert body["success"] is True
    assert body["ticker"] == TICKER
    assert body["model_version"] == version
    assert body["generated_at"] == stored["generated_at"]
    assert body["as_of"] == stored["as_of"]
    assert body["last_close"] == stored["last_close"]
    assert body["period_length"] == 7 == len(body["result"])
    assert body["result"] == stored["result"]
    assert version in body["message"]
    assert response.headers["etag"].startswith(f'"{version}.')
    assert response.headers["cache-control"] == "public, max-age=300"


def test_default_ticker_and_lower_case(published_registry):
    client = make_client(published_registry)
    default, lower = client.get("/predict"), client.get("/predict?ticker=btc-usd")
    assert default.status_code == lower.status_code == 200
    assert default.content == lower.content


def test_if_none_match_answers_304(published_registry):
    client = make_client(published_registry)
    etag = client.get("/predict").headers["etag"]
    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        response = client.get("/predict", headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=300"
    assert client.get("/predict", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_cached_get_does_no_store_io(local_published_registry):
    store = WatchedStore(local_published_registry.store)
    registry = Registry(store)
    clock = FakeClock()
    client = make_client(registry, clock, cache_ttl_seconds=30)
    assert client.get("/predict").status_code == 200
    assert store.calls, "the first request loads the champion"
    store.calls.clear()
    for _ in range(50):
        assert client.get("/predict").status_code == 200
        assert client.get("/status").status_code == 200
        assert client.get("/historic").status_code == 200
    assert store.calls == []
    clock.now += 31
    assert client.get("/predict").status_code == 200
    assert store.calls == ["head"], "after the TTL one HEAD of champion.json, nothing more"


def test_new_champion_is_served_after_the_ttl(published_registry, published_model):
    clock = FakeClock()
    client = make_client(published_registry, clock, cache_ttl_seconds=30)
    first = client.get("/predict")
    old_etag = first.headers["etag"]
    new_version = publish_version(published_registry, published_model, days=250)

    clock.now += 10  # within the TTL: still the old champion, no store check
    assert client.get("/predict").headers["etag"] == old_etag

    clock.now += 25
    response = client.get("/predict", headers={"If-None-Match": old_etag})
    assert response.status_code == 200
    assert response.json()["model_version"] == new_version
    assert response.headers["etag"] != old_etag
    assert response.json()["as_of"] == published_model.dates[249].isoformat()
    status = client.get("/status").json()
    assert status["model_version"] == new_version
    assert client.get("/health").json()["champions"][TICKER]["version"] == new_version


def test_rollback_is_picked_up_with_ttl_zero(published_registry, published_model):
    client = make_client(published_registry)
    first = champion_version(published_registry)
    second = publish_version(published_registry, published_model, days=280)
    assert client.get("/predict").json()["model_version"] == second
    published_registry.rollback(TICKER)
    body = client.get("/predict").json()
    assert body["model_version"] == first
    status = client.get("/status").json()
    assert status["model_version"] == first
    assert status["previous_version"] is None


def test_pinned_model_version_is_served(published_registry, published_model):
    first = champion_version(published_registry)
    publish_version(published_registry, published_model, days=260)
    client = make_client(published_registry, model_version=first)
    assert client.get("/predict").json()["model_version"] == first
    status = client.get("/status").json()
    assert status["pinned"] is True
    assert status["model_version"] == first
    assert client.get("/models").json()["pinned"] == first


def test_ticker_in_store_but_not_configured_is_served(published_registry, published_model):
    publish_version(published_registry, published_model, ticker="ETH-USD", days=200)
    client = make_client(published_registry, tickers=["BTC-USD"])
    response = client.get("/predict?ticker=eth-usd")
    assert response.status_code == 200
    assert response.json()["ticker"] == "ETH-USD"
    assert client.get("/predict?ticker=SOL-USD").status_code == 404


def test_configured_ticker_without_a_model_is_503(published_registry):
    client = make_client(published_registry, tickers=["BTC-USD", "AAPL"])
    response = client.get("/predict?ticker=AAPL")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "no_model"
    assert client.get("/predict?ticker=BTC-USD").status_code == 200


# ---------------------------------------------------------------------------------------------
# POST /predict


def test_post_predict_with_the_shipped_event_body(published_registry, published_model):
    body = json.loads(load_event("predict-rest-post")["body"])
    response = make_client(published_registry).post("/predict", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    expected = Predictor(published_model.tflite).forecast(
        body["closes"], dt.date.fromisoformat(body["last_date"]), ticker=TICKER
    )
    assert data["success"] is True
    assert data["ticker"] == TICKER
    assert data["model_version"] == champion_version(published_registry)
    assert data["as_of"] == "2026-10-05"
    assert data["last_close"] == body["closes"][-1]
    assert [r["date"] for r in data["result"]] == [f"2026-10-{d:02d}" for d in range(6, 13)]
    assert [r["prediction"] for r in data["result"]] == pytest.approx(expected.values, rel=1e-6)
    assert response.headers["cache-control"] == "no-store"


def test_post_predict_last_date_defaults_to_today_utc(published_registry, published_model):
    closes = published_model.closes[-20:]
    response = make_client(published_registry).post("/predict", json={"closes": closes})
    assert response.status_code == 200
    today = dt.datetime.now(dt.UTC).date()
    assert response.json()["as_of"] in {today.isoformat(), (today - dt.timedelta(1)).isoformat()}


def test_post_predict_needs_the_lookback(published_registry, published_model):
    client = make_client(published_registry)
    response = client.post("/predict", json={"closes": published_model.closes[-13:]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad_input"
    assert "14" in error["message"]
    assert client.post("/predict", json={"closes": published_model.closes[-14:]}).status_code == 200


def test_post_predict_absurd_scale_is_422_not_500(published_registry):
    client = make_client(published_registry)
    closes = [1e300] * 13 + [1e-300]
    response = client.post("/predict", json={"closes": closes})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "bad_input"


# ---------------------------------------------------------------------------------------------
# GET /historic, /status, /models, /health


def test_historic_range_and_defaults(published_registry, published_model):
    client = make_client(published_registry)
    everything = client.get("/historic").json()
    assert everything["count"] == len(published_model.rows)
    assert everything["start"] == published_model.dates[0].isoformat()
    first = everything["result"][0]
    assert first == {
        "date": published_model.dates[0].isoformat(),
        "close": published_model.closes[0],
    }

    start, end = published_model.dates[10], published_model.dates[19]
    window = client.get(f"/historic?ticker=BTC-USD&start={start}&end={end}").json()
    assert window["count"] == 10
    assert window["start"] == start.isoformat()
    assert [p["close"] for p in window["result"]] == published_model.closes[10:20]

    empty = client.get("/historic?start=1990-01-01&end=1990-12-31").json()
    assert empty["count"] == 0
    assert empty["result"] == []
    assert empty["start"] is None


def test_status_reports_the_manifest(published_registry):
    version = champion_version(published_registry)
    manifest = published_registry.manifest(TICKER, version)
    pointer = published_registry.champion(TICKER)
    status = make_client(published_registry).get("/status?ticker=BTC-USD").json()
    assert status["success"] is True
    assert status["app_version"]
    assert status["model_version"] == version
    assert status["pinned"] is False
    assert status["trained_at"] == manifest["created_at"]
    assert status["promoted_at"] == pointer.promoted_at
    assert status["strategy"] == "new"
    assert status["parent"] is None
    assert status["data"]["start"] == manifest["data"]["start"]
    assert status["data"]["rows"] == manifest["data"]["rows"]
    assert status["model"]["lookback"] == 14
    assert status["model"]["calendar"] == "D"
    assert status["backtest"]["model_mape"] == manifest["metrics"]["model"]["mape"]
    assert status["backtest"]["persistence_mape"] == manifest["metrics"]["persistence"]["mape"]
    assert status["backtest"]["skill"] == pytest.approx(1 - 3.1 / 3.5)
    assert status["backtest"]["weeks"] == 4
    assert status["metrics"] == manifest["metrics"]
    assert status["gate"] == {"promote": True, "reason": "beats persistence"}
    assert status["export"]["windows_checked"] == manifest["export"]["windows_checked"]


def test_models_lists_versions_newest_first(published_registry, published_model):
    first = champion_version(published_registry)
    held = publish_version(
        published_registry, published_model, days=270, promote=False, model_mape=4.0
    )
    body = make_client(published_registry).get("/models?ticker=BTC-USD").json()
    assert body["champion"] == first
    rows = body["versions"]
    assert [r["version"] for r in rows] == [held, first]
    assert rows[0]["champion"] is False
    assert rows[1]["champion"] is True
    assert rows[0]["mape"] == 4.0
    assert rows[0]["persistence_mape"] == 3.5
    assert rows[0]["skill"] == pytest.approx(1 - 4.0 / 3.5)
    assert rows[0]["promote"] is False
    assert rows[1]["promote"] is True


def test_health_lists_cached_champions(published_registry):
    client = make_client(published_registry)
    assert client.get("/health").json()["champions"] == {}
    client.get("/predict")
    cached = client.get("/health").json()["champions"][TICKER]
    assert cached["version"] == champion_version(published_registry)
    assert cached["checked_seconds_ago"] >= 0


# ---------------------------------------------------------------------------------------------
# Failures: store outage, corrupt artifacts


def test_warm_instance_survives_a_store_outage(local_published_registry, published_model):
    store = WatchedStore(local_published_registry.store)
    client = make_client(Registry(store))
    before = client.get("/predict")
    assert before.status_code == 200
    store.down = True
    for path in ("/predict", "/status", "/historic"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
    assert client.get("/predict").content == before.content
    posted = client.post("/predict", json={"closes": published_model.closes[-14:]})
    assert posted.status_code == 200, posted.text
    models = client.get("/models")
    assert models.status_code == 503
    assert models.json()["error"]["code"] == "store_unavailable"
    store.down = False
    assert client.get("/predict").status_code == 200


def test_cold_instance_with_store_down_is_503(local_published_registry):
    store = WatchedStore(local_published_registry.store)
    store.down = True
    response = make_client(Registry(store)).get("/predict")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "store_unavailable"


def test_warm_instance_survives_a_real_s3_outage(aws_env, monkeypatch, published_model):
    """A moto server of its own, stopped after the first load: boto3 really fails to connect."""
    import boto3
    from moto.server import ThreadedMotoServer

    from cryptonic.store import open_store
    from tests.fixtures.s3 import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{port}")
        boto3.session.Session().client("s3").create_bucket(Bucket="outage-test")
        registry = Registry(open_store("s3://outage-test/models"))
        publish_version(registry, published_model)
        client = make_client(registry)
        before = client.get("/predict")
        assert before.status_code == 200
    finally:
        server.stop()
    after = client.get("/predict")
    assert after.status_code == 200
    assert after.content == before.content
    cold = make_client(Registry(open_store("s3://outage-test/models"))).get("/predict")
    assert cold.status_code == 503
    assert cold.json()["error"]["code"] == "store_unavailable"


@pytest.mark.parametrize("artifact", ["forecast.json", "model.tflite", "prices.csv"])
def test_corrupt_new_version_keeps_the_cached_one(published_registry, published_model, artifact):
    client = make_client(published_registry)
    first = champion_version(published_registry)
    assert client.get("/predict").json()["model_version"] == first
    second = publish_version(published_registry, published_model, days=260, promote=False)
    key = artifact_key(TICKER, second, artifact)
    published_registry.store.put_bytes(key, b"corrupted" + published_registry.store.get_bytes(key))
    if artifact != "prices.csv":
        published_registry.promote(TICKER, second)
    else:  # promote mirrors prices.csv (and verifies it): move the pointer by hand
        pointer = published_registry.champion(TICKER)
        published_registry.store.put_json(
            f"{TICKER}/champion.json",
            {"version": second, "promoted_at": "2026-11-23T00:00:00Z", "history": []},
            if_match=pointer.etag,
        )
    assert champion_version(published_registry) == second
    response = client.get("/predict")
    assert response.status_code == 200
    assert response.json()["model_version"] == first

    fresh = make_client(published_registry).get("/predict")
    assert fresh.status_code == 503
    assert fresh.json()["error"]["code"] == "integrity_error"
    assert "sha256" not in fresh.text


def test_concurrent_requests_while_the_champion_changes(local_published_registry, published_model):
    """Sync endpoints run in a thread pool: the cache must stay consistent under threads."""
    import threading

    from cryptonic.api import serving_state

    registry = local_published_registry
    app = create_app(Settings(store_uri=registry.store.uri, cache_ttl_seconds=0), registry)
    state = serving_state(app)
    errors: list[BaseException] = []
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                champion = state.champion(TICKER)
                seen.add(champion.version)
                assert champion.predict_body.startswith(b'{"success":true')
                state.cache.cached()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for thread in threads:
        thread.start()
    versions = [publish_version(registry, published_model, days=200 + 10 * i) for i in range(4)]
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert state.champion(TICKER).version == versions[-1]
    assert versions[-1] in seen


def test_first_model_is_served_within_the_ttl_of_its_promotion(local_store, published_model):
    registry = Registry(local_store)
    clock = FakeClock()
    client = make_client(registry, clock, cache_ttl_seconds=30)
    assert client.get("/predict").status_code == 503
    version = publish_version(registry, published_model)
    assert client.get("/predict").status_code == 503  # the "no model" answer is cached
    clock.now += 31
    response = client.get("/predict")
    assert response.status_code == 200
    assert response.json()["model_version"] == version
