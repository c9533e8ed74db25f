"""``GET /models`` without versions: the empty page, the paging parameters, unknown tickers."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.api import WatchedStore, assert_error
from tests.fixtures.published import api_client


def test_models_of_a_ticker_without_versions_is_an_empty_list(client):
    response = client.get("/models?ticker=BTC-USD")
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "ticker": "BTC-USD",
        "champion": None,
        "pinned": None,
        "versions": [],
        "next_cursor": None,
    }


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"limit": "many"}])
def test_bad_paging_parameters_are_422(client, params):
    assert_error(client.get("/models", params=params), 422, "validation_error")


@pytest.mark.parametrize("cursor", ["latest", "../../etc/passwd", "20261123T192000Z-1A2B3C4"])
def test_a_cursor_no_page_gave_out_is_the_same_422_as_for_tickers(client, cursor):
    message = assert_error(client.get("/models", params={"cursor": cursor}), 422, "invalid_cursor")
    assert message == "invalid cursor: pass the next_cursor of the previous page"
    assert client.get("/tickers?cursor=a%20b").json()["error"]["message"] == message


def test_paging_parameters_are_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/models"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"ticker", "limit", "cursor"}
    limit = params["limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 100, 20)
    cursor = next(s for s in params["cursor"]["schema"]["anyOf"] if s.get("type") == "string")
    assert cursor["pattern"] == r"^\d{8}T\d{6}Z-[0-9a-f]{7}$"
    assert "next_cursor" in params["cursor"]["description"]


def test_a_store_only_ticker_is_served_and_an_unknown_one_is_checked_alone(
    local_store_uri, local_store
):
    """Tickers added through the store have no TICKERS entry: a ticker with models in the store
    is served; an unknown one is a 404 after a HEAD of its pointer and a LIST of its own
    versions (never a listing of the whole store), and asking again within the TTL costs
    nothing."""
    local_store.put_json("ETH-USD/champion.json", {"version": "x"})
    store = WatchedStore(local_store)
    settings = Settings(tickers=["BTC-USD"], store_uri=local_store_uri, cache_ttl_seconds=30)
    client = api_client(create_app(settings, Registry(store)))
    for ticker in ("SOL-USD", "sol-usd", "ADA-USD", "SOL-USD"):
        message = assert_error(
            client.get("/models", params={"ticker": ticker}), 404, "unknown_ticker"
        )
        assert "BTC-USD" in message
    assert list(zip(store.calls, store.keys, strict=True)) == [
        ("list", "SOL-USD/"),
        ("list", "ADA-USD/"),
    ]
    assert client.get("/models", params={"ticker": "ETH-USD"}).status_code != 404
