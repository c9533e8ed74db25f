"""A process-wide bound on how often we start a request to one service.

Yahoo Finance answers 429 Too Many Requests to clients that ask too often, and the retrain fans
out to one Lambda invocation per ticker: being polite must hold in every process, not just in a
loop that happens to run them one after another. ``MinInterval`` spaces request *starts* of one
process at least ``interval`` seconds apart, whichever thread makes them. Across the fan-out
(one process per concurrent invocation, SQS ``MaximumConcurrency`` of them at most) the global
rate is therefore at most ``concurrency / interval`` requests per second: the concurrency bound
is the other half of the rate bound.

It is a spacing, not a token bucket, on purpose: a bucket lets a burst through after an idle
spell, which is exactly what a rate limiter on the other side punishes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Final


class MinInterval:
    """Start at most one request per ``interval`` seconds in this process (thread-safe).

    Each caller reserves the next free slot under a lock and sleeps outside it, so concurrent
    callers queue up in order, one ``interval`` apart, without holding the lock while waiting.
    ``clock`` (monotonic seconds) and ``sleep`` are injectable so tests can assert the waits.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._last_start = -math.inf

    def acquire(self, interval: float) -> float:
        """Wait until a request may start at least ``interval`` s after the previous one.

        The interval is the caller's (policies may differ; each request keeps its own distance
        from the one before it). Returns the seconds waited, 0 when no wait was needed.
        """
        if interval < 0 or not math.isfinite(interval):
            raise ValueError(f"interval must be a finite number >= 0, got {interval}")
        with self._lock:
            now = self._clock()
            start = max(now, self._last_start + interval)
            self._last_start = start
        wait = start - now
        if wait > 0:
            self._sleep(wait)
        return wait

    def reset(self) -> None:
        """Forget the last request, as in a fresh process (tests; never needed in production)."""
        with self._lock:
            self._last_start = -math.inf


YAHOO_REQUESTS: Final = MinInterval()
"""The one bound every Yahoo Finance HTTP request of this process goes through."""
