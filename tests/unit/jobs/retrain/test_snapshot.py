"""The retrain's price snapshot: the CSV it publishes names it, and too short a history is
refused before anything trains."""

from __future__ import annotations

import hashlib

import pytest

from cryptonic.config import Settings
from cryptonic.errors import CryptonicError
from cryptonic.jobs.retrain.snapshot import load_snapshot
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.retrain import TINY_SETTINGS


def test_the_snapshot_is_the_csv_it_publishes(prices_csv):
    settings = Settings(**TINY_SETTINGS, data_source=str(prices_csv))
    snapshot = load_snapshot(settings, "BTC-USD", ModelSpec.from_settings(settings))
    assert len(snapshot.dates) == snapshot.closes.size == snapshot.info.rows == 300
    assert (snapshot.info.start, snapshot.info.end) == (snapshot.dates[0], snapshot.dates[-1])
    assert snapshot.end == snapshot.dates[-1].isoformat()
    assert (snapshot.info.source, snapshot.info.calendar) == (str(prices_csv), "D")
    assert snapshot.info.sha256 == hashlib.sha256(snapshot.csv).hexdigest()


def test_too_short_a_history_for_the_backtest_is_refused(prices_csv):
    settings = Settings(**{**TINY_SETTINGS, "backtest_weeks": 52}, data_source=str(prices_csv))
    with pytest.raises(CryptonicError):
        load_snapshot(settings, "BTC-USD", ModelSpec.from_settings(settings))


def test_the_snapshot_records_the_source_that_fed_it_and_why_the_first_did_not(
    yahoo, exchanges, monkeypatch
):
    """Yahoo refusing every request, Bitstamp's recorded candles: the manifest's data section
    names bitstamp, the chain, and Yahoo's refusal (tests/fixtures/bitstamp)."""
    import datetime as dt

    from cryptonic.config import Settings, get_settings
    from cryptonic.jobs.retrain.snapshot import load_snapshot
    from cryptonic.training.model.spec import ModelSpec

    monkeypatch.setenv("YAHOO_MAX_RETRIES", "0")
    monkeypatch.setenv("EXCHANGE_MIN_INTERVAL_SECONDS", "0")
    get_settings.cache_clear()
    yahoo.load("btc_usd_429_always.json")
    exchanges.load("bitstamp/markets.json", "bitstamp/btc_usd_2023_01_17.json")
    settings = Settings(
        data_source="yahoo,bitstamp",
        start_date=dt.date(2023, 1, 17),
        end_date=dt.date(2024, 1, 31),
        backtest_weeks=4,
        lookback_weeks=2,
        yahoo_max_retries=0,
        exchange_min_interval_seconds=0.0,
    )

    snapshot = load_snapshot(settings, "BTC-USD", ModelSpec.from_settings(settings))

    info = snapshot.info
    assert (info.source, info.chain, info.rows) == ("bitstamp", ["yahoo", "bitstamp"], 380)
    assert info.passed_over is not None
    [why] = info.passed_over
    assert why.startswith("yahoo: Yahoo Finance rate-limited 'BTC-USD'")
    assert info.cross_checks == []  # Yahoo still refused the cross-check: nothing to compare
    assert b"2024-01-31" in snapshot.csv
