"""``ServingState``: which tickers are served, and how a malformed one is refused."""

from __future__ import annotations

import pytest

from tests.fixtures.api import assert_error


@pytest.mark.parametrize("path", ["/predict", "/status", "/historic", "/models"])
def test_unknown_ticker_is_404(client, path):
    message = assert_error(client.get(f"{path}?ticker=ETH-USD"), 404, "unknown_ticker")
    assert "BTC-USD, AAPL" in message


@pytest.mark.parametrize("ticker", ["bad ticker", "../etc", "BTC/USD", "X" * 30, "-A"])
def test_malformed_ticker_is_422(client, ticker):
    response = client.get("/predict", params={"ticker": ticker})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"invalid_ticker", "validation_error"}
