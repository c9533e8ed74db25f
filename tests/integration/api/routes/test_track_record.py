"""``GET /track-record``: the served forecasts against what happened, read from the summary the
refresh writes; ``GET /models``: each version's live record."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, WatchedStore, make_client
from tests.fixtures.published import TICKER, publish_version
from tests.fixtures.refreshed import refresh_through

pytestmark = pytest.mark.slow


@pytest.fixture
def refreshed(local_store, published_model, tmp_path):
    """A champion published on day 280 and refreshed daily from day 280 to day 290."""
    registry = Registry(local_store)
    version = publish_version(registry, published_model, days=280)
    refresh_through(local_store, range(279, 291), tmp_path)
    return registry, version


def test_track_record_lists_the_served_forecasts_newest_first(refreshed, published_model):
    registry, version = refreshed
    body = make_client(registry).get("/track-record", params={"ticker": TICKER}).json()
    assert body["success"] is True
    assert body["ticker"] == TICKER
    assert body["closes_through"] == str(published_model.dates[290])
    dates = [f["as_of"] for f in body["forecasts"]]
    assert dates == [str(published_model.dates[d]) for d in range(290, 278, -1)]
    assert {f["model_version"] for f in body["forecasts"]} == {version}
    assert [f["days_scored"] for f in body["forecasts"]] == [0, 1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7]
    oldest = body["forecasts"][-1]
    assert oldest["result"] is None  # only the newest 8 carry their days
    newest_full = body["forecasts"][7]
    assert [d["actual"] for d in newest_full["result"]] == pytest.approx(
        published_model.closes[284:291]
    )
    summary = body["summary"]
    assert summary["forecasts"] == 11
    assert summary["days_scored"] == 1 + 2 + 3 + 4 + 5 + 6 + 7 * 5
    assert summary["skill"] == pytest.approx(1 - summary["mape"] / summary["persistence_mape"])
    assert summary["persistence_mape"] > 0


def test_track_record_shows_the_served_bands_rolling_coverage(refreshed, tmp_path):
    registry, _ = refreshed
    body = make_client(registry).get("/track-record").json()
    ledger = registry.store.get_json(f"forecasts/{TICKER}/scores.json")
    inside = sum(r["inside"] for r in ledger["rows"])
    banded = sum(r["banded_days"] for r in ledger["rows"])
    assert banded == 1 + 2 + 3 + 4 + 5 + 6 + 7 * 5  # every forecast here is recent
    assert [
        (w["weeks"], w["forecasts"], w["days"], w["interval_level"])
        for w in body["rolling_coverage"]
    ] == [(8, 11, banded, 0.8), (26, 11, banded, 0.8)]
    assert body["rolling_coverage"][0]["coverage"] == pytest.approx(inside / banded)
    assert body["summary"]["coverage"] == pytest.approx(inside / banded)


def test_limit_cuts_the_list_not_the_summary(refreshed):
    registry, _ = refreshed
    client = make_client(registry)
    full, three = client.get("/track-record").json(), client.get("/track-record?limit=3").json()
    assert three["forecasts"] == full["forecasts"][:3]
    assert three["summary"] == full["summary"]
    assert client.get("/track-record?limit=101").status_code == 422


def test_before_the_first_refresh_the_record_is_empty(local_published_registry):
    body = make_client(local_published_registry).get("/track-record").json()
    assert body["summary"]["forecasts"] == 0
    assert body["forecasts"] == []
    assert body["closes_through"] is None


def test_the_record_is_read_once_then_checked_by_etag_every_ttl(refreshed, tmp_path):
    registry, _ = refreshed
    store = WatchedStore(registry.store)
    clock = FakeClock()
    client = make_client(Registry(store), clock, cache_ttl_seconds=30)
    first = client.get("/track-record")
    assert store.keys == [f"forecasts/{TICKER}/track-record.json"]
    store.clear()
    for _ in range(10):
        assert client.get("/track-record").content == first.content
    assert store.calls == []
    clock.now += 31
    client.get("/track-record")
    assert store.calls == ["head"]
    refresh_through(registry.store, [291], tmp_path)
    store.clear()
    clock.now += 31
    newer = client.get("/track-record").json()
    assert store.calls == ["head", "get_with_etag"]
    assert newer["forecasts"][0]["as_of"] != first.json()["forecasts"][0]["as_of"]


def test_a_store_outage_keeps_the_record_it_has(refreshed):
    registry, _ = refreshed
    store = WatchedStore(registry.store)
    client = make_client(Registry(store))
    before = client.get("/track-record")
    store.down = True
    after = client.get("/track-record")
    assert after.status_code == 200
    assert after.content == before.content
    cold = make_client(Registry(store)).get("/track-record")
    assert cold.status_code == 503
    assert cold.json()["error"]["code"] == "store_unavailable"


def test_a_corrupt_record_is_a_503_not_a_500_and_the_log_names_the_file(refreshed, caplog):
    registry, _ = refreshed
    registry.store.put_json(f"forecasts/{TICKER}/track-record.json", {"ticker": TICKER})
    response = make_client(registry).get("/track-record")
    assert response.status_code == 503
    assert response.json()["error"] == {
        "code": "integrity_error",
        "message": f"a stored file of {TICKER} is damaged (it failed its integrity check) and no "
        "earlier copy is loaded; the server log names the file",
    }
    assert f"forecasts/{TICKER}/track-record.json" in caplog.text


def test_models_shows_each_versions_live_record(refreshed, published_model, tmp_path):
    registry, champion = refreshed
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # rejected after the promotion
    shadow = publish_version(registry, published_model, days=285, promote=False, when=later)
    refresh_through(registry.store, [291, 292], tmp_path)
    rows = {r["version"]: r for r in make_client(registry).get("/models").json()["versions"]}
    record = make_client(registry).get("/track-record").json()
    assert rows[champion]["live"]["forecasts"] == record["summary"]["forecasts"]
    assert rows[champion]["live"]["mape"] == pytest.approx(record["summary"]["mape"])
    assert rows[shadow]["live"]["forecasts"] == 1  # forecast on day 291, scored on day 292
    assert rows[shadow]["live"]["days_scored"] == 1
    assert {f["model_version"] for f in record["forecasts"]} == {champion}  # never served
