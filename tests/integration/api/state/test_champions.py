"""The champion cache over a published registry: no store I/O when fresh, new champions after the
TTL, pinning, and serving what it has through store outages and corrupt new versions; with many
tickers, at most MAX_LOADED_TICKERS champions in memory (least recently served out first,
reloaded on their next request) and pointer polling per ticker."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cryptonic.api import create_app
from cryptonic.api.app import serving_state
from cryptonic.config import Settings
from cryptonic.registry.keys import artifact_key
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, make_client
from tests.fixtures.published import TICKER, publish_version

pytestmark = pytest.mark.slow


def champion_version(registry: Registry) -> str:
    pointer = registry.champion(TICKER)
    assert pointer is not None
    return pointer.version


def test_cached_get_does_no_store_io(local_published_registry):
    store = WatchedStore(local_published_registry.store)
    registry = Registry(store)
    clock = FakeClock()
    client = make_client(registry, clock, cache_ttl_seconds=30)
    assert client.get("/predict").status_code == 200
    assert store.calls, "the first request loads the champion"
    store.clear()
    for _ in range(50):
        assert client.get("/predict").status_code == 200
        assert client.get("/status").status_code == 200
        assert client.get("/historic").status_code == 200
    assert store.calls == []
    clock.now += 31
    assert client.get("/predict").status_code == 200
    assert store.keys == ["BTC-USD/champion.json", "forecasts/BTC-USD/latest.json"]
    assert store.calls == ["head", "head"], "after the TTL one HEAD of each pointer, no more"


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

    from cryptonic.store.uri import open_store
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
                assert champion.predict_view(state.now()).body.startswith(b'{"success":true')
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


# ---------------------------------------------------------------------------------------------
# The latest dated forecast (the daily refresh's) and what happens when the log misbehaves


def test_a_refresh_reaches_serving_within_the_ttl(local_store, published_model, tmp_path):
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    publish_version(registry, published_model, days=280)
    store = WatchedStore(local_store)
    clock = FakeClock()
    client = make_client(Registry(store), clock, cache_ttl_seconds=30)
    before = client.get("/predict").json()
    refresh_through(local_store, [286], tmp_path)
    clock.now += 10
    assert client.get("/predict").json() == before
    store.clear()
    clock.now += 21
    after = client.get("/predict").json()
    assert after["as_of"] == str(published_model.dates[286])
    assert after["model_version"] == before["model_version"]
    assert store.calls == ["head", "head", "get_with_etag", "get_bytes"]  # no version re-read


def test_a_corrupt_logged_forecast_keeps_what_is_served(
    local_store, published_model, tmp_path, caplog
):
    from cryptonic.registry.keys import forecast_key
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    version = publish_version(registry, published_model, days=280)
    refresh_through(local_store, [283], tmp_path)
    client = make_client(registry)
    served = client.get("/predict").content
    refresh_through(local_store, [284], tmp_path)
    key = forecast_key(TICKER, published_model.dates[284], version)
    local_store.delete(key)
    local_store.put_bytes(key, b'{"result": []}')
    assert client.get("/predict").content == served
    assert "forecast log of BTC-USD unreadable" in caplog.text
    cold = make_client(registry).get("/predict")  # a new instance: the version's own forecast
    assert cold.status_code == 200
    assert cold.json()["as_of"] == str(published_model.dates[279])


def test_an_unreadable_log_never_stops_a_new_champion(local_published_registry, published_model):
    store = local_published_registry.store
    client = make_client(local_published_registry)
    client.get("/predict")
    store.put_bytes("forecasts/BTC-USD/latest.json", b"not json")
    newer = publish_version(local_published_registry, published_model, days=250)
    body = client.get("/predict").json()
    assert body["model_version"] == newer
    assert body["as_of"] == str(published_model.dates[249])


def test_only_the_champions_own_logged_forecast_is_served(local_store, published_model, tmp_path):
    from cryptonic.registry.forecast_log import ForecastLog
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    shadow = publish_version(registry, published_model, days=270, promote=False)
    champion = publish_version(registry, published_model, days=280)
    refresh_through(local_store, [285], tmp_path)
    shadow_forecast = {
        **make_client(registry).get("/predict").json(),
        "model_version": shadow,
        "as_of": str(published_model.dates[289]),
    }
    ForecastLog(local_store).record(
        {k: shadow_forecast[k] for k in ("ticker", "model_version", "as_of", "result")}
        | {"last_close": 1.0, "generated_at": "2026-12-01T00:30:00Z"},
        "shadow",
    )
    body = make_client(registry).get("/predict").json()
    assert (body["model_version"], body["as_of"]) == (champion, str(published_model.dates[285]))


def test_a_pinned_version_serves_its_latest_dated_forecast(local_store, published_model, tmp_path):
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    pinned = publish_version(registry, published_model, days=270)
    publish_version(registry, published_model, days=280)
    clock = FakeClock()
    client = make_client(registry, clock, cache_ttl_seconds=30, model_version=pinned)
    assert client.get("/predict").json()["as_of"] == str(published_model.dates[269])
    refresh_through(local_store, [287], tmp_path, model_version=pinned)
    clock.now += 31
    body = client.get("/predict").json()
    assert (body["model_version"], body["as_of"]) == (pinned, str(published_model.dates[287]))


# --------------------------------------------------------------------------------------------
# A cold ticker's reads: three round trips, not seven


class RoundsStore(WatchedStore):
    """Each read of a key named in ``rounds`` waits until every read of its round has started:
    reads of one round made one after another break the barrier, and the load fails."""

    def __init__(self, inner: Any, rounds: list[list[str]]) -> None:
        super().__init__(inner)
        self.barriers: dict[str, threading.Barrier] = {}
        for keys in rounds:
            barrier = threading.Barrier(len(keys))
            self.barriers.update(dict.fromkeys(keys, barrier))

    def _use(self, name: str, key: str) -> None:
        super()._use(name, key)
        barrier = self.barriers.get(key)
        if barrier is not None:
            barrier.wait(30.0)  # they start at once; this only ends a load that runs in turns


ARTIFACTS = ("forecast.json", "model.tflite", "prices.csv")


def test_a_cold_ticker_loads_in_three_rounds_of_reads(local_store, published_model, tmp_path):
    """The two pointers side by side, then the manifest, then the three artifacts beside the
    logged forecast: on S3 that is three round trips of tens of milliseconds, not seven."""
    from cryptonic.registry.forecast_log import ForecastLog
    from cryptonic.registry.keys import forecast_key, latest_key
    from tests.fixtures.refreshed import refresh_through

    version = publish_version(Registry(local_store), published_model, days=280)
    refresh_through(local_store, [284], tmp_path)
    pointer, _ = ForecastLog(local_store).latest(TICKER)
    assert pointer is not None
    logged = forecast_key(TICKER, pointer.versions[version].as_of, version)
    rounds = [
        [f"{TICKER}/champion.json", latest_key(TICKER)],
        [artifact_key(TICKER, version, "manifest.json")],
        [artifact_key(TICKER, version, name) for name in ARTIFACTS] + [logged],
    ]
    store = RoundsStore(local_store, rounds)
    body = make_client(Registry(store)).get("/predict").json()
    assert (body["model_version"], body["as_of"]) == (version, str(published_model.dates[284]))
    assert sorted(store.keys) == sorted(key for keys in rounds for key in keys)


# --------------------------------------------------------------------------------------------
# Many tickers: the bound of loaded champions

TICKERS = ["AAA", "BBB", "CCC"]


@pytest.fixture
def three(local_store, published_model):
    """A store with a champion for each of TICKERS, seen through a WatchedStore."""
    registry = Registry(local_store)
    versions = {t: publish_version(registry, published_model, ticker=t) for t in TICKERS}
    store = WatchedStore(local_store)
    return Registry(store), store, versions


def test_the_least_recently_served_champion_is_evicted(three):
    registry, _, _ = three
    clock = FakeClock()
    client = make_client(
        registry, clock, tickers=TICKERS, cache_ttl_seconds=30, max_loaded_tickers=2
    )
    cache = serving_state(client.app).cache
    for ticker in ("AAA", "BBB", "AAA"):  # AAA served again (from memory): BBB is now the oldest
        assert client.get(f"/predict?ticker={ticker}").status_code == 200
    assert cache.loaded() == ["BBB", "AAA"]
    assert client.get("/predict?ticker=CCC").status_code == 200
    assert cache.loaded() == ["AAA", "CCC"]
    assert cache.evictions == 1
    assert set(client.get("/health").json()["champions"]) == {"AAA", "CCC"}
    held = cache._versions.keys()
    assert held, "the others' versions are held"
    assert all(key[0] != "BBB" for key in held), "its loaded versions go with it"


def test_an_evicted_ticker_is_reloaded_by_its_next_request(three):
    registry, store, versions = three
    clock = FakeClock()
    client = make_client(
        registry, clock, tickers=TICKERS, cache_ttl_seconds=30, max_loaded_tickers=1
    )
    first = client.get("/predict?ticker=AAA")
    assert client.get("/predict?ticker=BBB").status_code == 200  # evicts AAA
    store.clear()
    again = client.get("/predict?ticker=AAA")
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert f"AAA/versions/{versions['AAA']}/model.tflite" in store.keys, "loaded from the store"
    assert serving_state(client.app).cache.loaded() == ["AAA"]
    store.clear()
    assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.calls == [], "then served from memory again"


def test_memory_never_holds_more_than_the_bound(three, published_model):
    registry, _, _ = three
    extra = [f"T{i}" for i in range(4)]
    for ticker in extra:
        publish_version(registry, published_model, ticker=ticker)
    client = make_client(registry, FakeClock(), tickers=TICKERS + extra, max_loaded_tickers=3)
    cache = serving_state(client.app).cache
    for ticker in (TICKERS + extra) * 2:
        assert client.get(f"/status?ticker={ticker}").status_code == 200
        assert len(cache.loaded()) <= 3
    assert cache.loaded() == extra[1:]
    assert cache.evictions == 2 * 7 - 3


def test_pointer_polling_is_per_ticker(three, published_model):
    """After the TTL a request checks only its own ticker's pointers (one HEAD each); a new
    champion of another ticker is seen by that ticker's next request, not before."""
    registry, store, _ = three
    clock = FakeClock()
    client = make_client(registry, clock, tickers=TICKERS, cache_ttl_seconds=30)
    for ticker in TICKERS:
        assert client.get(f"/predict?ticker={ticker}").status_code == 200
    new_bbb = publish_version(Registry(store.inner), published_model, ticker="BBB", days=250)
    clock.now += 31
    store.clear()
    assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.keys == ["AAA/champion.json", "forecasts/AAA/latest.json"]
    assert store.calls == ["head", "head"]
    store.clear()
    for _ in range(3):
        assert client.get("/predict?ticker=AAA").status_code == 200
    assert store.calls == [], "AAA was just checked: no I/O within its TTL"
    champions = client.get("/health").json()["champions"]
    assert champions["BBB"]["version"] != new_bbb, "BBB not checked yet"
    assert champions["BBB"]["checked_seconds_ago"] == 31
    assert champions["AAA"]["checked_seconds_ago"] == 0
    assert client.get("/predict?ticker=BBB").json()["model_version"] == new_bbb
    assert "BBB/champion.json" in store.keys
    assert not any(key.startswith(("CCC/", "forecasts/CCC/")) for key in store.keys)


# --------------------------------------------------------------------------------------------
# Pins per ticker: MODEL_VERSION applies to the ticker whose version it names


@pytest.fixture
def old_aaa(three, published_model):
    """An older, never promoted version of AAA: what a pin chooses over the champion."""
    registry, store, versions = three
    old = publish_version(
        Registry(store.inner), published_model, ticker="AAA", days=250, promote=False
    )
    return registry, store, versions, old


def served(client, ticker: str) -> tuple[str, bool]:
    status = client.get(f"/status?ticker={ticker}").json()
    predict = client.get(f"/predict?ticker={ticker}").json()
    assert predict["model_version"] == status["model_version"]
    return status["model_version"], status["pinned"]


def test_a_pin_serves_its_ticker_and_every_other_ticker_keeps_its_champion(old_aaa):
    registry, store, versions, old = old_aaa
    clock = FakeClock()
    client = make_client(
        registry, clock, tickers=TICKERS, cache_ttl_seconds=30, model_version=f"AAA={old}"
    )
    assert served(client, "AAA") == (old, True)
    assert "AAA/champion.json" not in store.keys, "a pinned ticker does not read its pointer"
    assert served(client, "BBB") == (versions["BBB"], False)
    assert served(client, "CCC") == (versions["CCC"], False)
    champions = client.get("/health").json()["champions"]
    assert {t: c["version"] for t, c in champions.items()} == {
        "AAA": old,
        "BBB": versions["BBB"],
        "CCC": versions["CCC"],
    }
    rows = {row["ticker"]: row["champion"] for row in client.get("/tickers").json()["tickers"]}
    assert rows == {"AAA": old, "BBB": versions["BBB"], "CCC": versions["CCC"]}

    clock.now += 31  # after the TTL: the pinned ticker polls its forecast log, not its pointer
    store.clear()
    assert served(client, "AAA") == (old, True)
    assert store.keys == ["forecasts/AAA/latest.json"]


def test_a_bare_version_id_pins_the_ticker_that_has_published_it(old_aaa):
    """The book's MODEL_NAME: AAA has the version and serves it; BBB has not and keeps its
    champion, having paid one manifest read to learn so, once (not once per TTL)."""
    registry, store, versions, old = old_aaa
    clock = FakeClock()
    client = make_client(registry, clock, tickers=TICKERS, cache_ttl_seconds=30, model_version=old)
    assert served(client, "AAA") == (old, True)
    store.clear()
    assert served(client, "BBB") == (versions["BBB"], False)
    assert store.keys.count(f"BBB/versions/{old}/manifest.json") == 1
    clock.now += 31
    store.clear()
    assert served(client, "BBB") == (versions["BBB"], False)
    assert store.keys == ["BBB/champion.json", "forecasts/BBB/latest.json"]
    rows = {row["ticker"]: row["champion"] for row in client.get("/tickers").json()["tickers"]}
    assert rows == {"AAA": old, "BBB": versions["BBB"], "CCC": versions["CCC"]}


def test_a_pin_of_a_version_its_ticker_lacks_fails_that_ticker_only(three):
    registry, _, versions = three
    client = make_client(registry, tickers=TICKERS, model_version=f"AAA={versions['BBB']}")
    response = client.get("/predict?ticker=AAA")
    assert (response.status_code, response.json()["error"]["code"]) == (503, "model_unavailable")
    assert served(client, "BBB") == (versions["BBB"], False)
    rows = {row["ticker"]: row["champion"] for row in client.get("/tickers").json()["tickers"]}
    assert rows == {"AAA": None, "BBB": versions["BBB"], "CCC": versions["CCC"]}


def test_the_setting_bounds_the_cache(local_published_registry):
    client = make_client(local_published_registry, max_loaded_tickers=7)
    assert serving_state(client.app).cache.max_loaded == 7
