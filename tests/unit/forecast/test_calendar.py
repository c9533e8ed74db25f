"""The trading calendar of the forecast dates (standard library only)."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.calendar import is_trading_day, next_dates

FRIDAY = dt.date(2026, 10, 2)


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
