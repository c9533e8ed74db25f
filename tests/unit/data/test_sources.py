"""``load_prices`` with the offline sources: the bundled snapshot and CSV files.

No test here reaches Yahoo: ``auto`` is only used with CRYPTONIC_OFFLINE=1 (the Yahoo paths are
in tests/integration/test_data_yahoo.py, on recorded responses).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cryptonic.config import Settings
from cryptonic.data import (
    AUTO_POLICY,
    COLUMNS,
    DEFAULT_POLICY,
    DataUnavailableError,
    YahooPolicy,
    infer_calendar,
    load_prices,
    to_yahoo_csv,
    validate_prices,
)
from cryptonic.data.rate_limit import YAHOO_REQUESTS
from cryptonic.data.sources import yahoo_policy
from cryptonic.errors import DataError
from tests.fixtures.prices import make_prices


def test_bundled_snapshot_is_complete() -> None:
    frame = load_prices("BTC-USD", source="bundled")

    assert len(frame) == 4402
    assert frame["date"].iloc[0] == pd.Timestamp("2014-09-17")
    assert frame["date"].iloc[-1] == pd.Timestamp("2026-10-05")
    assert list(frame.columns) == list(COLUMNS)
    assert isinstance(frame.index, pd.RangeIndex)
    assert infer_calendar(frame) == "D"


@pytest.mark.parametrize(
    ("start", "end"),
    [("2020-01-01", "2020-01-31"), (dt.date(2020, 1, 1), dt.date(2020, 1, 31))],
)
def test_bundled_start_and_end_are_inclusive(start: object, end: object) -> None:
    frame = load_prices("btc-usd", start, end, source="bundled")  # type: ignore[arg-type]

    assert len(frame) == 31
    assert frame["date"].iloc[0] == pd.Timestamp("2020-01-01")
    assert frame["date"].iloc[-1] == pd.Timestamp("2020-01-31")


def test_open_ended_ranges() -> None:
    tail = load_prices("BTC-USD", start="2026-10-01", source="bundled")
    head = load_prices("BTC-USD", end="2014-09-20", source="bundled")

    assert len(tail) == 5
    assert len(head) == 4


def test_single_day() -> None:
    assert len(load_prices("BTC-USD", "2021-06-01", "2021-06-01", source="bundled")) == 1


def test_start_after_end() -> None:
    with pytest.raises(DataError, match="start 2020-02-01 is after end 2020-01-01"):
        load_prices("BTC-USD", "2020-02-01", "2020-01-01", source="bundled")


def test_range_outside_the_snapshot() -> None:
    with pytest.raises(DataError, match=r"covers 2014-09-17\.\.2026-10-05"):
        load_prices("BTC-USD", "2030-01-01", "2030-12-31", source="bundled")


def test_only_btc_is_bundled() -> None:
    with pytest.raises(DataError, match="only BTC-USD is bundled"):
        load_prices("ETH-USD", source="bundled")


def test_min_rows_names_the_range() -> None:
    with pytest.raises(
        DataError, match=r"need at least 30 daily closes, got 10 \(start=2024-01-01, end=2024-01-10"
    ):
        load_prices("BTC-USD", "2024-01-01", "2024-01-10", source="bundled", min_rows=30)


@pytest.mark.parametrize("ticker", ["", "btc usd", "$$$", "A" * 21])
def test_invalid_ticker(ticker: str) -> None:
    with pytest.raises(DataError, match="invalid ticker"):
        load_prices(ticker, source="bundled")


@pytest.mark.parametrize(
    ("start", "message"), [("2024-13-01", "start='2024-13-01'"), ("soon", "start='soon'")]
)
def test_invalid_date(start: str, message: str) -> None:
    with pytest.raises(DataError, match=f"{message} is not a date"):
        load_prices("BTC-USD", start, source="bundled")


def test_unknown_source() -> None:
    with pytest.raises(DataError, match="unknown data source 'parquet'"):
        load_prices("BTC-USD", source="parquet")


def test_min_rows_must_be_positive() -> None:
    with pytest.raises(DataError, match="min_rows must be at least 1"):
        load_prices("BTC-USD", source="bundled", min_rows=0)


def test_csv_source(tmp_path: Path) -> None:
    stock = make_prices(days=90)
    stock = stock[stock["date"].dt.day_of_week < 5]
    path = tmp_path / "spy.CSV"
    path.write_bytes(to_yahoo_csv(validate_prices(stock)))

    frame = load_prices("spy", "2020-02-01", "2020-02-29", source=str(path))

    assert frame["date"].iloc[0] == pd.Timestamp("2020-02-03")  # 1 Feb 2020 was a Saturday
    assert frame["date"].iloc[-1] == pd.Timestamp("2020-02-28")
    assert len(frame) == 20
    assert infer_calendar(frame) == "B"


def test_a_yahoo_export_with_a_null_volume_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "7203.T.csv"
    path.write_text(
        "Date,Open,High,Low,Close,Adj Close,Volume\n"
        "2023-12-28,2605.0,2611.0,2580.5,2586.5,2586.5,16482100\n"
        "2023-12-29,2590.0,2600.0,2575.0,2592.5,2592.5,null\n"
        "2024-01-04,2606.0,2626.0,2585.0,2599.5,2599.5,21846600\n"
    )

    frame = load_prices("7203.T", source=str(path))

    assert frame["volume"].isna().tolist() == [False, True, False]
    assert frame["close"].tolist() == [2586.5, 2592.5, 2599.5]


def test_csv_source_errors_name_the_file(tmp_path: Path) -> None:
    raw = make_prices(days=20)
    path = tmp_path / "bad.csv"
    path.write_bytes(to_yahoo_csv(pd.concat([raw, raw.iloc[[3]]])))

    with pytest.raises(DataError, match=r"CSV file '.*bad\.csv': .*duplicate dates: 2020-01-09"):
        load_prices("BTC-USD", source=str(path))
    with pytest.raises(DataError, match="not found"):
        load_prices("BTC-USD", source=str(tmp_path / "absent.csv"))


def test_auto_offline_uses_bundled_without_network(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")

    frame = load_prices("BTC-USD", "2024-01-01", "2024-01-07")

    assert len(frame) == 7
    assert "using the bundled snapshot" in caplog.text
    with pytest.raises(DataUnavailableError, match="only BTC-USD works offline"):
        load_prices("AAPL")


def test_offline_without_the_snapshot_in_the_chain_says_what_was_not_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")
    with pytest.raises(DataUnavailableError) as caught:
        load_prices("BTC-USD", source="yahoo,kraken")
    assert str(caught.value) == (
        "CRYPTONIC_OFFLINE=1: yahoo, kraken not called for 'BTC-USD'; offline, only the bundled "
        "snapshot (BTC-USD, source `bundled`) and CSV files answer"
    )


def test_package_keeps_heavy_imports_out_of_config() -> None:
    # The serving Lambda imports config and errors without pandas; cryptonic.data defers yfinance.
    code = (
        "import sys, cryptonic.config, cryptonic.errors; assert 'pandas' not in sys.modules; "
        "import cryptonic.data; assert 'yfinance' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize(
    "bad",
    [
        {"attempts": 0},
        {"base_delay": -1.0},
        {"timeout": 0.0},
        {"deadline": 0.0},
        {"min_interval": -1.0},
        {"rate_limit_retries": -1},
        {"rate_limit_delay": -1.0},
        {"max_rate_limit_wait": -1.0},
    ],
)
def test_yahoo_policy_rejects_nonsense(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        YahooPolicy(**bad)  # type: ignore[arg-type]


def test_policies_bound_the_wait() -> None:
    assert AUTO_POLICY.attempts == 1
    assert AUTO_POLICY.deadline is not None
    assert AUTO_POLICY.deadline < 10
    assert DEFAULT_POLICY.deadline is not None


def test_429_backoff_doubles_with_jitter_and_is_capped() -> None:
    low = YahooPolicy(rate_limit_delay=2.0, max_rate_limit_wait=30.0, jitter=lambda: 0.0)
    high = YahooPolicy(rate_limit_delay=2.0, max_rate_limit_wait=30.0, jitter=lambda: 0.999)

    assert [low.rate_limit_wait(n, None) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 15, 15]
    assert high.rate_limit_wait(1, None) == pytest.approx(1.999)
    assert high.rate_limit_wait(6, None) == pytest.approx(29.985)


def test_429_wait_is_never_shorter_than_retry_after_up_to_the_cap() -> None:
    policy = YahooPolicy(rate_limit_delay=2.0, max_rate_limit_wait=30.0, jitter=lambda: 0.5)

    assert policy.rate_limit_wait(1, 7.0) == 7.0
    assert policy.rate_limit_wait(1, 0.0) == 1.5  # "come back now" does not cancel the backoff
    assert policy.rate_limit_wait(1, 3600.0) == 30.0
    assert policy.rate_limit_wait(5, 7.0) == 22.5


@pytest.mark.parametrize(
    ("source", "base"), [("auto", AUTO_POLICY), ("yahoo", DEFAULT_POLICY)], ids=["auto", "yahoo"]
)
def test_yahoo_policy_takes_the_politeness_settings(source: str, base: YahooPolicy) -> None:
    settings = Settings(yahoo_min_interval_seconds=0.25, yahoo_max_retries=2)

    policy = yahoo_policy(source, settings)

    assert (policy.min_interval, policy.rate_limit_retries) == (0.25, 2)
    assert (policy.attempts, policy.timeout, policy.deadline) == (
        base.attempts,
        base.timeout,
        base.deadline,
    )
    assert policy.rate_bound is YAHOO_REQUESTS


def test_yahoo_policy_defaults_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptonic.config import get_settings

    monkeypatch.setenv("YAHOO_MIN_INTERVAL_SECONDS", "2.5")
    monkeypatch.setenv("YAHOO_MAX_RETRIES", "0")
    get_settings.cache_clear()
    try:
        policy = yahoo_policy("yahoo")
    finally:
        get_settings.cache_clear()

    assert (policy.min_interval, policy.rate_limit_retries) == (2.5, 0)
