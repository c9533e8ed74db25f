"""The freshness rules serving and the refresh share: stale, expected closes, next refresh."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.freshness import (
    age_hours,
    closed_days_after,
    freshness_of,
    last_expected_close,
    missing_closes,
    next_refresh_due,
    parse_timestamp,
    stale_at,
)

UTC = dt.UTC
FRIDAY = dt.date(2026, 10, 2)


def test_timestamps_as_we_write_them_parse_as_utc():
    assert parse_timestamp("2026-10-06T00:30:00Z") == dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC)
    assert parse_timestamp("2026-10-06T02:30:00+02:00") == dt.datetime(
        2026, 10, 6, 0, 30, tzinfo=UTC
    )
    assert parse_timestamp("2026-10-06T00:30:00") == dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC)
    assert parse_timestamp(None) is None
    assert parse_timestamp("yesterday") is None


def test_a_crypto_forecast_goes_stale_48_hours_after_it_was_made():
    made = dt.datetime(2026, 10, 3, 0, 30, tzinfo=UTC)
    assert closed_days_after(FRIDAY, "D") == 0
    assert stale_at(made, FRIDAY, "D", 48) == made + dt.timedelta(hours=48)


def test_a_stocks_friday_forecast_gets_the_weekend_on_top():
    """Friday's close is the freshest a stock has until Monday's: the weekend does not count."""
    made = dt.datetime(2026, 10, 3, 0, 30, tzinfo=UTC)  # Saturday, after Friday's close
    assert closed_days_after(FRIDAY, "B") == 2
    assert closed_days_after(FRIDAY - dt.timedelta(days=1), "B") == 0
    assert stale_at(made, FRIDAY, "B", 48) == made + dt.timedelta(hours=96)


def test_freshness_of_reports_age_and_the_moment_it_flips():
    made = "2026-10-03T00:30:00Z"
    before = freshness_of(FRIDAY, made, "D", 48, dt.datetime(2026, 10, 4, 12, 30, tzinfo=UTC))
    assert before.age_hours == pytest.approx(36.0)
    assert not before.stale
    at = freshness_of(FRIDAY, made, "D", 48, dt.datetime(2026, 10, 5, 0, 30, tzinfo=UTC))
    assert at.stale
    assert at.stale_at == dt.datetime(2026, 10, 5, 0, 30, tzinfo=UTC)


def test_a_forecast_without_a_time_has_no_age_and_is_never_called_stale():
    fresh = freshness_of(FRIDAY, None, "D", 48, dt.datetime(2030, 1, 1, tzinfo=UTC))
    assert (fresh.age_hours, fresh.stale, fresh.stale_at) == (None, False, None)


def test_age_is_never_negative():
    made = dt.datetime(2026, 10, 3, 1, 0, tzinfo=UTC)
    assert age_hours(made, made - dt.timedelta(minutes=5)) == 0.0


@pytest.mark.parametrize(
    ("today", "calendar", "expected"),
    [
        (dt.date(2026, 10, 6), "D", dt.date(2026, 10, 5)),  # Tuesday: Monday's close
        (dt.date(2026, 10, 4), "D", dt.date(2026, 10, 3)),  # Sunday: Saturday's (crypto trades)
        (dt.date(2026, 10, 4), "B", FRIDAY),  # Sunday: a stock's last close is Friday's
        (dt.date(2026, 10, 5), "B", FRIDAY),  # Monday 00:30 UTC: still Friday's
        (dt.date(2026, 10, 6), "B", dt.date(2026, 10, 5)),
    ],
)
def test_the_close_a_refresh_expects(today, calendar, expected):
    assert last_expected_close(today, calendar) == expected


def test_missing_closes_skip_what_the_calendar_never_has():
    monday = dt.date(2026, 10, 5)
    assert missing_closes(FRIDAY, monday, "B") == [monday]
    assert missing_closes(FRIDAY, monday, "D") == [
        dt.date(2026, 10, 3),
        dt.date(2026, 10, 4),
        monday,
    ]
    assert missing_closes(monday, FRIDAY, "D") == []  # ahead of what is expected: none missing


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (dt.datetime(2026, 10, 6, 0, 10, tzinfo=UTC), dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC)),
        (dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC), dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC)),
        (dt.datetime(2026, 10, 6, 0, 31, tzinfo=UTC), dt.datetime(2026, 10, 7, 0, 30, tzinfo=UTC)),
        (dt.datetime(2026, 10, 6, 23, 0, tzinfo=UTC), dt.datetime(2026, 10, 7, 0, 30, tzinfo=UTC)),
    ],
)
def test_next_refresh_due(now, due):
    assert next_refresh_due(now, 0) == due


def test_next_refresh_due_reads_any_zone_as_utc():
    berlin = dt.timezone(dt.timedelta(hours=2))
    now = dt.datetime(2026, 10, 6, 1, 0, tzinfo=berlin)  # 23:00 UTC the day before
    assert next_refresh_due(now, 0) == dt.datetime(2026, 10, 6, 0, 30, tzinfo=UTC)
