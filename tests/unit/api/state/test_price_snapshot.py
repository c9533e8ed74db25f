"""``parse_prices``: the training snapshot read with the csv module (no pandas when serving)."""

from __future__ import annotations

import pytest

from cryptonic.api.state.price_snapshot import parse_prices
from cryptonic.errors import DataError

YAHOO = b"""Date,Open,High,Low,Close,Adj Close,Volume
2024-01-02,1,2,0.5,10.5,10.4,100
2024-01-01,1,2,0.5,10.0,9.9,100
2024-01-03,1,2,0.5,null,null,0
2024-01-04,1,2,0.5,-1,-1,0
not-a-date,1,2,0.5,11,11,0
2024-01-02,1,2,0.5,10.75,10.7,100
2024-01-05 00:00:00+00:00,1,2,0.5,12.0,12.0,100
2024-01-06,1,2
"""


def test_parse_prices_yahoo_layout_sorted_clean_and_deduplicated():
    series = parse_prices(YAHOO)
    assert series.dates == ["2024-01-01", "2024-01-02", "2024-01-05"]
    assert series.closes == [10.0, 10.75, 12.0]


def test_parse_prices_lower_case_and_adj_close_fallback():
    assert parse_prices(b"date,close\n2024-01-01,3\n").closes == [3.0]
    assert parse_prices(b"\xef\xbb\xbfDate,Adj Close\n2024-01-01,4\n").closes == [4.0]


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"Day,Close\n2024-01-01,3\n", "no Date column"),
        (b"Date,Open\n2024-01-01,3\n", "no Close column"),
        (b"Date,Close\nx,y\n", "no rows"),
        (b"\xff\xfe", "UTF-8"),
    ],
)
def test_parse_prices_errors(data, match):
    with pytest.raises(DataError, match=match):
        parse_prices(data)
