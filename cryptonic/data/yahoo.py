"""Daily prices from Yahoo Finance through yfinance, with retries and a clear failure.

Two kinds of failure must stay apart, because ``auto`` mode reacts differently to them:
``DataUnavailableError`` (network down, rate limit, Yahoo down or changed: worth retrying and
worth falling back to the bundled snapshot) and a plain ``DataError`` (Yahoo answered and has
no prices for that symbol or range: retrying or substituting other data would hide a typo).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from cryptonic.data.fetching import (
    OFFLINE_ENV,
    backoff_wait,
    call_with_deadline,
    drop_unfinished_day,
    offline,
    utc_today,
)
from cryptonic.data.frame import standardize
from cryptonic.data.rate_limit import YAHOO_REQUESTS, MinInterval
from cryptonic.data.source_errors import DataUnavailableError
from cryptonic.errors import DataError

log = logging.getLogger("cryptonic.data")

WORKER_THREAD_NAME: Final = "cryptonic-yahoo-fetch"


class YahooRateLimitedError(DataUnavailableError):
    """Yahoo kept answering 429 Too Many Requests through the whole retry budget.

    A ``DataUnavailableError`` (worth retrying later, worth the bundled fallback); its own class
    so a fan-out consumer can tell "slow down" from "Yahoo is down".
    """

    def __init__(self, message: str, *, retries: int, retry_after: float | None) -> None:
        super().__init__(message)
        self.retries = retries
        self.retry_after = retry_after


class _RateLimitedError(Exception):
    """One fetch answered 429 (internal: the retry loop turns it into a wait or the error)."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("HTTP 429 Too Many Requests")
        self.retry_after = retry_after


@dataclass(frozen=True)
class YahooPolicy:
    """How hard to try Yahoo before giving up.

    ``timeout`` bounds each chart request, but yfinance's cookie/crumb requests use their own
    30 s timeouts, so only ``deadline`` (the whole fetch, all attempts, in a worker thread)
    bounds the wait on a network that drops packets instead of refusing them.

    ``attempts`` and ``base_delay`` are for failures to get an answer. A 429 is an answer
    ("slow down"), so it has its own budget: up to ``rate_limit_retries`` retries, waiting
    ``rate_limit_delay * 2**(n-1)`` s before retry ``n``, scaled by a jitter factor in
    [0.5, 1) so that fanned-out invocations rate-limited together do not come back together,
    and never less than Yahoo's ``Retry-After``; every wait is capped at ``max_rate_limit_wait``,
    and one that would end past ``deadline`` is not started. ``min_interval`` is the least time
    between two Yahoo HTTP requests of this process (through ``rate_bound``, process-wide).
    ``sleep`` serves both backoffs, ``clock`` measures the deadline, ``jitter`` draws in [0, 1).
    """

    attempts: int = 3
    base_delay: float = 1.0
    timeout: float = 10.0
    deadline: float | None = None
    min_interval: float = 1.0
    rate_limit_retries: int = 4
    rate_limit_delay: float = 2.0
    max_rate_limit_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    today: Callable[[], dt.date] = field(default=utc_today, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)
    rate_bound: MinInterval = field(default=YAHOO_REQUESTS, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.base_delay < 0 or self.timeout <= 0:
            raise ValueError("base_delay must be >= 0 and timeout > 0")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError(f"deadline must be positive, got {self.deadline}")
        if self.min_interval < 0 or self.rate_limit_retries < 0:
            raise ValueError("min_interval and rate_limit_retries must be >= 0")
        if self.rate_limit_delay < 0 or self.max_rate_limit_wait < 0:
            raise ValueError("rate_limit_delay and max_rate_limit_wait must be >= 0")

    def rate_limit_wait(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before 429 retry number ``retry`` (1-based); see the class doc."""
        return backoff_wait(
            retry,
            retry_after,
            delay=self.rate_limit_delay,
            cap=self.max_rate_limit_wait,
            jitter=self.jitter(),
        )


DEFAULT_POLICY: Final = YahooPolicy(deadline=60.0)
"""``source="yahoo"``: the caller wants Yahoo's data, so be patient (1 s, 2 s backoff), but not
forever: on a network that drops packets one yfinance attempt takes 70 s (measured)."""

AUTO_POLICY: Final = YahooPolicy(attempts=1, timeout=5.0, deadline=8.0)
"""``source="auto"``: a fallback exists, so one quick try, and never more than 8 s."""


def fetch_yahoo(
    ticker: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    policy: YahooPolicy = DEFAULT_POLICY,
) -> pd.DataFrame:
    """Standardized (not yet validated) daily prices of ``ticker``, ``start``..``end`` inclusive.

    Raises ``DataUnavailableError`` when Yahoo cannot be reached after ``policy.attempts`` tries
    or within ``policy.deadline`` (``YahooRateLimitedError`` when it kept answering 429 through
    ``policy.rate_limit_retries`` retries), and ``DataError`` when Yahoo has no prices to give.
    Every HTTP request yfinance makes for it waits on ``policy.rate_bound`` (see yahoo_http).
    """
    if offline():
        raise DataUnavailableError(f"{OFFLINE_ENV}=1: not calling Yahoo Finance for {ticker!r}")

    def run() -> pd.DataFrame:
        return _fetch_with_retries(ticker, start, end, policy)

    frame = (
        run()
        if policy.deadline is None
        else call_with_deadline(run, policy.deadline, "Yahoo Finance", ticker, WORKER_THREAD_NAME)
    )
    return drop_unfinished_day(frame, policy.today())


def _fetch_with_retries(
    ticker: str, start: dt.date | None, end: dt.date | None, policy: YahooPolicy
) -> pd.DataFrame:
    failure: DataUnavailableError | None = None
    began = policy.clock()
    retries = 0
    attempt = 1
    while attempt <= policy.attempts:
        try:
            return _fetch_once(ticker, start, end, policy)
        except _RateLimitedError as exc:
            # Not an attempt used up: Yahoo answered, and said when to come back.
            retries += 1
            _wait_out_rate_limit(ticker, policy, retries, exc.retry_after, began)
            continue
        except DataUnavailableError as exc:
            failure = exc
            if attempt < policy.attempts:
                delay = policy.base_delay * 2 ** (attempt - 1)
                log.warning(
                    "Yahoo Finance attempt %d/%d for %r failed (%s); retrying in %g s",
                    attempt,
                    policy.attempts,
                    ticker,
                    exc,
                    delay,
                )
                policy.sleep(delay)
        attempt += 1
    tries = "1 attempt" if policy.attempts == 1 else f"{policy.attempts} attempts"
    raise DataUnavailableError(
        f"Yahoo Finance is unavailable for {ticker!r} after {tries}: {failure}"
    ) from failure


def _wait_out_rate_limit(
    ticker: str, policy: YahooPolicy, retry: int, retry_after: float | None, began: float
) -> None:
    """Sleep before 429 retry ``retry``, or raise when the budget or the deadline is spent."""
    said = "" if retry_after is None else f"; last Retry-After {retry_after:g} s"
    done = retry - 1
    if retry > policy.rate_limit_retries:
        raise YahooRateLimitedError(
            f"Yahoo Finance rate-limited {ticker!r} (HTTP 429 Too Many Requests) after "
            f"{_retries(done)}{said}",
            retries=done,
            retry_after=retry_after,
        )
    wait = policy.rate_limit_wait(retry, retry_after)
    if policy.deadline is not None and policy.clock() - began + wait > policy.deadline:
        raise YahooRateLimitedError(
            f"Yahoo Finance rate-limited {ticker!r} (HTTP 429 Too Many Requests) after "
            f"{_retries(done)}{said}: waiting {wait:g} s more would pass the "
            f"{policy.deadline:g} s deadline",
            retries=done,
            retry_after=retry_after,
        )
    log.warning(
        "Yahoo Finance rate-limited %r (HTTP 429%s); retry %d/%d in %.3g s",
        ticker,
        said,
        retry,
        policy.rate_limit_retries,
        wait,
    )
    policy.sleep(wait)


def _retries(count: int) -> str:
    return "1 retry" if count == 1 else f"{count} retries"


def _fetch_once(
    ticker: str, start: dt.date | None, end: dt.date | None, policy: YahooPolicy
) -> pd.DataFrame:
    import yfinance as yf  # deferred: 0.4 s of imports that the bundled and CSV paths never need

    from cryptonic.data.yahoo_http import observing, polite_session

    # yfinance's end is exclusive; without a start it would fetch one month, so ask for "max".
    window: dict[str, Any] = {"start": start} if start is not None else {"period": "max"}
    if end is not None:
        window["end"] = end + dt.timedelta(days=1)
    with _yfinance_raises(), observing(policy.rate_bound, policy.min_interval) as seen:
        _forget_cached_responses()
        try:
            history = yf.Ticker(ticker, session=polite_session()).history(
                interval="1d",
                auto_adjust=False,
                actions=False,
                timeout=policy.timeout,
                **window,
            )
        except Exception as exc:
            if _means_rate_limited(exc):
                raise _RateLimitedError(seen.retry_after) from exc
            if _means_no_data(exc):
                raise _no_prices(ticker, start, end, _yahoo_reason(exc)) from exc
            raise DataUnavailableError(f"{type(exc).__name__}: {_first_line(exc)}") from exc
    if not isinstance(history, pd.DataFrame) or history.empty:
        raise _no_prices(ticker, start, end, None)
    return standardize(history, ticker=ticker)


def _no_prices(
    ticker: str, start: dt.date | None, end: dt.date | None, reason: str | None
) -> DataError:
    span = f"{start or 'first trade'}..{end or 'today'}"
    said = f" (Yahoo said: {reason})" if reason else ""
    return DataError(
        f"Yahoo Finance returned no prices for {ticker!r} in {span}: "
        f"unknown ticker or no data in range{said}"
    )


def _means_rate_limited(exc: Exception) -> bool:
    """Yahoo answered 429: yfinance 1.x raises ``YFRateLimitError`` when the chart request is
    still 429 after its own second try; ``get_raw_json`` paths raise an HTTPError with it."""
    from yfinance.exceptions import YFRateLimitError

    if isinstance(exc, YFRateLimitError):
        return True
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) == 429


def _means_no_data(exc: Exception) -> bool:
    """Yahoo answered "nothing here" (as opposed to not answering)."""
    from yfinance.exceptions import YFTickerMissingError

    if isinstance(exc, YFTickerMissingError):
        return True
    # quoteSummary answers 404 for unknown symbols; yfinance re-raises it as an HTTPError.
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None) == 404


def _yahoo_reason(exc: Exception) -> str:
    """Yahoo's own words when its error JSON came back, e.g. "Quote not found for symbol: X"."""
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        for part in body.values():
            error = part.get("error") if isinstance(part, dict) else None
            if isinstance(error, dict) and error.get("description"):
                return str(error["description"])
    return _first_line(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no message"


_config_lock = threading.Lock()
_config_users = 0
_saved_hide_exceptions: Any = None


@contextmanager
def _yfinance_raises() -> Iterator[None]:
    """Make yfinance raise instead of logging and returning an empty frame.

    With its default ``hide_exceptions`` a dropped connection and an unknown symbol both come
    back as an empty frame, and the retry/fallback decision would be a guess. The history()
    argument ``raise_errors`` is deprecated in yfinance 1.x and does not reach the timezone
    lookup, so the global switch is flipped for the duration of our calls and restored after.
    """
    import yfinance as yf

    global _config_users, _saved_hide_exceptions
    with _config_lock:
        if _config_users == 0:
            _saved_hide_exceptions = yf.config.debug.hide_exceptions
            yf.config.debug.hide_exceptions = False
        _config_users += 1
    try:
        yield
    finally:
        with _config_lock:
            _config_users -= 1
            if _config_users == 0:
                yf.config.debug.hide_exceptions = _saved_hide_exceptions


def _forget_cached_responses() -> None:
    """Drop yfinance's in-process response cache so a retry really asks Yahoo again.

    yfinance memoizes responses for past date ranges, including a failed page whose JSON it
    cannot parse; without this, attempts 2 and 3 would replay attempt 1's failure.
    """
    from yfinance.data import YfData

    clear = getattr(YfData.cache_get, "cache_clear", None)
    if callable(clear):
        clear()
