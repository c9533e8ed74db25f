"""The HTTP session we hand yfinance: every request it makes for us is rate-bounded and observed.

yfinance makes several HTTP requests per ``history()`` call: the cookie (``fc.yahoo.com``), the
crumb (``getcrumb``), on trouble the consent pages, the timezone probe (``chart?range=1d``) and
the chart itself, and on a 4xx one more try of the chart with the other cookie strategy. Bounding
only our own ``fetch`` calls would let those through in a burst, so the bound sits one level
lower: yfinance sends every request through ``curl_cffi.requests.Session.request`` (``get`` and
``post`` call it), and our subclass waits on the process-wide ``MinInterval`` before each one.

The session also keeps what yfinance throws away: on a 429 it raises ``YFRateLimitError``
without the response, so Yahoo's ``Retry-After`` would be lost. The subclass records the
``Retry-After`` of the last 429 seen by the current thread, which the retry loop reads.

Both only act inside ``observing()``, i.e. during our own fetch, in the thread making it (the
deadline worker thread runs yfinance's requests itself: yfinance does not start threads for a
single ticker's history).

This module imports curl_cffi at the top; ``yahoo.py`` imports it only when it fetches, so the
bundled and CSV paths never pay for it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from curl_cffi.requests import Response, Session

from cryptonic.data.rate_limit import MinInterval


@dataclass
class Observation:
    """What one fetch learns from the HTTP layer beneath yfinance."""

    bound: MinInterval
    interval: float
    retry_after: float | None = None
    """Seconds Yahoo asked us to wait in its last 429 (``None``: it did not say)."""


_local = threading.local()


@contextmanager
def observing(bound: MinInterval, interval: float) -> Iterator[Observation]:
    """Bound and observe the requests this thread makes until the block ends."""
    observation = Observation(bound=bound, interval=interval)
    previous: Observation | None = getattr(_local, "observation", None)
    _local.observation = observation
    try:
        yield observation
    finally:
        _local.observation = previous


class PoliteSession(Session[Response]):
    """A curl_cffi session that waits its turn and remembers Yahoo's ``Retry-After``."""

    def request(self, method: Any, url: str, *args: Any, **kwargs: Any) -> Response:
        """Send after the rate bound allows it; note a 429's ``Retry-After`` for the retry."""
        observation: Observation | None = getattr(_local, "observation", None)
        if observation is not None:
            observation.bound.acquire(observation.interval)
        response = super().request(method, url, *args, **kwargs)
        if observation is not None and response.status_code == 429:
            observation.retry_after = parse_retry_after(response.headers.get("retry-after"))
        return response


_session_lock = threading.Lock()
_session: PoliteSession | None = None


def polite_session() -> PoliteSession:
    """The one session of this process, created on first use.

    One, not one per fetch: yfinance keeps Yahoo's cookie in the session's jar and its crumb in
    a process-wide singleton; a fresh session per fetch would send that crumb without its
    cookie. ``impersonate="chrome"`` is what yfinance's own default session uses.
    """
    global _session
    with _session_lock:
        if _session is None:
            _session = PoliteSession(impersonate="chrome")
        return _session


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110).

    ``None`` when absent or unreadable (the caller falls back to its own backoff); a date in
    the past means 0.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)
