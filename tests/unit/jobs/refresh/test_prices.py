"""The refresh's prices: a live feed is read over the window the refresh needs, a fixed snapshot
whole; an unreachable feed is not an error; the close there should be by now, on the ticker's
trading days (an exchange's holidays are no missing closes)."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.config import Settings
from cryptonic.data import DataUnavailableError, calendar_release, trading_days
from cryptonic.forecast.calendar import Sessions, next_dates
from cryptonic.forecast.freshness import missing_closes
from cryptonic.jobs.refresh.prices import (
    days_back,
    expected_close,
    is_snapshot,
    load_recent,
    past_the_calendar,
)
from tests.fixtures.prices import make_prices, make_session_prices

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


def test_a_snapshot_is_read_whole_and_a_stock_lookback_reaches_further():
    load = Loader()
    load_recent(Settings(data_source="bundled"), "BTC-USD", 14, "D", NOW, load)
    assert load.asked == [(None, None)]
    end = dt.date(2026, 11, 30)
    replay = Settings(data_source="bundled", end_date=end, forecast_retention_days=14)
    load_recent(replay, "EURUSD=X", 100, "B", NOW, load)  # no exchange calendar: weekdays
    assert load.asked[-1] == (end - dt.timedelta(days=140 + 14), end)
    load_recent(replay, "AAPL", 100, "B", NOW, load)  # and NYSE's holidays on top
    assert load.asked[-1] == (end - dt.timedelta(days=144 + 14), end)


def test_a_window_of_closes_is_longer_where_the_exchange_has_more_holidays():
    shanghai = trading_days("600519.SS", "B", dt.date(2023, 1, 2))
    leap_day = dt.date(2024, 2, 29)
    # 250 sessions of Shanghai (Spring Festival, National Day week, ...) take 375 days; the
    # weekday guess of 350 would have cost the refresh its min_rows.
    assert days_back(leap_day, 250, shanghai) == 375
    assert days_back(leap_day, 250, "B") == 350
    assert days_back(leap_day, 14, "D") == 14


def test_the_prices_carry_the_tickers_trading_days():
    class Tokyo:
        def __call__(self, ticker, start=None, end=None, source="auto", min_rows=None):
            return make_session_prices("XTKS", "2023-06-01", "2023-12-29")

    now = dt.datetime(2024, 1, 4, 0, 30, tzinfo=dt.UTC)  # the refresh of Thursday 4 January
    prices = load_recent(Settings(data_source="yahoo"), "7203.T", 60, "B", now, Tokyo())

    assert isinstance(prices.calendar, Sessions)
    assert prices.calendar.exchange == "XTKS"
    assert prices.last == dt.date(2023, 12, 29)
    assert next_dates(prices.last, 3, prices.calendar) == [
        dt.date(2024, 1, 4),
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 9),
    ]
    expected = expected_close(Settings(data_source="yahoo"), prices.calendar, now)
    assert expected == dt.date(2023, 12, 29)  # 1 to 3 January are holidays, not missing closes
    assert missing_closes(prices.last, expected, prices.calendar) == []


def test_an_unreachable_feed_is_no_prices_and_says_why():
    def down(*args, **kwargs):
        raise DataUnavailableError("no route to Yahoo (test)")

    prices = load_recent(Settings(data_source="yahoo"), "BTC-USD", 14, "D", NOW, down)
    assert (prices.dates, prices.last) == ([], None)
    assert prices.unavailable == "no route to Yahoo (test)"
    assert prices.calendar == "D"


def test_without_prices_a_stock_still_counts_missing_closes_on_its_sessions():
    def down(*args, **kwargs):
        raise DataUnavailableError("no route to Yahoo (test)")

    after_spring_festival = dt.datetime(2024, 2, 19, 0, 30, tzinfo=dt.UTC)
    settings = Settings(data_source="yahoo")
    prices = load_recent(settings, "600519.SS", 60, "B", after_spring_festival, down)
    expected = expected_close(settings, prices.calendar, after_spring_festival)

    assert expected == dt.date(2024, 2, 8)  # the last session before the Lunar New Year
    assert missing_closes(dt.date(2024, 2, 8), expected, prices.calendar) == []
    # On weekdays alone: six closes missing, twice REFRESH_MAX_MISSED_DAYS' default.
    assert len(missing_closes(dt.date(2024, 2, 8), dt.date(2024, 2, 16), "B")) == 6


def test_the_expected_close_is_the_last_trading_day_before_today():
    assert expected_close(Settings(data_source="yahoo"), "D", NOW) == dt.date(2026, 12, 1)
    monday = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.UTC)
    assert expected_close(Settings(data_source="yahoo"), "B", monday) == dt.date(2026, 11, 27)
    assert expected_close(Settings(data_source="bundled"), "D", NOW) is None
    replay = Settings(data_source="bundled", end_date=dt.date(2026, 11, 29))
    assert expected_close(replay, "B", NOW) == dt.date(2026, 11, 27)  # END_DATE's: a Sunday


SHANGHAI_TO_2026 = Sessions(
    "XSHG", dt.date(2026, 12, 28), dt.date(2026, 12, 31), frozenset(), "B"
)  # the span only matters here: the pinned release knows Shanghai's holidays through 2026


def test_closes_missing_past_the_end_of_the_calendar_are_named_with_the_release():
    new_year = [dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 4)]
    note = past_the_calendar(SHANGHAI_TO_2026, new_year)
    assert note == (
        "2 of them after 2026-12-31, where the XSHG calendar of exchange_calendars "
        f"{calendar_release()} ends: a holiday there counts as a missing close until a newer "
        "release is pinned"
    )
    assert calendar_release()[0].isdigit()  # the installed release, not a placeholder


@pytest.mark.parametrize(
    ("calendar", "missing"),
    [
        (SHANGHAI_TO_2026, [dt.date(2026, 12, 30), dt.date(2026, 12, 31)]),  # known days only
        (SHANGHAI_TO_2026, []),
        ("B", [dt.date(2027, 1, 1)]),  # no calendar at all: nothing it could know later
        ("D", [dt.date(2027, 1, 1)]),
    ],
)
def test_nothing_is_added_while_the_calendar_covers_the_missing_closes(calendar, missing):
    assert past_the_calendar(calendar, missing) == ""


def test_offline_no_close_is_expected_of_a_live_chain(monkeypatch):
    live = Settings(data_source="auto")
    assert expected_close(live, "D", NOW) == dt.date(2026, 12, 1)
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")  # the live sources are not asked at all
    assert expected_close(live, "D", NOW) is None
    replay = Settings(data_source="auto", end_date=dt.date(2026, 11, 20))
    assert expected_close(replay, "D", NOW) == dt.date(2026, 11, 20)  # END_DATE still rules
