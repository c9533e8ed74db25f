"""How fresh a forecast is, and how fresh it should be: the calendar arithmetic of the refresh.

Serving (``age_hours``, the ``stale`` flag, ``/status``'s next refresh) and the refresh job
(which closes are missing, the stale-forecast metric the alarm reads) must agree to the hour, so
both read these few rules, and nothing here needs more than the standard library (the serving
cold start imports it).

* A close of day D is final at 00:00 UTC of D+1; the daily refresh runs at ``REFRESH_HOUR_UTC``
  (minute :data:`~cryptonic.config.REFRESH_MINUTE`) and expects the close of the day before.
* A forecast is **stale** once it is older than ``STALE_AFTER_HOURS``, not counting the days
  its market was closed after ``as_of``: the forecast of a stock's Friday close is the freshest
  there can be until Monday's close, so it goes stale two days later than a Bitcoin forecast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptonic.config import REFRESH_MINUTE
from cryptonic.forecast.calendar import Calendar, is_trading_day, next_dates

__all__ = [
    "Freshness",
    "age_hours",
    "closed_days_after",
    "freshness_of",
    "last_expected_close",
    "missing_closes",
    "next_refresh_due",
    "parse_timestamp",
    "stale_at",
]


def parse_timestamp(value: str | None) -> dt.datetime | None:
    """An ISO timestamp as we write them (``2026-10-06T00:30:00Z``) in UTC; None if unusable."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def closed_days_after(as_of: dt.date, calendar: Calendar) -> int:
    """Days without a close between ``as_of`` and the next trading day (2 after a Friday)."""
    [following] = next_dates(as_of, 1, calendar)
    return (following - as_of).days - 1


def stale_at(
    generated_at: dt.datetime, as_of: dt.date, calendar: Calendar, stale_after_hours: float
) -> dt.datetime:
    """When a forecast made at ``generated_at`` from the close of ``as_of`` goes stale."""
    allowance = dt.timedelta(days=closed_days_after(as_of, calendar))
    return generated_at + dt.timedelta(hours=stale_after_hours) + allowance


def age_hours(generated_at: dt.datetime, now: dt.datetime) -> float:
    """Hours since the forecast was made (0 for a clock that lags the writer's)."""
    return max(0.0, (now - generated_at).total_seconds() / 3600.0)


@dataclass(frozen=True)
class Freshness:
    """What a served forecast's age means right now."""

    as_of: dt.date
    generated_at: dt.datetime | None
    age_hours: float | None
    stale: bool
    stale_at: dt.datetime | None


def freshness_of(
    as_of: dt.date,
    generated_at: str | None,
    calendar: Calendar,
    stale_after_hours: float,
    now: dt.datetime,
) -> Freshness:
    """The age and staleness of a forecast; one without a readable ``generated_at`` has no age
    and is never called stale (nothing says when it was made)."""
    made = parse_timestamp(generated_at)
    if made is None:
        return Freshness(as_of, None, None, False, None)
    due = stale_at(made, as_of, calendar, stale_after_hours)
    return Freshness(as_of, made, age_hours(made, now), now >= due, due)


def last_expected_close(today: dt.date, calendar: Calendar) -> dt.date:
    """The latest close a refresh on UTC day ``today`` can expect: the trading day before it."""
    day = today - dt.timedelta(days=1)
    while not is_trading_day(day, calendar):
        day -= dt.timedelta(days=1)
    return day


def missing_closes(have: dt.date, expected: dt.date, calendar: Calendar) -> list[dt.date]:
    """The trading days after ``have`` up to ``expected`` (inclusive): closes not yet seen."""
    missing: list[dt.date] = []
    day = have + dt.timedelta(days=1)
    while day <= expected:
        if is_trading_day(day, calendar):
            missing.append(day)
        day += dt.timedelta(days=1)
    return missing


def next_refresh_due(now: dt.datetime, hour_utc: int, minute: int = REFRESH_MINUTE) -> dt.datetime:
    """The next time the daily refresh is scheduled, at or after ``now`` (UTC)."""
    now = now.astimezone(dt.UTC)
    due = now.replace(hour=hour_utc, minute=minute, second=0, microsecond=0)
    return due if due >= now else due + dt.timedelta(days=1)
