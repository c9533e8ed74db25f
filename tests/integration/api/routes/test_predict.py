"""``GET /predict`` (the champion's stored forecast, ETag) and ``POST /predict`` (LiteRT)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from cryptonic.forecast.freshness import close_final_at
from cryptonic.forecast.predictor import Predictor
from cryptonic.registry.registry import Registry
from tests.fixtures.api import make_client
from tests.fixtures.published import TICKER, load_event, publish_version

pytestmark = pytest.mark.slow


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
# GET /predict after daily refreshes: the latest dated forecast, its age, stale


def test_get_predict_serves_the_latest_refreshed_forecast(local_store, published_model, tmp_path):
    from cryptonic.registry.forecast_log import ForecastLog
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    version = publish_version(registry, published_model, days=280)
    client = make_client(registry)
    published = client.get("/predict").json()
    assert published["as_of"] == published_model.dates[279].isoformat()

    refresh_through(local_store, [284, 285], tmp_path)
    body = client.get("/predict").json()
    assert (body["as_of"], body["model_version"]) == (str(published_model.dates[285]), version)
    pointer, _ = ForecastLog(local_store).latest(TICKER)
    logged = ForecastLog(local_store).load(TICKER, version, pointer.versions[version]).body
    assert body["result"] == logged["result"]
    assert body["generated_at"] == logged["generated_at"]
    assert body["last_close"] == published_model.closes[285]
    status = client.get("/status").json()["refresh"]
    assert (status["forecast_as_of"], status["logged"]) == (body["as_of"], True)


def test_age_hours_moves_in_steps_and_the_etag_with_it(local_store, published_model, tmp_path):
    from tests.fixtures.api import FakeWallClock
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    publish_version(registry, published_model, days=280)
    final = close_final_at(published_model.dates[285])  # where the forecast's age counts from
    refresh_through(local_store, [285], tmp_path, now=final + dt.timedelta(minutes=30))
    wall = FakeWallClock(final + dt.timedelta(hours=3, minutes=2))
    client = make_client(registry, wall_clock=wall)
    first = client.get("/predict")
    assert (first.json()["age_hours"], first.json()["stale"]) == (3.0, False)
    wall.advance(minutes=3)  # 3.08 h: the same 0.1 h step, the same bytes
    again = client.get("/predict", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    wall.advance(minutes=2)  # 3.12 h: the next step
    later = client.get("/predict", headers={"If-None-Match": first.headers["etag"]})
    assert later.status_code == 200
    assert later.json()["age_hours"] == 3.1
    assert later.headers["etag"] != first.headers["etag"]


def test_a_forecast_older_than_48_hours_is_flagged_stale(local_store, published_model, tmp_path):
    from tests.fixtures.api import FakeWallClock
    from tests.fixtures.refreshed import refresh_through

    registry = Registry(local_store)
    publish_version(registry, published_model, days=280)
    as_of = published_model.dates[285]
    final = close_final_at(as_of)
    refresh_through(local_store, [285], tmp_path, now=final + dt.timedelta(minutes=30))
    wall = FakeWallClock(final + dt.timedelta(hours=47, minutes=59))
    client = make_client(registry, wall_clock=wall, stale_after_hours=48)
    assert client.get("/predict").json()["stale"] is False
    wall.advance(minutes=1)
    body = client.get("/predict").json()
    assert (body["stale"], body["age_hours"]) == (True, 48.0)
    assert (
        f"STALE: from old data, the close of {as_of}, 3 days ago: no newer close has reached "
        "the service"
    ) in body["message"]
    assert client.get("/status").json()["refresh"]["stale"] is True


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


def test_a_posted_forecast_is_as_old_as_its_last_close_like_the_served_one(
    published_registry, published_model
):
    from tests.fixtures.api import FakeWallClock

    as_of = dt.date(2026, 10, 5)
    wall = FakeWallClock(close_final_at(as_of) + dt.timedelta(hours=3, minutes=2))
    client = make_client(published_registry, wall_clock=wall)
    closes = published_model.closes[-20:]
    fresh = client.post("/predict", json={"closes": closes, "last_date": as_of.isoformat()})
    assert (fresh.json()["age_hours"], fresh.json()["stale"]) == (3.0, False)
    wall.advance(days=59)
    old = client.post("/predict", json={"closes": closes, "last_date": as_of.isoformat()})
    assert (old.json()["age_hours"], old.json()["stale"]) == (59 * 24 + 3.0, True)
    assert old.json()["result"] == fresh.json()["result"]


def test_post_predict_last_date_defaults_to_the_last_final_close(
    published_registry, published_model
):
    """Today's close is not final: closes sent without a date end with yesterday's, so the
    first forecast day is today, not tomorrow."""
    from tests.fixtures.api import FakeWallClock

    wednesday = dt.datetime(2026, 10, 7, 15, 0, tzinfo=dt.UTC)
    client = make_client(published_registry, wall_clock=FakeWallClock(wednesday))
    response = client.post("/predict", json={"closes": published_model.closes[-20:]})
    assert response.status_code == 200
    assert response.json()["as_of"] == "2026-10-06"
    assert response.json()["result"][0]["date"] == "2026-10-07"


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
# The adaptive band: served by GET, reused by POST, and said by both


def test_before_any_outcome_the_fit_time_band_is_served_and_said(published_registry):
    client = make_client(published_registry)
    body = client.get("/predict").json()
    assert (body["calibration"], body["interval_scales"], body["calibration_outcomes"]) == (
        "fit",
        [1.0] * 7,
        0,
    )
    posted = client.post("/predict", json={"closes": [100.0 + i for i in range(20)]}).json()
    assert (posted["calibration"], posted["interval_scales"]) == ("fit", [1.0] * 7)


def test_the_adapted_band_is_served_and_posted_forecasts_use_it_without_a_store_read(
    local_store, published_model, tmp_path
):
    from cryptonic.registry.calibration import CalibrationState
    from cryptonic.registry.keys import calibration_key
    from tests.fixtures.api import WatchedStore
    from tests.fixtures.refreshed import refresh_through

    publish_version(Registry(local_store), published_model, days=280)
    refresh_through(local_store, range(280, 290), tmp_path)
    state = CalibrationState.parse(local_store.get_json(calibration_key(TICKER)), "state")
    watched = WatchedStore(local_store)
    client = make_client(Registry(watched), cache_ttl_seconds=300)
    served = client.get("/predict").json()
    assert (served["calibration"], served["calibration_outcomes"]) == (
        "adaptive",
        state.adaptive.updates,
    )
    assert served["interval_scales"] == list(state.adaptive.scales)

    watched.clear()
    closes = published_model.closes[270:290]
    response = client.post("/predict", json={"closes": closes, "last_date": "2026-10-05"})
    assert response.status_code == 200, response.text
    assert watched.calls == []  # the scales came with the served forecast
    posted = response.json()
    assert (posted["calibration"], posted["interval_scales"]) == (
        "adaptive",
        list(state.adaptive.scales),
    )
    fit = Predictor(published_model.tflite).forecast(closes, dt.date(2026, 10, 5), ticker=TICKER)
    assert fit.lower is not None
    assert fit.upper is not None
    for day, value, low, high, scale in zip(
        posted["result"], fit.values, fit.lower, fit.upper, state.adaptive.scales, strict=True
    ):
        assert day["lower"] == pytest.approx(value - scale * (value - low), rel=1e-6)
        assert day["upper"] == pytest.approx(value + scale * (high - value), rel=1e-6)
