"""A ticker's exchange from its Yahoo suffix, and that exchange's sessions from the calendar
library (the real one: its holidays are what the tests check)."""

from __future__ import annotations

import datetime as dt
import logging

import exchange_calendars as xcals  # type: ignore[import-untyped]
import numpy as np
import pytest

from cryptonic.data import exchange_of, frame_calendar, trading_days
from cryptonic.data.calendar import MAX_HOLIDAY_RUN
from cryptonic.data.exchanges import INDEX_EXCHANGES, SUFFIX_EXCHANGES, US_EXCHANGE, _sessions
from cryptonic.forecast.calendar import Sessions, next_dates
from tests.fixtures.prices import make_prices, make_session_prices


@pytest.mark.parametrize(
    ("ticker", "exchange"),
    [
        ("7203.T", "XTKS"),
        ("600519.SS", "XSHG"),
        ("000858.sz", "XSHG"),
        ("0700.HK", "XHKG"),
        ("VOD.L", "XLON"),
        ("SAP.DE", "XETR"),
        ("MC.PA", "XPAR"),
        ("AAPL", "XNYS"),
        ("BRK-B", "XNYS"),
        ("^N225", "XTKS"),  # a main index closes on its exchange's sessions
        ("^gspc", "XNYS"),
        ("^XYZ", None),  # an index we know nothing of: the weekday rule
        ("EURUSD=X", None),  # a currency trades through every exchange's holidays
        ("GC=F", None),
        ("TEVA.TA", None),  # Tel Aviv: its week was Sunday to Thursday until 2026
        ("ABC.XYZ", None),
    ],
)
def test_the_exchange_comes_from_the_suffix(ticker: str, exchange: str | None) -> None:
    assert exchange_of(ticker) == exchange


def test_every_exchange_the_map_names_is_a_calendar_of_the_pinned_library() -> None:
    names = set(xcals.get_calendar_names(include_aliases=False))

    assert {*SUFFIX_EXCHANGES.values(), *INDEX_EXCHANGES.values(), US_EXCHANGE} <= names


def test_the_sp_500_has_no_forecast_day_on_thanksgiving() -> None:
    days = trading_days("^GSPC", "B", dt.date(2026, 1, 2))

    assert next_dates(dt.date(2026, 11, 25), 2, days) == [
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
    ]


def test_tokyo_trades_on_its_sessions_across_new_year() -> None:
    days = trading_days("7203.T", "B", dt.date(2023, 12, 1))

    assert isinstance(days, Sessions)
    assert days.exchange == "XTKS"
    # Friday 29 December is the last session of 2023; the 1st to 3rd and the 8th are holidays.
    assert next_dates(dt.date(2023, 12, 28), 4, days) == [
        dt.date(2023, 12, 29),
        dt.date(2024, 1, 4),
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 9),
    ]


def test_shanghai_closes_for_the_lunar_new_year() -> None:
    days = trading_days("600519.SS", "B", dt.date(2024, 1, 2))

    assert next_dates(dt.date(2024, 2, 8), 2, days) == [dt.date(2024, 2, 19), dt.date(2024, 2, 20)]


def test_crypto_and_unknown_exchanges_keep_the_week_rule() -> None:
    start = dt.date(2024, 1, 2)

    assert trading_days("BTC-USD", "D", start) == "D"
    assert trading_days("^XYZ", "B", start) == "B"
    assert trading_days(None, "B", start) == "B"


def test_history_older_than_the_default_calendar_gets_its_own() -> None:
    days = trading_days("AAPL", "B", dt.date(1990, 3, 5))

    assert isinstance(days, Sessions)
    assert days.first == dt.date(1990, 1, 1)
    assert dt.date(1990, 12, 25) not in days.days  # Christmas
    assert dt.date(1990, 12, 24) in days.days


def test_a_frames_calendar_takes_its_week_from_the_rows_and_its_exchange_from_the_ticker() -> None:
    stock = make_session_prices("XTKS", "2023-12-01", "2024-01-31")

    tokyo = frame_calendar(stock, "7203.T")

    assert isinstance(tokyo, Sessions)
    assert tokyo.exchange == "XTKS"
    assert frame_calendar(make_prices(days=30), "BTC-USD") == "D"
    assert frame_calendar(stock, None) == "B"


def test_a_calendar_the_library_cannot_build_falls_back_to_weekdays(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(name: str, **kwargs: object) -> object:
        raise NotImplementedError("DateOffset subclass OrthodoxEaster (test)")

    _sessions.cache_clear()
    monkeypatch.setattr(xcals, "get_calendar", broken)
    try:
        with caplog.at_level(logging.WARNING, logger="cryptonic.data"):
            assert trading_days("VOD.L", "B", dt.date(2024, 1, 2)) == "B"
    finally:
        _sessions.cache_clear()
    assert "no XLON calendar (NotImplementedError: DateOffset subclass" in caplog.text


@pytest.mark.parametrize("exchange", ["XTKS", "XSHG"])
def test_the_tolerant_rule_covers_the_longest_closures_of_these_exchanges(exchange: str) -> None:
    # MAX_HOLIDAY_RUN, the rule for exchanges without a calendar, is sized on the library's
    # closures since 2015: Tokyo's and Shanghai's longest are six weekdays.
    days = _sessions(exchange, None)
    assert days is not None
    known = np.array(sorted(d for d in days.days if d.year >= 2015), dtype="datetime64[D]")

    longest = int(np.busday_count(known[:-1] + 1, known[1:]).max())

    assert longest == 6
    assert longest <= MAX_HOLIDAY_RUN
