"""``GET /status``: the served version's manifest, as the page shows it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures.api import FakeWallClock, make_client
from tests.fixtures.published import TICKER

pytestmark = pytest.mark.slow


def test_status_reports_the_manifest(published_registry):
    pointer = published_registry.champion(TICKER)
    version = pointer.version
    manifest = published_registry.manifest(TICKER, version).model_dump(mode="json")
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
    assert status["refresh"]["logged"] is False  # no refresh yet: the publish-time forecast


def test_status_says_when_the_next_refresh_is_due(published_registry):
    """The hour is the setting the template passes both functions (REFRESH_HOUR_UTC)."""
    wall = FakeWallClock(dt.datetime(2026, 11, 2, 4, 0, tzinfo=dt.UTC))
    client = make_client(published_registry, wall_clock=wall, refresh_hour_utc=3)
    refresh = client.get("/status").json()["refresh"]
    assert refresh["schedule"] == "daily at 03:30 UTC"
    assert refresh["next_due"] == "2026-11-03T03:30:00Z"
    wall.advance(hours=23)  # 03:00 the next day: due in half an hour
    assert client.get("/status").json()["refresh"]["next_due"] == "2026-11-03T03:30:00Z"
    wall.advance(hours=1)
    assert client.get("/status").json()["refresh"]["next_due"] == "2026-11-04T03:30:00Z"
    stored = published_registry.manifest(TICKER, published_registry.champion(TICKER).version)
    assert refresh["forecast_as_of"] == stored.data.end.isoformat()
    assert refresh["forecast_generated_at"] == stored.created_at
    assert refresh["stale_after_hours"] == 48.0
