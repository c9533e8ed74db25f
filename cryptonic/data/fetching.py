"""What every network price source shares: a deadline on the whole fetch, a polite backoff
between retries, and leaving out the day that is still trading.

Yahoo Finance and the exchanges fail the same ways (429 Too Many Requests, 5xx, connections that
hang) and must give up the same way: within a deadline that fits the Lambda function's timeout, so
that the next source of the chain still has time to answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Final, TypeVar

import pandas as pd

from cryptonic.data.source_errors import DataUnavailableError

log = logging.getLogger("cryptonic.data")

T = TypeVar("T")

OFFLINE_ENV: Final = "CRYPTONIC_OFFLINE"
"""Set to 1 to never touch the network: ``auto`` goes straight to the bundled snapshot, and the
exchanges are not asked."""


def offline() -> bool:
    """Whether ``CRYPTONIC_OFFLINE`` asks us not to touch the network."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def backoff_wait(
    retry: int, retry_after: float | None, *, delay: float, cap: float, jitter: float
) -> float:
    """Seconds to wait before retry number ``retry`` (1-based): ``delay * 2**(retry-1)`` capped
    at ``cap``, scaled by ``0.5 + 0.5 * jitter`` (``jitter`` in [0, 1)) so that fanned-out
    invocations refused together do not come back together, and never less than the server's
    ``Retry-After`` (itself capped at ``cap``)."""
    backoff = min(cap, delay * 2.0 ** (retry - 1))
    jittered = backoff * (0.5 + 0.5 * jitter)
    if retry_after is None:
        return jittered
    return max(jittered, min(retry_after, cap))


def call_with_deadline(
    run: Callable[[], T], deadline: float, source: str, ticker: str, thread_name: str
) -> T:
    """``run()`` in a daemon thread, abandoned after ``deadline`` seconds.

    Neither curl nor a blocked socket read can be interrupted from Python, so a late worker is
    left to finish on its own (it is a daemon thread: it never keeps the process alive).
    The error names the ``source`` (e.g. ``Yahoo Finance``) and the ``ticker``.
    """
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(run())
        except BaseException as exc:  # handed to the caller, re-raised there
            future.set_exception(exc)

    threading.Thread(target=work, name=thread_name, daemon=True).start()
    try:
        return future.result(timeout=deadline)
    except TimeoutError:
        raise DataUnavailableError(
            f"{source} did not answer for {ticker!r} within {deadline:g} s"
        ) from None


def drop_unfinished_day(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Without the bar of ``today`` or later: while the day trades, its "close" is just the last
    price, and training on it (or hashing it into a snapshot) would change under our feet."""
    finished = frame["date"].dt.date < today
    if not finished.all():
        log.info("dropping %d unfinished daily bar(s) from %s on", (~finished).sum(), today)
    kept: pd.DataFrame = frame.loc[finished].reset_index(drop=True)
    return kept


def utc_today() -> dt.date:
    """Today's UTC date: crypto's daily bars are UTC days."""
    return dt.datetime.now(dt.UTC).date()
