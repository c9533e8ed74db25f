"""``GET /tickers`` over published champions: what ``/predict`` would say of each ticker, without
loading a model, from pointers re-read at most every TTL, through a store outage."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.api.app import serving_state
from cryptonic.forecast.freshness import close_final_at
from cryptonic.registry.registry import Registry
from tests.fixtures.api import FakeClock, FakeWallClock, WatchedStore, make_client
from tests.fixtures.published import TICKER, publish_version
from tests.fixtures.refreshed import refresh_through

pytestmark = pytest.mark.slow

MODEL_FILES = ("model.tflite", "model.keras", "prices.csv", "forecast.json")


@pytest.fixture
def watched(local_store, published_model):
    """BTC-USD and ETH-USD published and promoted, AAPL configured without a model."""
    registry = Registry(local_store)
    versions = {
        t: publish_version(registry, published_model, ticker=t) for t in (TICKER, "ETH-USD")
    }
    store = WatchedStore(local_store)
    return Registry(store), store, versions


def rows(client, **params):
    body = client.get("/tickers", params=params).json()
    return {row["ticker"]: row for row in body["tickers"]}


def test_each_row_says_what_predict_says_without_loading_a_model(watched, published_model):
    registry, store, versions = watched
    as_of = published_model.dates[-1]  # the published forecasts start from the last close
    wall = FakeWallClock(close_final_at(as_of) + dt.timedelta(hours=5, minutes=7))
    client = make_client(registry, wall_clock=wall, tickers=[TICKER, "AAPL"])
    listed = rows(client)
    assert sorted(listed) == ["AAPL", TICKER, "ETH-USD"], "configured and in the store"
    assert not any(key.endswith(MODEL_FILES) for key in store.keys), "pointers only"
    assert serving_state(client.app).cache.loaded() == []
    assert listed["AAPL"]["champion"] is None
    for ticker in (TICKER, "ETH-USD"):
        predict = client.get("/predict", params={"ticker": ticker}).json()
        row = listed[ticker]
        assert row["champion"] == versions[ticker] == predict["model_version"]
        assert row["as_of"] == predict["as_of"]
        assert row["age_hours"] == predict["age_hours"] is not None
        assert row["stale"] is predict["stale"]
        assert row["loaded"] is False
    loaded = rows(client)
    assert loaded[TICKER]["loaded"] is True
    assert {k: v for k, v in loaded[TICKER].items() if k != "loaded"} == {
        k: v for k, v in listed[TICKER].items() if k != "loaded"
    }
    assert (listed[TICKER]["age_hours"], listed[TICKER]["stale"]) == (5.1, False)
    wall.advance(hours=60)
    late = rows(client)
    assert late[TICKER]["stale"] is True
    assert late["ETH-USD"]["stale"] is client.get("/predict?ticker=ETH-USD").json()["stale"]


def test_a_refreshed_forecast_is_listed_as_predict_serves_it(
    local_store, published_model, tmp_path
):
    registry = Registry(local_store)
    publish_version(registry, published_model, days=280)
    made = close_final_at(published_model.dates[282]) + dt.timedelta(minutes=30)
    refresh_through(local_store, range(279, 283), tmp_path, now=made)
    client = make_client(registry, wall_clock=FakeWallClock(made + dt.timedelta(hours=2)))
    row = rows(client)[TICKER]
    predict = client.get("/predict").json()
    assert predict["as_of"] == published_model.dates[282].isoformat()
    assert (row["as_of"], row["age_hours"], row["stale"]) == (
        predict["as_of"],
        predict["age_hours"],
        predict["stale"],
    )
    assert (row["age_hours"], row["stale"]) == (2.5, False)


def test_a_forecast_computed_now_from_old_closes_is_as_old_as_its_data(
    local_store, published_model
):
    """``make run`` offline: the version's forecast, computed a minute ago from the snapshot's
    last close 59 days back. /predict, /status and /tickers all say 59 days old, and stale."""
    as_of = published_model.dates[279]
    now = close_final_at(as_of) + dt.timedelta(days=58, hours=9)
    registry = Registry(local_store)
    publish_version(registry, published_model, days=280, when=now - dt.timedelta(minutes=1))
    client = make_client(registry, wall_clock=FakeWallClock(now))
    row = rows(client)[TICKER]
    predict = client.get("/predict").json()
    refresh = client.get("/status").json()["refresh"]
    assert predict["generated_at"] == (now - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    expected = (as_of.isoformat(), 58 * 24 + 9.0, True)
    assert (predict["as_of"], predict["age_hours"], predict["stale"]) == expected
    assert (row["as_of"], row["age_hours"], row["stale"]) == expected
    assert (refresh["forecast_as_of"], refresh["age_hours"], refresh["stale"]) == expected
    assert f"the close of {as_of}, 59 days ago" in predict["message"]


def test_pointers_are_read_at_most_every_ttl(watched):
    registry, store, _ = watched
    clock = FakeClock()
    client = make_client(registry, clock, tickers=[TICKER, "AAPL"], cache_ttl_seconds=30)
    assert client.get("/tickers").status_code == 200
    assert "ETH-USD/versions/" in " ".join(store.keys), "manifests read the first time"
    store.clear()
    for _ in range(5):
        assert client.get("/tickers").status_code == 200
    assert store.calls == [], "within the TTL: no store request at all"
    clock.now += 31
    client.get("/tickers")
    assert sorted(k for k in store.keys if k) == sorted(
        [
            "AAPL/champion.json",
            f"{TICKER}/champion.json",
            "ETH-USD/champion.json",
            f"forecasts/{TICKER}/latest.json",
            "forecasts/ETH-USD/latest.json",
        ]
    ), "after it: the pointers (and the store's listing), never a manifest again"


def test_listing_does_not_keep_a_champion_loaded(watched, published_model):
    registry, store, _ = watched
    publish_version(Registry(store.inner), published_model, ticker="SOL-USD")
    client = make_client(
        registry, FakeClock(), tickers=[TICKER], cache_ttl_seconds=30, max_loaded_tickers=2
    )
    client.get(f"/predict?ticker={TICKER}")
    client.get("/predict?ticker=ETH-USD")
    for _ in range(3):
        assert rows(client)[TICKER]["loaded"] is True
    client.get("/predict?ticker=SOL-USD")
    cache = serving_state(client.app).cache
    assert cache.loaded() == ["ETH-USD", "SOL-USD"], "the listing did not count as a use"
    assert rows(client)[TICKER]["loaded"] is False


def test_pages_bound_the_reads_of_one_request(watched):
    registry, store, _ = watched
    client = make_client(registry, tickers=[TICKER, "AAPL"])
    store.clear()
    first = client.get("/tickers?limit=1").json()
    assert [r["ticker"] for r in first["tickers"]] == ["AAPL"]
    assert not any(k.startswith((f"{TICKER}/", "ETH-USD/")) for k in store.keys)
    second = client.get("/tickers", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    third = client.get("/tickers", params={"limit": 1, "cursor": second["next_cursor"]}).json()
    assert [r["ticker"] for r in second["tickers"] + third["tickers"]] == [TICKER, "ETH-USD"]
    assert third["next_cursor"] is None
    assert {first["total"], second["total"], third["total"]} == {3}


def test_a_store_outage_lists_what_is_served(watched):
    registry, store, versions = watched
    clock = FakeClock()
    client = make_client(registry, clock, tickers=[TICKER, "AAPL"], cache_ttl_seconds=30)
    client.get(f"/predict?ticker={TICKER}")
    before = rows(client)
    clock.now += 31
    store.down = True
    store.clear()
    during = rows(client)
    assert during[TICKER]["champion"] == versions[TICKER], "from the champion in memory"
    assert during[TICKER]["loaded"] is True
    assert {**during["ETH-USD"], "unread": False} == before["ETH-USD"], "the facts read before"
    assert all(row["unread"] for row in during.values()), "and each row says it is not news"
    assert not any(row["unread"] for row in before.values())
    attempts = len(store.calls)
    assert attempts > 0
    assert all(row["unread"] for row in rows(client).values()), "flagged through the TTL"
    assert len(store.calls) == attempts, "a failed read is not retried within the TTL"


def test_a_cold_store_outage_lists_no_champions(local_store, published_model):
    publish_version(Registry(local_store), published_model)
    store = WatchedStore(local_store)
    client = make_client(Registry(store), tickers=[TICKER])
    store.down = True
    response = client.get("/tickers")
    assert response.status_code == 200
    assert response.json()["tickers"] == [
        {
            "ticker": TICKER,
            "champion": None,
            "as_of": None,
            "age_hours": None,
            "stale": False,
            "loaded": False,
            "unread": True,
        }
    ]


def test_a_pinned_version_is_listed(local_store, published_model):
    registry = Registry(local_store)
    old = publish_version(registry, published_model, days=250)
    publish_version(registry, published_model)
    client = make_client(registry, model_version=old)
    row = rows(client)[TICKER]
    predict = client.get("/predict").json()
    assert row["champion"] == old == predict["model_version"]
    assert row["as_of"] == predict["as_of"] == published_model.dates[249].isoformat()


def test_a_slow_store_gives_a_page_in_time_with_the_rows_it_could_not_read_flagged(
    local_store, published_model
):
    """Each pointer read takes 0.1 s and a ticker needs three (pointer, manifest, log): 8 readers
    read about 24 tickers' worth of pointers in the 1 s a request has, not 40. The page answers
    with every ticker, the ones it could not read flagged; the readers stopped starting reads when
    the time was spent; the next requests read the rest (what was read is kept for the TTL)."""
    registry = Registry(local_store)
    names = [f"T{n:02d}-USD" for n in range(40)]
    for name in names:
        publish_version(registry, published_model, ticker=name)
    store = WatchedStore(local_store)
    client = make_client(
        Registry(store),
        FakeClock(),
        tickers=names[:1],
        cache_ttl_seconds=30,
        request_deadline_seconds=1.0,
    )
    store.delay_s = 0.1
    first = rows(client, limit=200)
    assert sorted(first) == names, "every ticker has its row"
    flagged = {t for t, row in first.items() if row["unread"]}
    assert flagged, "not every ticker could be read in time"
    started = {key.split("/")[0] for key in store.keys if key.endswith("/champion.json")}
    assert len(started) < len(names), "no read started once the time was spent"
    for ticker, row in first.items():
        assert (row["champion"] is None) is (ticker in flagged), "nothing known before: nulls"
    for _ in range(10):
        page = rows(client, limit=200)
        if not any(row["unread"] for row in page.values()):
            break
    assert not any(row["unread"] for row in page.values()), "the next requests read the rest"
    assert all(row["champion"] and row["as_of"] for row in page.values())
