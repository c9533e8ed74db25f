"""Bodies whose age moves: rebuilt once per 0.1 h step (or when stale flips), bytes in between."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cryptonic.api.schemas import RefreshStatus, StatusResponse
from cryptonic.api.state.timed_bodies import TimedBodies, age_step, rounded_age_hours
from cryptonic.forecast.freshness import freshness_of
from tests.fixtures.api import status_of
from tests.fixtures.published import manifest_of

MADE = dt.datetime(2026, 10, 6, 0, 30, tzinfo=dt.UTC)
FORECAST = {
    "ticker": "BTC-USD",
    "model_version": "v",
    "as_of": "2026-10-05",
    "generated_at": "2026-10-06T00:30:00Z",
    "last_close": 100.0,
    "result": [{"date": "2026-10-06", "prediction": 101.0}],
}


def bodies(
    forecast=FORECAST, calendar="D", built: list[RefreshStatus] | None = None
) -> TimedBodies:
    manifest = manifest_of()

    def status(refresh: RefreshStatus) -> StatusResponse:
        if built is not None:
            built.append(refresh)
        return status_of(manifest, refresh)

    return TimedBodies(
        "BTC-USD",
        "v",
        forecast,
        calendar=calendar,
        status=status,
        stale_after_hours=48,
        refresh_hour_utc=0,
        logged=True,
        max_age_s=300,
    )


FINAL = dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
"""When the close of FORECAST's as_of was final: where its age counts from."""


def test_the_same_step_serves_the_same_bytes_object():
    timed = bodies()
    first = timed.predict(FINAL + dt.timedelta(minutes=61))
    assert timed.predict(FINAL + dt.timedelta(minutes=65)) is first
    assert json.loads(first.body)["age_hours"] == 1.0
    nxt = timed.predict(FINAL + dt.timedelta(minutes=66))
    assert json.loads(nxt.body)["age_hours"] == 1.1
    assert nxt.etag != first.etag
    assert first.headers == {"ETag": first.etag, "Cache-Control": "public, max-age=300"}


def test_stale_flips_at_48_hours_and_the_weekend_counts_for_stocks():
    crypto = bodies()
    assert json.loads(crypto.predict(FINAL + dt.timedelta(hours=47.9)).body)["stale"] is False
    assert json.loads(crypto.predict(FINAL + dt.timedelta(hours=48)).body)["stale"] is True
    friday = {
        **FORECAST,
        "as_of": "2026-10-02",
        "generated_at": "2026-10-03T00:30:00Z",
        "result": [{"date": "2026-10-05", "prediction": 101.0}],
    }
    stock = bodies(friday, calendar="B")
    saturday = dt.datetime(2026, 10, 3, tzinfo=dt.UTC)
    assert json.loads(stock.predict(saturday + dt.timedelta(hours=95)).body)["stale"] is False
    assert json.loads(stock.predict(saturday + dt.timedelta(hours=96)).body)["stale"] is True


def test_the_age_is_the_datas_however_recently_the_forecast_was_computed():
    """Computed a minute ago from a close two months old: two months old, and stale; the bodies
    agree with freshness_of, which /tickers and the refresh's report read."""
    old = {**FORECAST, "as_of": "2026-10-05", "generated_at": "2026-12-03T08:59:00Z"}
    now = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    body = json.loads(bodies(old).predict(now).body)
    expected = freshness_of(dt.date(2026, 10, 5), old["generated_at"], "D", 48, now)
    assert (body["age_hours"], body["stale"]) == (58 * 24 + 9.0, True)
    assert (body["age_hours"], body["stale"]) == (expected.age_hours, expected.stale)
    assert "from old data, the close of 2026-10-05, 59 days ago" in body["message"]


def test_a_forecast_that_does_not_say_when_it_was_made_still_has_an_age():
    undated = bodies({k: v for k, v in FORECAST.items() if k != "generated_at"})
    body = json.loads(undated.predict(FINAL + dt.timedelta(days=30)).body)
    assert (body["age_hours"], body["stale"]) == (720.0, True)
    status = json.loads(undated.status(FINAL + dt.timedelta(days=30)))["refresh"]
    assert (status["forecast_generated_at"], status["age_hours"]) == (None, 720.0)


def test_status_moves_with_the_next_refresh_too():
    timed = bodies()
    before = json.loads(timed.status(dt.datetime(2026, 10, 6, 0, 29, 59, tzinfo=dt.UTC)))
    after = json.loads(timed.status(dt.datetime(2026, 10, 6, 0, 30, 1, tzinfo=dt.UTC)))
    assert before["refresh"]["next_due"] == "2026-10-06T00:30:00Z"
    assert after["refresh"]["next_due"] == "2026-10-07T00:30:00Z"
    assert after["refresh"]["age_hours"] == 0.5  # the close of 5 Oct was final at 00:00
    assert after["refresh"]["logged"] is True


@pytest.mark.parametrize(
    ("age", "step", "rounded"),
    [(None, None, None), (0.0, 0, 0.0), (0.0999, 0, 0.0), (1.1, 11, 1.1), (50.27, 502, 50.2)],
)
def test_an_age_is_served_down_to_its_step(age, step, rounded):
    assert age_step(age) == step
    assert rounded_age_hours(age) == rounded


def test_the_status_answer_is_built_on_the_first_ask_then_per_step():
    built: list[RefreshStatus] = []
    timed = bodies(built=built)
    timed.predict(FINAL + dt.timedelta(hours=1))
    assert built == [], "a cold start serves /predict: no status models built"
    first = json.loads(timed.status(FINAL + dt.timedelta(hours=1)))
    timed.status(FINAL + dt.timedelta(hours=1, minutes=1))
    assert len(built) == 1, "the same step serves the same bytes"
    later = json.loads(timed.status(FINAL + dt.timedelta(hours=2)))
    assert len(built) == 2
    assert first["refresh"]["age_hours"] == 1.0
    assert later["refresh"]["age_hours"] == 2.0
