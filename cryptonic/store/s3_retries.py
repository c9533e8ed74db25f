"""botocore retries S3 calls by our error table and time budget, not by its own rules.

Why: the reader and the botocore store must retry the same answers the same number of times
within the same deadline, and botocore's standard mode can neither stop at a deadline nor
retry S3's ``409 ConditionalRequestConflict``. The client is built with botocore's retries off
(one attempt) and this handler on its public ``needs-retry`` event decides instead; botocore's
region redirector, on the same event, keeps working.

The same handlers give each attempt what is left of the caller's deadline
(:mod:`cryptonic.store.deadline`, read in the calling thread: botocore runs the handlers there):
its read timeout through the ``read_timeout`` of the request context, which botocore's HTTP
session reads per request, and no retry that the deadline leaves no time for.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cryptonic.store.budget import Budget
from cryptonic.store.deadline import remaining
from cryptonic.store.s3_errors import S3Failure, rule_for

__all__ = ["BudgetRetries"]

_STARTED = "cryptonic_started_at"
_READ_TIMEOUT = "read_timeout"
"""The request-context key botocore's HTTP session takes a per-request read timeout from."""


class BudgetRetries:
    """Event handlers that make a botocore S3 client retry as :class:`Budget` says."""

    def __init__(self, budget: Budget, clock: Callable[[], float] = time.monotonic) -> None:
        self._budget = budget
        self._clock = clock

    def register(self, events: Any) -> None:
        events.register("before-call.s3", self._started)
        events.register("needs-retry.s3", self._needs_retry)

    def _started(self, context: dict[str, Any], **_: Any) -> None:
        context[_STARTED] = self._clock()
        self._shrink(context, 0.0, remaining(clock=self._clock))

    def _shrink(self, context: dict[str, Any], elapsed_s: float, left_s: float | None) -> None:
        """The next attempt's read timeout: what the caller's deadline leaves (none: the
        client's own, which the budget's deadline already fits)."""
        if left_s is not None:
            context[_READ_TIMEOUT] = self._budget.timeouts(elapsed_s, left_s)[1]

    def _needs_retry(
        self,
        response: tuple[Any, dict[str, Any]] | None,
        attempts: int,
        caught_exception: BaseException | None,
        request_dict: dict[str, Any],
        **_: Any,
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` (no retry from us)."""
        from botocore.exceptions import ConnectionError, HTTPClientError

        if caught_exception is not None:
            if not isinstance(caught_exception, ConnectionError | HTTPClientError):
                return None
            throttled = False
        elif response is not None and response[0] is not None:
            status = int(response[0].status_code)
            if status < 300:
                return None
            error = response[1].get("Error", {})
            rule = rule_for(S3Failure.of(status, str(error.get("Code", ""))))
            if not rule.retry:
                return None
            throttled = rule.throttled
        else:
            return None
        delay = self._budget.backoff(attempts, throttled=throttled)
        context = request_dict.get("context", {})
        started = context.get(_STARTED)
        elapsed = 0.0 if started is None else self._clock() - started
        left = remaining(clock=self._clock)
        if not self._budget.may_retry(attempts, elapsed, delay, left):
            return None
        self._shrink(context, elapsed + delay, None if left is None else left - delay)
        return delay
