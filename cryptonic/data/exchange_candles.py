"""Daily candles of a crypto pair from an exchange's public market data, through ccxt.

When Yahoo Finance refuses us (429 waves that last days, datacenter ranges blocked), the same
pair's daily candles from an exchange are the closest series there is: Yahoo's crypto close is
the UTC-day close of an aggregate of exchanges, and the exchanges named in ``PRICE_EXCHANGES``
cut their daily candles at 00:00 UTC too. Only public endpoints are used (the markets list and
the OHLC candles): no key, nothing to leak.

The same manners as Yahoo's (cryptonic.data.yahoo): one process-wide spacing of request starts
per exchange, retries of a 429, a 5xx or a dropped connection with a jittered backoff that honours
``Retry-After``, and a deadline on the whole fetch (markets, every page, every wait) that fits
the function's timeout and leaves time for the next source of the chain.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final, TypeVar

import pandas as pd

from cryptonic.data.crypto_pairs import crypto_pair
from cryptonic.data.exchange_http import PoliteExchangeSession
from cryptonic.data.fetching import (
    OFFLINE_ENV,
    backoff_wait,
    call_with_deadline,
    drop_unfinished_day,
    offline,
    utc_today,
)
from cryptonic.data.frame import standardize
from cryptonic.data.rate_limit import MinInterval
from cryptonic.data.source_errors import DataUnavailableError, NotQuotedError
from cryptonic.errors import DataError

if TYPE_CHECKING:
    from ccxt.base.exchange import Exchange

log = logging.getLogger("cryptonic.data")

T = TypeVar("T")

DAY_MS: Final = 86_400_000
EARLIEST: Final = dt.date(2010, 7, 17)
"""Where a fetch without a start begins: the first day bitcoin had a market price."""
MAX_PAGES: Final = 60
"""Pages of candles one fetch may ask for (Bitstamp's whole BTC/USD history is 6)."""
DEFAULT_PAGE: Final = 500

_bounds_lock = threading.Lock()
_bounds: dict[str, MinInterval] = {}


def exchange_bound(exchange: str) -> MinInterval:
    """The one spacing of this process's requests to ``exchange`` (one per exchange: being
    polite to Kraken costs Bitstamp nothing)."""
    with _bounds_lock:
        return _bounds.setdefault(exchange, MinInterval())


@dataclass(frozen=True)
class ExchangePolicy:
    """How hard to try one exchange before the chain moves on.

    ``timeout`` bounds each request, ``deadline`` the whole fetch. A 429, a 5xx, a timeout or a
    dropped connection is retried up to ``retries`` times, waiting ``retry_delay * 2**(n-1)`` s
    (jittered, at most ``max_wait``, never less than ``Retry-After``); a wait that would end past
    the deadline is not started. ``min_interval`` spaces this process's requests to the exchange.
    """

    timeout: float = 10.0
    deadline: float = 45.0
    retries: int = 3
    retry_delay: float = 1.0
    max_wait: float = 10.0
    min_interval: float = 1.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    jitter: Callable[[], float] = field(default=random.random, repr=False)
    today: Callable[[], dt.date] = field(default=utc_today, repr=False)

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.deadline <= 0:
            raise ValueError("timeout and deadline must be positive")
        if self.retries < 0 or self.retry_delay < 0 or self.max_wait < 0 or self.min_interval < 0:
            raise ValueError("retries, retry_delay, max_wait and min_interval must be >= 0")


LAST_EXCHANGE_POLICY: Final = ExchangePolicy()
"""The chain's last hope: patient, within 45 s."""
QUICK_EXCHANGE_POLICY: Final = ExchangePolicy(deadline=20.0, retries=2)
"""Another source follows: 20 s at most, so the chain still fits the function's budget."""


def fetch_exchange(
    exchange: str,
    symbol: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
    policy: ExchangePolicy = LAST_EXCHANGE_POLICY,
) -> pd.DataFrame:
    """Standardized (not yet validated) daily candles of ``symbol``'s pair on ``exchange``,
    ``start``..``end`` inclusive, without the day still trading.

    Raises ``NotQuotedError`` when the symbol is no crypto pair or the exchange does not list
    it, ``DataUnavailableError`` when the exchange cannot be asked within the policy, and
    ``DataError`` when it answers with something other than candles.
    """
    pair = crypto_pair(symbol)
    if pair is None:
        raise NotQuotedError(f"{exchange} quotes crypto pairs only, not {symbol!r}")
    if offline():
        raise DataUnavailableError(f"{OFFLINE_ENV}=1: not calling {exchange} for {symbol!r}")
    today = policy.today()
    last = min(end, today) if end is not None else today

    def run() -> list[list[Any]]:
        return _Fetch(exchange, pair, policy).candles(start or EARLIEST, last)

    rows = call_with_deadline(run, policy.deadline, exchange, symbol, f"cryptonic-{exchange}-fetch")
    frame = _frame(rows, exchange, pair, symbol)
    return drop_unfinished_day(frame, today)


class _Fetch:
    """One fetch: an exchange object on a polite session, and the retry budget of its requests."""

    def __init__(self, exchange: str, pair: str, policy: ExchangePolicy) -> None:
        self.name, self.pair, self.policy = exchange, pair, policy
        self.session = PoliteExchangeSession(exchange_bound(exchange), policy.min_interval)
        self.api = _exchange(exchange, self.session, policy.timeout)
        self.began = policy.clock()
        self.retries = 0

    def candles(self, first: dt.date, last: dt.date) -> list[list[Any]]:
        """Every daily candle from ``first`` to ``last``, page by page."""
        self.ask(self.api.load_markets)
        if self.pair not in self.api.markets:
            raise NotQuotedError(f"{self.name} does not quote {self.pair}")
        page = _page_size(self.api)
        cursor, stop = _ms(first), _ms(last)
        rows: list[list[Any]] = []
        for _ in range(MAX_PAGES):
            if cursor > stop:
                break
            since = cursor
            got = self.ask(partial(self.api.fetch_ohlcv, self.pair, "1d", since=since, limit=page))
            fresh = [c for c in got if c[0] is not None and since <= c[0] <= stop]
            if fresh:
                rows.extend(fresh)
                cursor = int(fresh[-1][0]) + DAY_MS
            elif any(c[0] is not None and c[0] > stop for c in got) or (not got and rows):
                break  # nothing left before the end
            else:
                cursor += page * DAY_MS  # before the pair was listed: look a page later
        return rows

    def ask(self, request: Callable[[], T]) -> T:
        """``request()``, retried on a refusal or a dropped connection within the budget."""
        import ccxt

        while True:
            self.session.retry_after = None
            try:
                return request()
            except ccxt.NetworkError as exc:
                self._wait_or_give_up(exc)
            except ccxt.BaseError as exc:
                raise DataError(f"{self.name} refused {self.pair}: {_first_line(exc)}") from exc

    def _wait_or_give_up(self, exc: Exception) -> None:
        import ccxt

        self.retries += 1
        limited = isinstance(exc, ccxt.DDoSProtection | ccxt.RateLimitExceeded)
        why = "rate-limited (HTTP 429)" if limited else f"failed ({_first_line(exc)})"
        policy = self.policy
        if self.retries > policy.retries:
            raise DataUnavailableError(
                f"{self.name} {why} for {self.pair} after {policy.retries} retries"
            ) from exc
        wait = backoff_wait(
            self.retries,
            self.session.retry_after,
            delay=policy.retry_delay,
            cap=policy.max_wait,
            jitter=policy.jitter(),
        )
        if policy.clock() - self.began + wait > policy.deadline:
            raise DataUnavailableError(
                f"{self.name} {why} for {self.pair}: waiting {wait:.3g} s more would pass the "
                f"{policy.deadline:g} s deadline"
            ) from exc
        log.warning(
            "%s %s for %s; retry %d/%d in %.3g s",
            self.name,
            why,
            self.pair,
            self.retries,
            policy.retries,
            wait,
        )
        policy.sleep(wait)


def _exchange(name: str, session: PoliteExchangeSession, timeout: float) -> Exchange:
    import ccxt  # deferred: 1 s of imports Yahoo never needs

    cls = getattr(ccxt, name, None)
    if cls is None:
        raise DataError(f"ccxt has no exchange {name!r}")
    exchange: Exchange = cls(
        {"session": session, "timeout": int(timeout * 1000), "enableRateLimit": False}
    )
    return exchange


def _page_size(api: Exchange) -> int:
    """Candles per request, as ccxt documents the exchange's limit (Bitstamp 1000, Kraken 720)."""
    features = getattr(api, "features", None) or {}
    limit = ((features.get("spot") or {}).get("fetchOHLCV") or {}).get("limit")
    return int(limit) if isinstance(limit, int) and limit > 0 else DEFAULT_PAGE


def _frame(rows: list[list[Any]], exchange: str, pair: str, symbol: str) -> pd.DataFrame:
    """Candles as a frame of UTC dates; a candle that does not start at 00:00 UTC is refused
    (another day boundary would shift every close against Yahoo's)."""
    if not rows:
        raise DataError(f"{exchange} returned no daily candles of {pair} in the range asked")
    raw = pd.DataFrame(rows, columns=["ts", "open", "high", "low", "close", "volume"])
    stamps = raw["ts"].astype("int64")
    if bool((stamps % DAY_MS != 0).any()):
        raise DataError(f"{exchange}'s daily candles of {pair} do not start at 00:00 UTC")
    raw = raw.drop_duplicates("ts", keep="last").sort_values("ts")
    raw["date"] = pd.to_datetime(raw["ts"], unit="ms")
    return standardize(raw.drop(columns="ts"), ticker=symbol)


def _ms(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
