"""The store layout's keys: normalized tickers, checked versions and artifact names."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.errors import ConfigError
from cryptonic.registry.keys import (
    artifact_key,
    calibration_key,
    champion_key,
    check_ticker,
    check_version,
    forecast_key,
    latest_key,
    parse_forecast_key,
    prices_key,
    scores_key,
    ticker_folder,
    track_record_key,
    version_prefix,
    versions_prefix,
)


@pytest.mark.parametrize(
    "bad",
    ["../x", "", "20261123T192000Z", "20261123T192000Z-1A2B3C4", "x/20261123T192000Z-1a2b3c4"],
)
def test_check_version_refuses(bad: str) -> None:
    with pytest.raises(ConfigError, match="invalid model version"):
        check_version(bad)


def test_keys() -> None:
    v = "20261123T192000Z-1a2b3c4"
    assert artifact_key("btc-usd", v, "model.tflite") == f"BTC-USD/versions/{v}/model.tflite"
    assert champion_key("eurusd=x") == "EURUSD=X/champion.json"
    assert prices_key("brk-b") == "BRK-B/prices.csv"
    with pytest.raises(ConfigError, match="invalid ticker"):
        check_ticker("../../etc")
    with pytest.raises(ConfigError, match="invalid artifact name"):
        artifact_key("BTC-USD", v, "../model.tflite")


def test_forecast_log_keys_and_their_parse() -> None:
    v = "20261123T192000Z-1a2b3c4"
    key = forecast_key("btc-usd", dt.date(2026, 11, 24), v)
    assert key == f"forecasts/BTC-USD/2026-11-24/{v}.json"
    assert parse_forecast_key(key, "BTC-USD") == (dt.date(2026, 11, 24), v)
    assert latest_key("BTC-USD") == "forecasts/BTC-USD/latest.json"
    assert scores_key("BTC-USD") == "forecasts/BTC-USD/scores.json"
    assert track_record_key("BTC-USD") == "forecasts/BTC-USD/track-record.json"
    assert calibration_key("btc-usd") == "forecasts/BTC-USD/calibration.json"


@pytest.mark.parametrize(
    "key",
    [
        "forecasts/BTC-USD/latest.json",
        "forecasts/BTC-USD/calibration.json",
        "forecasts/BTC-USD/2026-13-01/20261123T192000Z-1a2b3c4.json",
        "forecasts/BTC-USD/2026-11-24/latest.json",
        "forecasts/ETH-USD/2026-11-24/20261123T192000Z-1a2b3c4.json",
        "forecasts/BTC-USD/2026-11-24/x/20261123T192000Z-1a2b3c4.json",
    ],
)
def test_what_is_not_a_forecast_key_parses_to_none(key: str) -> None:
    assert parse_forecast_key(key, "BTC-USD") is None


def test_a_tickers_folders() -> None:
    assert ticker_folder("btc-usd") == "BTC-USD/"
    assert versions_prefix("^gspc") == "^GSPC/versions/"
    version = "20261123T192000Z-1a2b3c4"
    assert version_prefix("BTC-USD", version) == f"BTC-USD/versions/{version}/"
    with pytest.raises(ConfigError):
        ticker_folder("../x")
