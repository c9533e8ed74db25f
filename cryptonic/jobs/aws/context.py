"""How much time the invocation has left: read from the Lambda context, the one thing the
handlers pass down besides the event.

Lambda stops an invocation at its timeout without a word: a ticker started with too little time
left dies half done, and in an SQS batch takes the batch's other results with it. So each ticker
starts only if the time left can hold it (else SQS delivers it again later, nothing lost), and
its store calls take their time from what is left (cryptonic.store.deadline).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["TimeLeft", "no_limit", "time_left_of"]

TimeLeft = Callable[[], float | None]
"""Seconds the invocation has left; None: no limit (the CLI, a test without a context)."""


def no_limit() -> float | None:
    """Outside Lambda: no limit."""
    return None


def time_left_of(context: Any) -> TimeLeft:
    """The time left of the invocation ``context`` describes (Lambda's ``LambdaContext``, or any
    object with ``get_remaining_time_in_millis``); no limit without one."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(remaining):
        return no_limit

    def left() -> float | None:
        return float(remaining()) / 1000.0

    return left
