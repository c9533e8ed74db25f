"""Daily candles from the exchanges through real ccxt, against recorded HTTP responses.

Only the transport under ccxt's requests session is replaced (tests/fixtures/exchange_replay.py);
the cassettes are built by hand from the bundled closes (tests/fixtures/bitstamp/README.md).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cryptonic.data import (
    DataUnavailableError,
    NotQuotedError,
    agreement,
    load_prices,
    price_source,
)
from cryptonic.data.exchange_candles import ExchangePolicy, fetch_exchange
from cryptonic.data.rate_limit import MinInterval
from cryptonic.errors import DataError
from tests.fixtures.exchange_replay import ExchangeReplayer

JANUARY = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
OHLC = "https://www.bitstamp.net/api/v2/ohlc/btcusd/"


@pytest.fixture
def policy(sleeps: list[float]) -> ExchangePolicy:
    return ExchangePolicy(min_interval=0.0, sleep=sleeps.append, jitter=lambda: 1.0)


def bundled_january() -> pd.DataFrame:
    return load_prices("BTC-USD", *JANUARY, source="bundled")


@pytest.mark.parametrize("exchange", ["bitstamp", "kraken"])
def test_candles_are_utc_days_close_to_yahoo(
    exchanges: ExchangeReplayer, policy: ExchangePolicy, exchange: str
) -> None:
    exchanges.load(f"{exchange}/markets.json", f"{exchange}/btc_usd_2024_01.json")

    frame = load_prices("BTC-USD", *JANUARY, source=exchange, exchange_policy=policy)

    assert price_source(frame) == exchange
    assert frame["date"].iloc[0] == pd.Timestamp("2024-01-01")
    assert frame["date"].iloc[-1] == pd.Timestamp("2024-01-31")
    assert len(frame) == 31
    found = agreement(bundled_january(), frame, "yahoo", exchange)
    assert found.days == 31
    assert not found.missing
    assert found.worst is not None
    assert found.worst < 0.001


def test_the_day_still_trading_is_dropped(exchanges: ExchangeReplayer, sleeps: list[float]) -> None:
    """Recorded on 2024-02-01: that day's candle is partial, never a close."""
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2024_01.json")
    today = ExchangePolicy(min_interval=0.0, sleep=sleeps.append, today=lambda: dt.date(2024, 2, 1))

    frame = fetch_exchange("bitstamp", "BTC-USD", dt.date(2024, 1, 1), None, today)

    assert frame["date"].iloc[-1] == pd.Timestamp("2024-01-31")


def test_requests_are_spaced_by_the_exchange_bound(
    exchanges: ExchangeReplayer, monkeypatch: pytest.MonkeyPatch
) -> None:
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2024_01.json")
    clock = [0.0]
    waits: list[float] = []
    bound = MinInterval(clock=lambda: clock[0], sleep=waits.append)

    from cryptonic.data import exchange_candles

    monkeypatch.setitem(exchange_candles._bounds, "bitstamp", bound)
    fetch_exchange("bitstamp", "BTC-USD", *JANUARY, ExchangePolicy(min_interval=1.5))

    assert waits == [1.5]  # markets, then the candles 1.5 s later: two requests, one wait


def test_a_stock_is_not_quoted_and_no_request_is_made(exchanges: ExchangeReplayer) -> None:
    with pytest.raises(NotQuotedError, match="bitstamp quotes crypto pairs only, not 'AAPL'"):
        fetch_exchange("bitstamp", "AAPL", *JANUARY)
    assert exchanges.seen == []


def test_a_pair_the_exchange_does_not_list(
    exchanges: ExchangeReplayer, policy: ExchangePolicy
) -> None:
    exchanges.load("bitstamp/markets.json")
    with pytest.raises(NotQuotedError, match="bitstamp does not quote SOL/USD"):
        fetch_exchange("bitstamp", "SOL-USD", *JANUARY, policy)


def test_429_is_retried_after_retry_after_then_answers(
    exchanges: ExchangeReplayer, policy: ExchangePolicy, sleeps: list[float]
) -> None:
    refused = {"status": 429, "headers": {"retry-after": "4"}, "body": {"message": "slow down"}}
    exchanges.load("bitstamp/markets.json")
    exchanges.add({"method": "GET", "url": OHLC, "params": _january_params()}, refused, times=2)
    exchanges.load("bitstamp/btc_usd_2024_01.json")

    frame = fetch_exchange("bitstamp", "BTC-USD", *JANUARY, policy)

    assert len(frame) == 31
    assert sleeps == [4.0, 4.0]  # Retry-After beats the 1 s and 2 s backoff


def test_5xx_for_ever_gives_up_naming_the_exchange(
    exchanges: ExchangeReplayer, policy: ExchangePolicy, sleeps: list[float]
) -> None:
    down = {"status": 503, "headers": {}, "body": "<html>maintenance</html>"}
    exchanges.load("bitstamp/markets.json")
    exchanges.add({"method": "GET", "url": OHLC, "params": _january_params()}, down)

    with pytest.raises(DataUnavailableError, match=r"bitstamp failed .* after 3 retries"):
        fetch_exchange("bitstamp", "BTC-USD", *JANUARY, policy)
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_wait_past_the_deadline_is_not_started(
    exchanges: ExchangeReplayer, sleeps: list[float]
) -> None:
    refused = {"status": 429, "headers": {"retry-after": "30"}, "body": "{}"}
    exchanges.add({"method": "GET", "url": "https://www.bitstamp.net/api/v2/markets/"}, refused)
    policy = ExchangePolicy(min_interval=0.0, deadline=5.0, max_wait=30.0, sleep=sleeps.append)

    with pytest.raises(DataUnavailableError, match="would pass the 5 s deadline"):
        fetch_exchange("bitstamp", "BTC-USD", *JANUARY, policy)
    assert sleeps == []


def test_candles_off_the_utc_day_are_refused(
    exchanges: ExchangeReplayer, policy: ExchangePolicy
) -> None:
    """An exchange cutting its days at another hour would shift every close against Yahoo's."""
    exchanges.load("bitstamp/markets.json")
    candle = {"high": "2", "low": "1", "open": "1", "close": "2", "volume": "1"}
    rows = [{**candle, "timestamp": str(1704067200 + 3600 + n * 86400)} for n in range(31)]
    body = {"data": {"pair": "BTC/USD", "ohlc": rows}}
    exchanges.add(
        {"method": "GET", "url": OHLC, "params": _january_params()},
        {"status": 200, "headers": {}, "body": body},
    )
    with pytest.raises(DataError, match="do not start at 00:00 UTC"):
        fetch_exchange("bitstamp", "BTC-USD", *JANUARY, policy)


def _january_params() -> dict[str, str]:
    start = 1704067200
    return {"step": "86400", "limit": "1000", "start": str(start), "end": str(start + 999 * 86400)}
