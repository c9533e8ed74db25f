"""A deadline above the per-call budget: one for a whole request, a cold start or a job step.

A :class:`~cryptonic.store.budget.Budget` bounds one store call; a request that makes five calls
could still take five budgets, and a cold start that warms several tickers more still, past
Lambda's limits. So the caller that knows how long it has (the Lambda context's remaining time,
or a setting) opens a :func:`deadline`, and every store call inside it takes at most what is left:
its timeouts shrink to the time remaining, and a call that finds no time left fails at once
with :class:`~cryptonic.errors.StoreUnavailableError` instead of waiting (the API answers 503,
the model in memory keeps serving).

The deadline lives in a context variable: it follows the code that opened it, into coroutines and
into threads started with the current context (Starlette's thread pool copies it; a
``ThreadPoolExecutor`` does not: submit ``contextvars.copy_context().run``). Nested deadlines keep
the earlier end. Standard library only: the serving cold start imports it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar

from cryptonic.errors import StoreUnavailableError

__all__ = ["deadline", "remaining", "require_time"]

Clock = Callable[[], float]

_ENDS_AT: ContextVar[float | None] = ContextVar("cryptonic_store_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds: float | None, *, clock: Clock = time.monotonic) -> Iterator[None]:
    """Store calls inside take at most ``seconds`` from now in all (``None``: no new limit)."""
    if seconds is None:
        yield
        return
    ends_at = clock() + max(0.0, seconds)
    outer = _ENDS_AT.get()
    token = _ENDS_AT.set(ends_at if outer is None else min(outer, ends_at))
    try:
        yield
    finally:
        _ENDS_AT.reset(token)


def remaining(*, clock: Clock = time.monotonic) -> float | None:
    """Seconds left before the innermost deadline (never negative); ``None`` outside one."""
    ends_at = _ENDS_AT.get()
    return None if ends_at is None else max(0.0, ends_at - clock())


def require_time(what: str, *, clock: Clock = time.monotonic) -> float | None:
    """The time left for ``what`` (a store call about to start), or StoreUnavailableError when
    the deadline has already passed: nothing is sent that could not be answered in time."""
    left = remaining(clock=clock)
    if left is not None and left <= 0.0:
        raise StoreUnavailableError(f"no time left for {what}: the request's deadline has passed")
    return left
