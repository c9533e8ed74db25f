"""``GET /models``: the published versions of a ticker with their backtest and gate decision."""

from __future__ import annotations

import pytest

from tests.fixtures.api import make_client
from tests.fixtures.published import TICKER, publish_version

pytestmark = pytest.mark.slow


def test_models_lists_versions_newest_first(published_registry, published_model):
    first = published_registry.champion(TICKER).version
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
