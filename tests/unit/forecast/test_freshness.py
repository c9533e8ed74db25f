"""The freshness rules serving and the refresh share: stale, expected closes, next refresh."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.calendar import Sessions
from cryptonic.forecast.freshness import (
    age_hours,
    close_final_at,
    closed_days_after,
    days_since_close,
    format_timestamp,
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


def test_timestamps_are_written_in_utc_and_read_back():
    paris = dt.timezone(dt.timedelta(hours=2))
    assert format_timestamp(dt.datetime(2026, 10, 6, 2, 30, 59, 999, tzinfo=paris)) == (
        "2026-10-06T00:30:59Z"
    )
    assert format_timestamp(dt.datetime(2026, 10, 6, 0, 30)) == "2026-10-06T00:30:00Z"  # naive
    moment = dt.datetime(2026, 12, 4, 1, 2, 3, tzinfo=UTC)
    assert parse_timestamp(format_timestamp(moment)) == moment


def test_a_close_is_final_at_midnight_utc_the_day_after():
    assert close_final_at(FRIDAY) == dt.datetime(2026, 10, 3, tzinfo=UTC)


def test_a_crypto_forecast_goes_stale_48_hours_after_its_close_was_final():
    assert closed_days_after(FRIDAY, "D") == 0
    assert stale_at(FRIDAY, "D", 48) == dt.datetime(2026, 10, 5, tzinfo=UTC)


def test_a_stocks_friday_forecast_gets_the_weekend_on_top():
    """Friday's close is the freshest a stock has until Monday's: the weekend does not count."""
    assert closed_days_after(FRIDAY, "B") == 2
    assert closed_days_after(FRIDAY - dt.timedelta(days=1), "B") == 0
    assert stale_at(FRIDAY, "B", 48) == dt.datetime(2026, 10, 7, tzinfo=UTC)  # Wednesday 00:00


def test_freshness_of_reports_age_and_the_moment_it_flips():
    made = "2026-10-03T00:30:00Z"
    before = freshness_of(FRIDAY, made, "D", 48, dt.datetime(2026, 10, 4, 12, 30, tzinfo=UTC))
    assert before.age_hours == pytest.approx(36.5)
    assert before.generated_at == dt.datetime(2026, 10, 3, 0, 30, tzinfo=UTC)
    assert not before.stale
    at = freshness_of(FRIDAY, made, "D", 48, dt.datetime(2026, 10, 5, tzinfo=UTC))
    assert at.stale
    assert at.stale_at == dt.datetime(2026, 10, 5, tzinfo=UTC)


def test_age_counts_from_the_close_not_from_when_the_forecast_was_computed():
    """``make run`` offline on 3 Dec: a forecast computed a minute ago from the bundled
    snapshot's last close (5 Oct) is 59 days old, and stale."""
    now = dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    fresh = freshness_of(dt.date(2026, 10, 5), "2026-12-03T08:59:00Z", "D", 48, now)
    assert fresh.age_hours == pytest.approx(58 * 24 + 9)
    assert fresh.stale
    assert days_since_close(fresh.age_hours) == 59 == (now.date() - fresh.as_of).days


def test_a_crypto_forecast_from_old_data_is_stale_across_a_weekend():
    """Crypto closes every day, weekends too: a forecast from Thursday's close goes stale on
    Sunday 00:00, once Friday's and Saturday's closes are final and it has seen neither."""
    thursday = FRIDAY - dt.timedelta(days=1)
    saturday_noon = dt.datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
    fresh = freshness_of(thursday, "2026-10-03T11:00:00Z", "D", 48, saturday_noon)
    assert (fresh.age_hours, fresh.stale) == (pytest.approx(36.0), False)
    sunday = dt.datetime(2026, 10, 4, 0, 0, tzinfo=UTC)
    late = freshness_of(thursday, "2026-10-03T11:00:00Z", "D", 48, sunday)
    assert (late.age_hours, late.stale) == (pytest.approx(48.0), True)
    assert days_since_close(late.age_hours) == 3


def test_a_stock_forecast_from_old_data_is_not_excused_by_the_weekend_after_it():
    """A stock: Friday's close served on Monday noon is the freshest there is (not stale, though
    2.5 days old); Thursday's close served on Monday noon misses Friday's close and the weekend
    is no excuse (only the closed days right after as_of are)."""
    monday_noon = dt.datetime(2026, 10, 5, 12, 0, tzinfo=UTC)
    friday = freshness_of(FRIDAY, "2026-10-03T00:30:00Z", "B", 48, monday_noon)
    assert (friday.age_hours, friday.stale) == (pytest.approx(60.0), False)
    thursday = freshness_of(FRIDAY - dt.timedelta(days=1), None, "B", 48, monday_noon)
    assert (thursday.age_hours, thursday.stale) == (pytest.approx(84.0), True)
    assert thursday.stale_at == dt.datetime(2026, 10, 4, tzinfo=UTC)  # Sat 00:00 + 48 h


def test_a_forecast_that_does_not_say_when_it_was_made_still_has_an_age():
    fresh = freshness_of(FRIDAY, None, "D", 48, dt.datetime(2030, 1, 1, tzinfo=UTC))
    assert fresh.generated_at is None
    assert fresh.stale
    assert fresh.age_hours == pytest.approx((dt.date(2030, 1, 1) - FRIDAY).days * 24 - 24)


def test_age_is_never_negative():
    assert age_hours(FRIDAY, close_final_at(FRIDAY) - dt.timedelta(minutes=5)) == 0.0
    assert days_since_close(0.0) == 1


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


# Tokyo's New Year 2024 as a forecast dated on the exchange's sessions shows it: after the
# close of Friday 29 December, the next session is Thursday 4 January.
NEW_YEAR = Sessions.of_forecast(
    dt.date(2023, 12, 29), ["2024-01-04", "2024-01-05", "2024-01-09", "2024-01-10"], "B"
)


def test_a_holiday_is_no_missing_close_on_the_exchanges_days():
    thursday = dt.date(2024, 1, 4)  # the refresh of 00:30 UTC, before Tokyo opens
    assert last_expected_close(thursday, NEW_YEAR) == dt.date(2023, 12, 29)
    assert missing_closes(dt.date(2023, 12, 29), dt.date(2023, 12, 29), NEW_YEAR) == []
    # The weekday rule would have expected Wednesday's close and counted three missing: a page.
    assert last_expected_close(thursday, "B") == dt.date(2024, 1, 3)
    assert len(missing_closes(dt.date(2023, 12, 29), dt.date(2024, 1, 3), "B")) == 3


def test_a_forecast_before_a_holiday_goes_stale_after_it():
    as_of = dt.date(2023, 12, 29)
    assert closed_days_after(as_of, NEW_YEAR) == 5  # Saturday to Wednesday
    assert stale_at(as_of, NEW_YEAR, 48) == stale_at(as_of, "B", 48) + dt.timedelta(days=3)
    during = dt.datetime(2024, 1, 3, 12, tzinfo=UTC)
    assert not freshness_of(as_of, None, NEW_YEAR, 48, during).stale
    assert freshness_of(as_of, None, "B", 48, during).stale
