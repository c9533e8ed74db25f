"""``GET /health`` before any model exists."""

from __future__ import annotations


def test_health_is_ok_without_a_model(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "status": "ok",
        "app_version": body["app_version"],
        "store": "file",
        "tickers": ["BTC-USD", "AAPL"],
        "champions": {},
    }
