"""How long one S3 call may take: per-attempt timeouts, attempts, back-off, a deadline.

Why: the predict function has 10 s. A silent S3 used to cost exactly that (two 5 s attempts), so
the function timed out instead of answering 503 or serving the model it had loaded. Both S3
clients obey one :class:`Budget`, so serving fails in bounded time whichever client it got; the
retrain keeps long read timeouts for its uploads.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BATCH", "SERVING", "Budget"]


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

    def may_retry(self, attempt: int, elapsed_s: float, delay_s: float) -> bool:
        """Whether attempt ``attempt + 1`` may start ``delay_s`` from now, ``elapsed_s`` in."""
        if attempt >= self.attempts:
            return False
        return self.deadline_s is None or elapsed_s + delay_s + self.read_s <= self.deadline_s

    def remaining(self, elapsed_s: float) -> float | None:
        """Seconds left before the deadline (``None``: no deadline)."""
        return None if self.deadline_s is None else self.deadline_s - elapsed_s


SERVING = Budget(connect_s=1.0, read_s=2.0, attempts=3, deadline_s=5.0)
"""The serving path: a silent S3 costs about 4 s (two 2 s reads), well inside the 10 s timeout."""

BATCH = Budget(connect_s=2.0, read_s=15.0, attempts=3)
"""Training, the CLI and retrain: uploads of model files may wait longer for an answer."""
