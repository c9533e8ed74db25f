"""Daily prices from Yahoo Finance through yfinance, with retries and a clear failure.

Two kinds of failure must stay apart, because ``auto`` mode reacts differently to them:
``DataUnavailableError`` (network down, rate limit, Yahoo down or changed: worth retrying and
worth falling back to the bundled snapshot) and a plain ``DataError`` (Yahoo answered and has
no prices for that symbol or range: retrying or substituting other data would hide a typo).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import pandas as pd

from cryptonic.data.frame import standardize
from cryptonic.errors import DataError

log = logging.getLogger("cryptonic.data")

T = TypeVar("T")

OFFLINE_ENV: Final = "CRYPTONIC_OFFLINE"
"""Set to 1 to never call Yahoo: ``auto`` goes straight to the bundled snapshot."""

WORKER_THREAD_NAME: Final = "cryptonic-yahoo-fetch"


class DataUnavailableError(DataError):
    """Yahoo Finance could not be asked (network, rate limit, outage, deadline)."""

    code = "data_unavailable"


@dataclass(frozen=True)
class YahooPolicy:
    """How hard to try Yahoo before giving up.

    ``timeout`` bounds each chart request, but yfinance's cookie/crumb requests use their own
    30 s timeouts, so only ``deadline`` (the whole fetch, all attempts, in a worker thread)
    bounds the wait on a network that drops packets instead of refusing them.
    """

    attempts: int = 3
    base_delay: float = 1.0
    timeout: float = 10.0
    deadline: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    today: Callable[[], dt.date] = field(default=lambda: dt.datetime.now(dt.UTC).date(), repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, got {self.attempts}")
        if self.base_delay < 0 or self.timeout <= 0:
            raise ValueError("base_delay must be >= 0 and timeout > 0")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError(f"deadline must be positive, got {self.deadline}")


DEFAULT_POLICY: Final = YahooPolicy(deadline=60.0)
"""``source="yahoo"``: the caller wants Yahoo's data, so be patient (1 s, 2 s backoff), but not
forever: on a network that drops packets one yfinance attempt takes 70 s (measured)."""

AUTO_POLICY: Final = YahooPolicy(attempts=1, timeout=5.0, deadline=8.0)
"""``source="auto"``: a fallback exists, so one quick try, and never more than 8 s."""


def offline() -> bool:
    """Whether ``CRYPTONIC_OFFLINE`` asks us not to touch the network."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def fetch_yahoo(
    ticker: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    policy: YahooPolicy = DEFAULT_POLICY,
) -> pd.DataFrame:
    """Standardized (not yet validated) daily prices of ``ticker``, ``start``..``end`` inclusive.

    Raises ``DataUnavailableError`` when Yahoo cannot be reached after ``policy.attempts`` tries
    or within ``policy.deadline``, and ``DataError`` when Yahoo has no prices to give.
    """
    if offline():
        raise DataUnavailableError(f"{OFFLINE_ENV}=1: not calling Yahoo Finance for {ticker!r}")

    def run() -> pd.DataFrame:
        return _fetch_with_retries(ticker, start, end, policy)

    frame = run() if policy.deadline is None else _call_with_deadline(run, policy.deadline, ticker)
    return drop_unfinished_day(frame, policy.today())


def drop_unfinished_day(frame: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Without the bar of ``today`` or later: while the day trades, its "close" is just the last
    price, and training on it (or hashing it into a snapshot) would change under our feet."""
    finished = frame["date"].dt.date < today
    if not finished.all():
        log.info("dropping %d unfinished daily bar(s) from %s on", (~finished).sum(), today)
    kept: pd.DataFrame = frame.loc[finished].reset_index(drop=True)
    return kept


def _fetch_with_retries(
    ticker: str, start: dt.date | None, end: dt.date | None, policy: YahooPolicy
) -> pd.DataFrame:
    failure: DataUnavailableError | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            return _fetch_once(ticker, start, end, policy.timeout)
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
    tries = "1 attempt" if policy.attempts == 1 else f"{policy.attempts} attempts"
    raise DataUnavailableError(
        f"Yahoo Finance is unavailable for {ticker!r} after {tries}: {failure}"
    ) from failure


def _fetch_once(
    ticker: str, start: dt.date | None, end: dt.date | None, timeout: float
) -> pd.DataFrame:
    import yfinance as yf  # deferred: 0.4 s of imports that the bundled and CSV paths never need

    # yfinance's end is exclusive; without a start it would fetch one month, so ask for "max".
    window: dict[str, Any] = {"start": start} if start is not None else {"period": "max"}
    if end is not None:
        window["end"] = end + dt.timedelta(days=1)
    with _yfinance_raises():
        _forget_cached_responses()
        try:
            history = yf.Ticker(ticker).history(
                interval="1d",
                auto_adjust=False,
                actions=False,
                timeout=timeout,
                **window,
            )
        except Exception as exc:
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


def _call_with_deadline(run: Callable[[], T], deadline: float, ticker: str) -> T:
    """``run()`` in a daemon thread, abandoned after ``deadline`` seconds.

    curl cannot be interrupted from Python, so a late worker is left to finish on its own (it
    is a daemon thread: it never keeps the process alive).
    """
    future: Future[T] = Future()

    def work() -> None:
        try:
            future.set_result(run())
        except BaseException as exc:  # handed to the caller, re-raised there
            future.set_exception(exc)

    threading.Thread(target=work, name=WORKER_THREAD_NAME, daemon=True).start()
    try:
        return future.result(timeout=deadline)
    except TimeoutError:
        raise DataUnavailableError(
            f"Yahoo Finance did not answer for {ticker!r} within {deadline:g} s"
        ) from None
