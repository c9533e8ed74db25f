"""How long one S3 call may take: per-attempt timeouts, attempts, back-off, a deadline.

Why: the predict function has 10 s. A silent S3 used to cost exactly that (two 5 s attempts), so
the function timed out instead of answering 503 or serving the model it had loaded. Both S3
clients obey one :class:`Budget`, so serving fails in bounded time whichever client it got; the
retrain keeps long read timeouts for its uploads.

A budget bounds one call; the caller's deadline (:mod:`cryptonic.store.deadline`) bounds all the
calls of a request. ``left_s`` below is what that deadline leaves (``None``: there is none): an
attempt's timeouts shrink to it, and no attempt starts with less than :data:`MIN_ATTEMPT_S` of it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BATCH", "MIN_ATTEMPT_S", "SERVING", "Budget"]

MIN_ATTEMPT_S = 0.05
"""No attempt starts with less of the caller's deadline left: S3 answers a small GET in region in
10-30 ms, so an attempt cut shorter could only time out and make the caller wait for nothing."""

_MIN_TIMEOUT_S = 0.01
"""A socket timeout of 0 means non-blocking, not "give up now": timeouts never shrink below this."""


@dataclass(frozen=True)
class Budget:
    """Time limits of one store call (a paginated listing: of each page).

    ``deadline_s`` bounds the whole call, retries and back-off included: another attempt starts
    only if its read timeout still fits before the deadline. A read timeout bounds each wait for
    bytes, not a whole transfer, so a server that trickles a large body can take longer; the
    objects serving reads are small.
    """

    connect_s: float
    read_s: float
    attempts: int
    deadline_s: float | None = None
    backoff_s: float = 0.05
    throttled_backoff_s: float = 0.25
    max_backoff_s: float = 1.0

    def backoff(
        self, attempt: int, *, throttled: bool, rand: Callable[[], float] = random.random
    ) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based): doubling, full jitter."""
        base = self.throttled_backoff_s if throttled else self.backoff_s
        return rand() * min(base * 2.0 ** (attempt - 1), self.max_backoff_s)

    def may_retry(
        self, attempt: int, elapsed_s: float, delay_s: float, left_s: float | None = None
    ) -> bool:
        """Whether attempt ``attempt + 1`` may start ``delay_s`` from now, ``elapsed_s`` in, with
        ``left_s`` of the caller's deadline left now (its timeouts then shrink to the rest)."""
        if attempt >= self.attempts:
            return False
        if left_s is not None and left_s - delay_s < MIN_ATTEMPT_S:
            return False
        return self.deadline_s is None or elapsed_s + delay_s + self.read_s <= self.deadline_s

    def remaining(self, elapsed_s: float) -> float | None:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self.deadline_s is None else self.deadline_s - elapsed_s

    def timeouts(self, elapsed_s: float, left_s: float | None = None) -> tuple[float, float]:
        """``(connect, read)`` timeouts of an attempt ``elapsed_s`` into the call: the budget's,
        shrunk to what its own deadline and the caller's (``left_s``) leave."""
        caps = [cap for cap in (self.remaining(elapsed_s), left_s) if cap is not None]
        if not caps:
            return self.connect_s, self.read_s
        cap = min(caps)
        connect, read = min(self.connect_s, cap), min(self.read_s, cap)
        return max(connect, _MIN_TIMEOUT_S), max(read, _MIN_TIMEOUT_S)

    def connect_tier(self, left_s: float | None) -> float:
        """A connect timeout that fits ``left_s``, from a short ladder (the budget's, halved down
        to :data:`MIN_ATTEMPT_S`): for a client whose timeouts are fixed when it is built
        (botocore), so that a few clients cover every deadline."""
        tier = self.connect_s
        while left_s is not None and tier > left_s and tier / 2 >= MIN_ATTEMPT_S:
            tier /= 2
        return tier


SERVING = Budget(connect_s=1.0, read_s=2.0, attempts=3, deadline_s=5.0)
"""The serving path: a silent S3 costs about 4 s (two 2 s reads), well inside the 10 s timeout."""

BATCH = Budget(connect_s=2.0, read_s=15.0, attempts=3)
"""Training, the CLI and retrain: uploads of model files may wait longer for an answer."""
