"""``GET /models`` of a configured ticker without versions."""

from __future__ import annotations


def test_models_of_a_ticker_without_versions_is_an_empty_list(client):
    response = client.get("/models?ticker=BTC-USD")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "ticker": "BTC-USD",
        "champion": None,
        "pinned": None,
        "versions": [],
    }
