"""``GET /tickers`` before any model exists: every configured ticker, none with a champion."""

from __future__ import annotations

from cryptonic.api.app import serving_state
from tests.fixtures.api import assert_error

EMPTY = {
    "champion": None,
    "as_of": None,
    "age_hours": None,
    "stale": False,
    "loaded": False,
    "unread": False,
}


def test_configured_tickers_without_a_model_are_listed_with_null_champions(client):
    response = client.get("/tickers")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "success": True,
        "default": "BTC-USD",
        "total": 2,
        "tickers": [{"ticker": "AAPL", **EMPTY}, {"ticker": "BTC-USD", **EMPTY}],
        "next_cursor": None,
    }
    assert serving_state(client.app).cache.loaded() == [], "listing loads nothing"


def test_pages_follow_the_cursor(client):
    first = client.get("/tickers?limit=1").json()
    assert [t["ticker"] for t in first["tickers"]] == ["AAPL"]
    assert (first["total"], first["next_cursor"]) == (2, "AAPL")
    second = client.get("/tickers", params={"limit": 1, "cursor": "aapl"}).json()
    assert [t["ticker"] for t in second["tickers"]] == ["BTC-USD"]
    assert second["next_cursor"] is None
    past = client.get("/tickers", params={"cursor": "ZZZ"}).json()
    assert (past["tickers"], past["total"], past["next_cursor"]) == ([], 2, None)


def test_bad_paging_parameters_are_422(client):
    assert_error(client.get("/tickers?limit=0"), 422, "validation_error")
    assert_error(client.get("/tickers?limit=201"), 422, "validation_error")
    message = assert_error(client.get("/tickers?cursor=a%20b"), 422, "invalid_cursor")
    assert "next_cursor" in message


def test_tickers_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/tickers"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"limit", "cursor"}
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/TickersResponse")
    assert "422" in operation["responses"]
