from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from cryptonic.config import (
    ARCHS,
    DEFAULT_CALIBRATION_STEP,
    DEFAULT_STORE_URI,
    LOCAL_STORE_DIR,
    Settings,
    VersionPins,
    is_arch,
    normalize_ticker,
)
from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.store.uri import open_store


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in (
        "TICKERS",
        "START_DATE",
        "BITCOIN_START_DATE",
        "MODEL_VERSION",
        "MODEL_NAME",
        "EPOCHS",
        "PERIOD_SIZE",
        "STORE_URI",
        "DATA_SOURCE",
        "DATA_SOURCES",
        "END_DATE",
        "INTERVAL_LEVEL",
        "QUANTILES",
        "COVERAGE_TOLERANCE",
        "CALIBRATION_STEP",
    ):
        monkeypatch.delenv(name, raising=False)


def test_book_names_are_aliases(monkeypatch):
    monkeypatch.setenv("BITCOIN_START_DATE", "2017-01-01")
    monkeypatch.setenv("MODEL_NAME", "20261123T192000Z-abc1234")
    settings = Settings()
    assert settings.start_date == dt.date(2017, 1, 1)
    assert settings.model_version == "20261123T192000Z-abc1234"


def test_tickers_from_a_comma_list_are_normalized(monkeypatch):
    monkeypatch.setenv("TICKERS", "btc-usd, eth-usd ^gspc")
    assert Settings().tickers == ["BTC-USD", "ETH-USD", "^GSPC"]


def test_a_ticker_named_twice_in_tickers_is_kept_once(monkeypatch):
    monkeypatch.setenv("TICKERS", "LIVE-USD,AAPL,live-usd")
    assert Settings().tickers == ["LIVE-USD", "AAPL"]


def test_empty_values_fall_back_to_defaults(monkeypatch):
    """`sam local` and CloudFormation !If leave empty strings: they must mean "not set"."""
    monkeypatch.setenv("START_DATE", "")
    monkeypatch.setenv("MODEL_VERSION", "")
    settings = Settings()
    assert settings.start_date is None
    assert settings.model_version is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TICKERS": "BTC USD!"}, "invalid ticker"),
        ({"EPOCHS": "0"}, "greater than or equal to 1"),
        ({"START_DATE": "yesterday"}, "START_DATE"),
        ({"START_DATE": "2020-01-01", "END_DATE": "2019-01-01"}, "must be before END_DATE"),
        ({"DATA_SOURCE": "ftp://x"}, "DATA_SOURCE"),
        ({"PERIOD_SIZE": "14"}, "less than or equal to 7"),
        ({"INTERVAL_LEVEL": "1"}, "less than 1"),
        ({"QUANTILES": "0.1,0.9"}, "at least 3"),
        ({"QUANTILES": "0.1,0.4,0.9"}, "include the median"),
        ({"QUANTILES": "0.1,0.25,0.5,0.9"}, "symmetric"),
        ({"QUANTILES": "0.05,0.5,0.95"}, "must be 0.1 and 0.9"),
        ({"QUANTILES": "0.9,0.5,0.1"}, "ascending"),
        ({"COVERAGE_TOLERANCE": "-0.1"}, "greater than or equal to 0"),
        ({"CALIBRATION_STEP": "0"}, "greater than 0"),
        ({"CALIBRATION_STEP": "2"}, "less than or equal to 1"),
    ],
)
def test_bad_settings_say_what_is_wrong(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_normalize_ticker():
    assert normalize_ticker(" brk-b ") == "BRK-B"
    with pytest.raises(ValueError, match="invalid ticker"):
        normalize_ticker("../etc")


def test_archs_are_the_ones_settings_accept(monkeypatch):
    assert ARCHS == ("default", "book")
    assert all(is_arch(a) for a in ARCHS)
    assert not is_arch("Book")
    assert not is_arch(None)
    monkeypatch.setenv("ARCH", "huge")
    with pytest.raises(ValidationError, match="'default' or 'book'"):
        Settings()


def test_the_default_store_is_the_folder_open_store_opens_without_a_uri(monkeypatch, tmp_path):
    """store.py keeps its own copy of the default for now: the two must not drift apart."""
    monkeypatch.chdir(tmp_path)
    assert Settings().store_uri == DEFAULT_STORE_URI
    assert open_store(Settings().store_uri).uri == open_store(None).uri
    assert open_store(None).uri == f"file://{tmp_path / LOCAL_STORE_DIR}"


def test_interval_settings_default_to_the_80_percent_interval_and_its_median(monkeypatch):
    settings = Settings()
    assert (settings.interval_level, settings.quantiles) == (0.8, (0.1, 0.5, 0.9))
    assert settings.coverage_tolerance == 0.10
    monkeypatch.setenv("INTERVAL_LEVEL", "0.9")
    assert Settings().quantiles == (0.05, 0.5, 0.95)
    monkeypatch.setenv("QUANTILES", "0.05, 0.25,0.5 0.75,0.95")
    assert Settings().quantiles == (0.05, 0.25, 0.5, 0.75, 0.95)


V1, V2 = "20261123T192000Z-1a2b3c4", "20261130T192000Z-5d6e7f8"


def test_model_version_pins_each_ticker_it_names(monkeypatch):
    monkeypatch.setenv("MODEL_VERSION", f"btc-usd={V1}, ETH-USD={V2} EURUSD=X={V1}")
    settings = Settings()
    assert settings.model_version == f"btc-usd={V1}, ETH-USD={V2} EURUSD=X={V1}"  # as written
    pins = VersionPins.read(settings.model_version)
    assert pins == VersionPins({"BTC-USD": V1, "ETH-USD": V2, "EURUSD=X": V1}, None)
    asked: list[str] = []
    assert pins.version_for("ETH-USD", asked.append) == V2
    assert pins.version_for("AAPL", asked.append) is None  # not named: its champion serves
    assert asked == [], "a pair answers without asking the store"


def test_a_bare_version_id_pins_the_ticker_that_has_published_it():
    pins = VersionPins.read(V1)
    assert (dict(pins.by_ticker), pins.bare) == ({}, V1)
    has = {"BTC-USD": {V1}, "ETH-USD": {V2}}
    assert pins.version_for("BTC-USD", lambda v: v in has["BTC-USD"]) == V1
    assert pins.version_for("ETH-USD", lambda v: v in has["ETH-USD"]) is None
    mixed = VersionPins.read(f"{V1},ETH-USD={V2}")
    assert mixed.version_for("ETH-USD", lambda v: True) == V2  # the pair wins


def test_no_pins():
    for value in (None, "", " , "):
        pins = VersionPins.read(value)
        assert not pins
        assert pins.version_for("BTC-USD", lambda v: True) is None
    assert VersionPins.read(V1)
    assert VersionPins.read(f"BTC-USD={V1}")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (f"{V1},{V2}", "two versions without a ticker"),
        (f"BTC-USD={V1},btc-usd={V2}", "pins BTC-USD twice"),
        ("BTC-USD=", "is not TICKER=VERSION"),
        (f"={V1}", "is not TICKER=VERSION"),
        (f"BTC USD!={V1}", "invalid ticker"),
    ],
)
def test_a_malformed_model_version_says_what_is_wrong(monkeypatch, value, message):
    with pytest.raises(ValueError, match=message):
        VersionPins.read(value)
    monkeypatch.setenv("MODEL_NAME", value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_data_sources_names_a_chain_and_data_source_still_works(monkeypatch):
    from cryptonic.config import source_chain

    monkeypatch.setenv("DATA_SOURCE", "yahoo")
    assert Settings().data_source == "yahoo"
    monkeypatch.setenv("DATA_SOURCES", "yahoo, bitstamp,kraken")
    assert source_chain(Settings().data_source) == ("yahoo", "bitstamp", "kraken")
    for bad, message in [("yahoo,binance", "'binance' is not a source"), ("yahoo,yahoo", "twice")]:
        monkeypatch.setenv("DATA_SOURCES", bad)
        with pytest.raises(ValidationError, match=message):
            Settings()


def test_the_calibration_step_is_read_from_its_env_name_and_defaults_to_the_researched_one(
    monkeypatch,
):
    assert Settings().calibration_step == DEFAULT_CALIBRATION_STEP
    assert AdaptiveScales.fresh(0.8, 7).step == DEFAULT_CALIBRATION_STEP
    monkeypatch.setenv("CALIBRATION_STEP", "0.03")
    assert Settings().calibration_step == 0.03
