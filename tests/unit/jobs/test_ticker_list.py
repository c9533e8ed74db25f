"""tickers.json: parsed strictly, merged after TICKERS, and a broken file never costs TICKERS."""

from __future__ import annotations

import re

import pytest

from cryptonic.config import Settings
from cryptonic.jobs.ticker_list import TICKERS_FILE, parse_ticker_file, run_tickers


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"tickers": ["aapl", "ETH-USD", "AAPL"]}, ["AAPL", "ETH-USD"]),
        (["^gspc", "eurusd=x"], ["^GSPC", "EURUSD=X"]),
        ({"tickers": []}, []),
    ],
)
def test_a_ticker_file_is_normalized_and_deduplicated(document, expected):
    assert parse_ticker_file(document) == expected


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"symbols": ["AAPL"]}, "unknown keys ['symbols']"),
        ({"tickers": "AAPL"}, 'expected {"tickers"'),
        ({"tickers": ["AAPL", "no spaces", 7]}, "not Yahoo Finance symbols: 'no spaces', 7"),
        ("AAPL", 'expected {"tickers"'),
    ],
)
def test_a_bad_ticker_file_says_what_is_wrong(document, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_ticker_file(document)


def test_run_tickers_puts_the_parameter_first_then_the_file(local_store):
    settings = Settings(tickers=["BTC-USD", "ETH-USD"])
    assert run_tickers(settings, local_store).tickers == ["BTC-USD", "ETH-USD"]  # no file yet
    local_store.put_json(TICKERS_FILE, {"tickers": ["AAPL", "btc-usd"]})
    listed = run_tickers(settings, local_store)
    assert listed.tickers == ["BTC-USD", "ETH-USD", "AAPL"]
    assert listed.from_file == ["AAPL", "BTC-USD"]
    assert listed.problem is None
    assert run_tickers(settings, local_store, ["MSFT"]).tickers == ["MSFT"]  # asked for: only it


def test_a_ticker_asked_for_twice_is_run_once(local_store):
    twice = run_tickers(Settings(), local_store, ["LIVE-USD", "AAPL", "LIVE-USD"])
    assert twice.tickers == ["LIVE-USD", "AAPL"]


def test_a_broken_file_keeps_the_parameters_tickers_and_names_the_problem(local_store):
    local_store.put_bytes(TICKERS_FILE, b"{not json")
    listed = run_tickers(Settings(tickers=["BTC-USD"]), local_store)
    assert listed.tickers == ["BTC-USD"]
    assert listed.problem is not None
    assert listed.problem.startswith(
        f"{local_store.uri}/{TICKERS_FILE} is not usable: the file is not JSON"
    )
