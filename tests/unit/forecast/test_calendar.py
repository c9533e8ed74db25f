"""The trading calendar of the forecast dates (standard library only)."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.calendar import Sessions, is_trading_day, next_dates, week_of

FRIDAY = dt.date(2026, 10, 2)

# Tokyo around New Year 2024: closed from Monday 1 to Wednesday 3 January, and on Monday 8
# (Coming of Age Day), as the exchange's calendar says.
TOKYO = Sessions(
    "XTKS",
    dt.date(2023, 12, 25),
    dt.date(2024, 1, 12),
    frozenset(dt.date(2023, 12, d) for d in (25, 26, 27, 28, 29))
    | frozenset(dt.date(2024, 1, d) for d in (4, 5, 9, 10, 11, 12)),
)


def test_business_days_skip_the_weekend() -> None:
    assert next_dates(FRIDAY, 3, "B") == [
        dt.date(2026, 10, 5),
        dt.date(2026, 10, 6),
        dt.date(2026, 10, 7),
    ]


def test_crypto_has_every_calendar_day() -> None:
    assert next_dates(FRIDAY, 3, "D") == [
        dt.date(2026, 10, 3),
        dt.date(2026, 10, 4),
        dt.date(2026, 10, 5),
    ]


@pytest.mark.parametrize(
    ("day", "calendar", "trades"),
    [
        (dt.date(2026, 10, 3), "B", False),
        (dt.date(2026, 10, 3), "D", True),
        (dt.date(2026, 10, 5), "B", True),
    ],
)
def test_a_trading_day(day: dt.date, calendar: str, trades: bool) -> None:
    assert is_trading_day(day, calendar) is trades  # type: ignore[arg-type]


def test_a_forecast_on_an_exchange_skips_its_holidays() -> None:
    assert next_dates(dt.date(2023, 12, 29), 4, TOKYO) == [
        dt.date(2024, 1, 4),
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 9),
        dt.date(2024, 1, 10),
    ]
    assert not is_trading_day(dt.date(2024, 1, 2), TOKYO)
    assert not is_trading_day(dt.date(2024, 1, 6), TOKYO)  # a Saturday, inside the span


def test_beyond_what_the_calendar_knows_the_week_rule_holds() -> None:
    # 2024-01-12 is the last day the sessions answer for; after it, weekdays trade.
    assert next_dates(dt.date(2024, 1, 11), 3, TOKYO) == [
        dt.date(2024, 1, 12),
        dt.date(2024, 1, 15),
        dt.date(2024, 1, 16),
    ]
    assert is_trading_day(dt.date(2023, 12, 22), TOKYO)  # before the span: a Friday
    assert TOKYO.covers(dt.date(2024, 1, 2))
    assert not TOKYO.covers(dt.date(2024, 1, 15))


def test_a_forecasts_own_dates_give_serving_the_holidays() -> None:
    dates = ["2024-01-04", "2024-01-05", "2024-01-09", "2024-01-10"]
    days = Sessions.of_forecast(dt.date(2023, 12, 29), dates, "B")
    assert next_dates(dt.date(2023, 12, 29), 1, days) == [dt.date(2024, 1, 4)]
    assert not is_trading_day(dt.date(2024, 1, 8), days)
    assert is_trading_day(dt.date(2024, 1, 11), days)  # after its last date: weekdays
    assert week_of(days) == "B"
    assert week_of("D") == "D"


def test_a_forecast_without_dates_leaves_the_week_rule() -> None:
    days = Sessions.of_forecast(dt.date(2026, 10, 2), [], "B")
    assert next_dates(FRIDAY, 2, days) == next_dates(FRIDAY, 2, "B")
