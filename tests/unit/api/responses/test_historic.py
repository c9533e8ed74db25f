"""The ``/historic`` body: a range of closes, and an empty range as nulls."""

from __future__ import annotations

import datetime as dt

from cryptonic.api.responses.historic import historic_response


def test_historic_says_its_range_and_count():
    body = historic_response("BTC-USD", "v", ["2024-01-01", "2024-01-02"], [10.0, 10.5])
    assert (body.start, body.end, body.count) == (dt.date(2024, 1, 1), dt.date(2024, 1, 2), 2)
    assert [(p.date.isoformat(), p.close) for p in body.result] == [
        ("2024-01-01", 10.0),
        ("2024-01-02", 10.5),
    ]
    empty = historic_response("BTC-USD", "v", [], [])
    assert (empty.start, empty.end, empty.count, empty.result) == (None, None, 0, [])
