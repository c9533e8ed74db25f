"""``GET /status``: the served version's manifest, as the page shows it."""

from __future__ import annotations

import pytest

from tests.fixtures.api import make_client
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
