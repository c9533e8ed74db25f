"""The ``/health`` body: the champions this instance holds, as documented."""

from __future__ import annotations

import datetime as dt

from cryptonic import __version__
from cryptonic.api.responses.health import health_response


def test_health_lists_the_held_champions_with_their_age():
    cached = {"BTC-USD": ("v1", "2026-10-01T00:00:00Z", dt.date(2026, 10, 5), 1.23456)}
    body = health_response("file", ["BTC-USD", "AAPL"], cached)
    assert (body.status, body.app_version, body.store) == ("ok", __version__, "file")
    champion = body.champions["BTC-USD"]
    assert (champion.version, champion.forecast_as_of) == ("v1", dt.date(2026, 10, 5))
    assert champion.checked_seconds_ago == 1.235
    assert health_response("s3", [], {}).champions == {}
