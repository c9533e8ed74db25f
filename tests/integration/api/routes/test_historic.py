"""``GET /historic``: closes of the champion's training snapshot, by date range."""

from __future__ import annotations

import pytest

from tests.fixtures.api import make_client

pytestmark = pytest.mark.slow


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
