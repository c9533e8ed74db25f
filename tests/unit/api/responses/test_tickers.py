"""The ``/tickers`` body: the rows the state built, in their order, as the page."""

from __future__ import annotations

import datetime as dt
import json

from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.tickers import tickers_response
from cryptonic.api.schemas import TickerInfo

ROWS = [
    TickerInfo(
        ticker="AAPL",
        champion=None,
        as_of=None,
        age_hours=None,
        stale=False,
        loaded=False,
        unread=True,
    ),
    TickerInfo(
        ticker="BTC-USD",
        champion="v",
        as_of=dt.date(2026, 10, 5),
        age_hours=2.1,
        stale=False,
        loaded=True,
        unread=False,
    ),
]


def test_a_page_serializes_the_rows_as_given():
    body = json.loads(encode(tickers_response(ROWS, default="BTC-USD", total=5, next_cursor="X")))
    assert [row["ticker"] for row in body["tickers"]] == ["AAPL", "BTC-USD"]
    assert body["tickers"][1] == {
        "ticker": "BTC-USD",
        "champion": "v",
        "as_of": "2026-10-05",
        "age_hours": 2.1,
        "stale": False,
        "loaded": True,
        "unread": False,
    }
    assert body["tickers"][0]["unread"] is True
    assert (body["default"], body["total"], body["next_cursor"]) == ("BTC-USD", 5, "X")
    assert body["success"] is True
