"""The chain of sources (``DATA_SOURCES``) on recorded responses: Yahoo refusing every request
and the exchanges' candles taking over, and what the frame says about where it came from."""

from __future__ import annotations

import datetime as dt
import logging

import pandas as pd
import pytest

from cryptonic.data import DataUnavailableError, YahooPolicy, load_prices, passed_over, price_source
from cryptonic.data.exchange_candles import ExchangePolicy
from cryptonic.data.sources import chain_budget, steps_of
from tests.fixtures.exchange_replay import ExchangeReplayer
from tests.fixtures.yahoo.replay import Replayer

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.sort_index")

JANUARY = (dt.date(2024, 1, 1), dt.date(2024, 1, 31))
OHLC = "https://www.bitstamp.net/api/v2/ohlc/btcusd/"


@pytest.fixture
def policies(sleeps: list[float]) -> dict[str, object]:
    return {
        "policy": YahooPolicy(min_interval=0.0, rate_limit_retries=2, sleep=sleeps.append),
        "exchange_policy": ExchangePolicy(min_interval=0.0, sleep=sleeps.append),
    }


def test_yahoo_refusing_every_request_falls_back_to_the_exchange(
    yahoo: Replayer,
    exchanges: ExchangeReplayer,
    policies: dict[str, object],
    caplog: pytest.LogCaptureFixture,
) -> None:
    yahoo.load("btc_usd_429_always.json")
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2024_01.json")

    with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
        frame = load_prices("BTC-USD", *JANUARY, source="yahoo,bitstamp", **policies)  # type: ignore[arg-type]

    assert price_source(frame) == "bitstamp"
    assert len(frame) == 31
    assert frame["date"].iloc[-1] == pd.Timestamp("2024-01-31")
    [why] = passed_over(frame)
    assert why.startswith("yahoo: Yahoo Finance rate-limited 'BTC-USD' (HTTP 429")
    assert "using the exchange bitstamp (2024-01-01..2024-01-31) instead" in caplog.text
    assert yahoo.requests_to("/v8/finance/chart/BTC-USD")  # Yahoo was asked first


def test_the_next_exchange_answers_when_the_first_is_down(
    yahoo: Replayer, exchanges: ExchangeReplayer, policies: dict[str, object]
) -> None:
    yahoo.load("btc_usd_429_always.json")
    down = {"status": 503, "headers": {}, "body": "<html>maintenance</html>"}
    exchanges.add({"method": "GET", "url": "https://www.bitstamp.net/api/v2/markets/"}, down)
    exchanges.load("kraken/markets.json", "kraken/btc_usd_2024_01.json")

    frame = load_prices("BTC-USD", *JANUARY, source="yahoo,bitstamp,kraken", **policies)  # type: ignore[arg-type]

    assert price_source(frame) == "kraken"
    assert [why.split(":")[0] for why in passed_over(frame)] == ["yahoo", "bitstamp"]


def test_no_source_answering_names_every_source_and_why(
    yahoo: Replayer, exchanges: ExchangeReplayer, policies: dict[str, object]
) -> None:
    yahoo.load("btc_usd_429_always.json")
    down = {"status": 503, "headers": {}, "body": "<html>maintenance</html>"}
    exchanges.add({"method": "GET", "url": "https://www.bitstamp.net/api/v2/markets/"}, down)

    with pytest.raises(DataUnavailableError) as caught:
        load_prices("BTC-USD", *JANUARY, source="yahoo,bitstamp", **policies)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith("no price source answered for 'BTC-USD' (yahoo, bitstamp): yahoo: ")
    assert "; bitstamp: bitstamp failed" in message


def test_yahoo_answering_is_used_and_no_exchange_is_asked(
    yahoo: Replayer, exchanges: ExchangeReplayer, policies: dict[str, object]
) -> None:
    yahoo.load("btc_usd_2024_01.json")

    frame = load_prices("BTC-USD", *JANUARY, source="yahoo,bitstamp,kraken", **policies)  # type: ignore[arg-type]

    assert price_source(frame) == "yahoo"
    assert passed_over(frame) == ()
    assert exchanges.seen == []


def test_a_stock_passes_the_exchanges_by(
    yahoo: Replayer, exchanges: ExchangeReplayer, policies: dict[str, object]
) -> None:
    yahoo.load("aapl_2024_01.json")

    frame = load_prices("AAPL", *JANUARY, source="yahoo,bitstamp,kraken", **policies)  # type: ignore[arg-type]

    assert price_source(frame) == "yahoo"
    assert exchanges.seen == []


def test_yahoo_is_quick_only_when_a_fallback_serves_the_ticker() -> None:
    assert [(s.name, s.quick) for s in steps_of("yahoo,bitstamp,kraken", "BTC-USD")] == [
        ("yahoo", True),
        ("bitstamp", True),
        ("kraken", False),
    ]
    assert [s.quick for s in steps_of("yahoo,bitstamp,kraken", "AAPL")] == [False, False, False]
    # The chain fits the refresh's per-ticker budget: 8 s + 20 s + 45 s, or Yahoo's 60 s alone.
    assert chain_budget("yahoo,bitstamp,kraken", "BTC-USD") == 73.0
    assert chain_budget("yahoo,bitstamp,kraken", "AAPL") == 60.0
    assert chain_budget("yahoo", "BTC-USD") == 60.0
