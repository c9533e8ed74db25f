"""The HTTP session we hand ccxt: every request it makes for us waits its turn and is observed.

ccxt's synchronous exchanges send every request through ``requests.Session.request``. Handing
each exchange object this subclass puts the process-wide spacing of ``MinInterval`` under all of
them (the markets request and every page of candles alike) and keeps what ccxt throws away: on a
429 or 503 it raises its own error without the response, so the server's ``Retry-After`` would be
lost; the session records it for the retry loop.

ccxt's own throttle is per exchange object and we make one object per fetch, so it is switched
off (``enableRateLimit=False``) in favour of this bound, which outlives the object.
"""

from __future__ import annotations

from typing import Any

import requests

from cryptonic.data.rate_limit import MinInterval
from cryptonic.data.yahoo_http import parse_retry_after


class PoliteExchangeSession(requests.Session):
    """A requests session that waits on ``bound`` before each request and remembers the
    ``Retry-After`` of the last 429 or 503 it received."""

    def __init__(self, bound: MinInterval, interval: float) -> None:
        super().__init__()
        self.trust_env = False  # no proxies or netrc from the environment: a public endpoint
        self.bound = bound
        self.interval = interval
        self.retry_after: float | None = None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send once the bound allows it; note a refusal's ``Retry-After`` for the retry."""
        self.bound.acquire(self.interval)
        response = super().request(method, url, *args, **kwargs)
        if response.status_code in (429, 503):
            self.retry_after = parse_retry_after(response.headers.get("retry-after"))
        return response
