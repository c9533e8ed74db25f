"""The refresh's prices: a live feed is read over the window the refresh needs, a fixed snapshot
whole; an unreachable feed is not an error; the close there should be by now."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.config import Settings
from cryptonic.data import DataUnavailableError
from cryptonic.jobs.refresh.prices import expected_close, is_snapshot, load_recent
from tests.fixtures.prices import make_prices

NOW = dt.datetime(2026, 12, 2, 0, 30, tzinfo=dt.UTC)  # a Wednesday


class Loader:
    """Remembers what it was asked; answers with 60 days of prices."""

    def __init__(self) -> None:
        self.asked: list[tuple[dt.date | None, dt.date | None]] = []

    def __call__(self, ticker, start=None, end=None, source="auto", min_rows=None):
        self.asked.append((start, end))
        return make_prices(60)


@pytest.mark.parametrize(
    ("source", "snapshot"),
    [("bundled", True), ("prices.CSV", True), ("yahoo", False), ("auto", False)],
)
def test_a_snapshot_does_not_grow_while_it_is_read(source, snapshot):
    assert is_snapshot(source) is snapshot


def test_a_live_feed_is_read_over_the_window_the_refresh_needs():
    load = Loader()
    settings = Settings(data_source="yahoo", forecast_retention_days=30)
    prices = load_recent(settings, "BTC-USD", 14, "D", NOW, load)
    [(start, end)] = load.asked
    assert (start, end) == (NOW.date() - dt.timedelta(days=44), None)  # retention + 14 days
    assert len(prices.dates) == len(prices.closes) == 60
    assert prices.last == prices.dates[-1]
    assert prices.by_date()[prices.dates[0]] == prices.closes[0]


def test_a_snapshot_is_read_whole_and_a_business_day_lookback_reaches_further():
    load = Loader()
    load_recent(Settings(data_source="bundled"), "BTC-USD", 14, "D", NOW, load)
    assert load.asked == [(None, None)]
    end = dt.date(2026, 11, 30)
    replay = Settings(data_source="bundled", end_date=end, forecast_retention_days=14)
    load_recent(replay, "AAPL", 100, "B", NOW, load)
    assert load.asked[-1] == (end - dt.timedelta(days=140 + 14), end)


def test_an_unreachable_feed_is_no_prices_and_says_why():
    def down(*args, **kwargs):
        raise DataUnavailableError("no route to Yahoo (test)")

    prices = load_recent(Settings(data_source="yahoo"), "BTC-USD", 14, "D", NOW, down)
    assert (prices.dates, prices.last) == ([], None)
    assert prices.unavailable == "no route to Yahoo (test)"


def test_the_expected_close_is_the_last_trading_day_before_today():
    assert expected_close(Settings(data_source="yahoo"), "D", NOW) == dt.date(2026, 12, 1)
    monday = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    assert expected_close(Settings(data_source="yahoo"), "B", monday) == dt.date(2026, 11, 27)
    assert expected_close(Settings(data_source="bundled"), "D", NOW) is None
    replay = Settings(data_source="bundled", end_date=dt.date(2026, 11, 29))
    assert expected_close(replay, "B", NOW) == dt.date(2026, 11, 27)  # END_DATE's: a Sunday
