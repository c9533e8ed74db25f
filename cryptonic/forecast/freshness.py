"""How fresh a forecast is, and how fresh it should be: the calendar arithmetic of the refresh.

Serving (``age_hours``, the ``stale`` flag, ``/status``'s next refresh) and the refresh job
(which closes are missing, the stale-forecast metric the alarm reads) must agree to the hour, so
both read these few rules, and nothing here needs more than the standard library (the serving
cold start imports it).

* A close of day D is final at 00:00 UTC of D+1; the daily refresh runs at ``REFRESH_HOUR_UTC``
  (minute :data:`~cryptonic.config.REFRESH_MINUTE`) and expects the close of the day before.
* A forecast's **age** counts from its data, not from when it was computed: the hours since the
  close it starts from (``as_of``) was final. A forecast computed a minute ago from a close two
  months old (the bundled snapshot offline, a price source that is blocked) is two months old;
  ``generated_at`` only says when the computation ran.
* A forecast is **stale** once it is older than ``STALE_AFTER_HOURS``, not counting the days
  its market was closed after ``as_of``: the forecast of a stock's Friday close is the freshest
  there can be until Monday's close, so it goes stale two days later than a Bitcoin forecast.
* Closed means what the calendar says: a week's rule (``D``, ``B``), or an exchange's
  :class:`~cryptonic.forecast.calendar.Sessions`, whose holidays are then neither missing closes
  nor staleness. The jobs build those with the calendar library; serving reads them off the
  forecast's own dates (``Sessions.of_forecast``), which the jobs dated on the sessions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptonic.config import REFRESH_MINUTE
from cryptonic.forecast.calendar import TradingDays, is_trading_day, next_dates

__all__ = [
    "Freshness",
    "age_hours",
    "close_final_at",
    "closed_days_after",
    "days_since_close",
    "format_timestamp",
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


def format_timestamp(moment: dt.datetime) -> str:
    """``moment`` as we write timestamps (``2026-10-06T00:30:00Z``, UTC; a naive one is taken
    as UTC): what :func:`parse_timestamp` reads back."""
    utc = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def closed_days_after(as_of: dt.date, calendar: TradingDays) -> int:
    """Days without a close between ``as_of`` and the next trading day (2 after a Friday)."""
    [following] = next_dates(as_of, 1, calendar)
    return (following - as_of).days - 1


def close_final_at(day: dt.date) -> dt.datetime:
    """When the close of ``day`` is final (00:00 UTC of the next day): the moment a forecast
    from it is as fresh as a forecast can be, and the origin of its age."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def stale_at(as_of: dt.date, calendar: TradingDays, stale_after_hours: float) -> dt.datetime:
    """When a forecast from the close of ``as_of`` goes stale, whenever it was computed."""
    allowance = dt.timedelta(days=closed_days_after(as_of, calendar))
    return close_final_at(as_of) + dt.timedelta(hours=stale_after_hours) + allowance


def age_hours(as_of: dt.date, now: dt.datetime) -> float:
    """Hours since the close of ``as_of`` was final (0 for a clock behind it)."""
    return max(0.0, (now - close_final_at(as_of)).total_seconds() / 3600.0)


def days_since_close(age: float) -> int:
    """Calendar days from the close a forecast starts from to now, given its :func:`age_hours`
    (which counts from the end of that day): 1 on the day after the close."""
    return int(age // 24) + 1


@dataclass(frozen=True)
class Freshness:
    """What a served forecast's age means right now."""

    as_of: dt.date
    generated_at: dt.datetime | None
    """When the forecast was computed (None: it does not say); its age does not depend on it."""
    age_hours: float
    stale: bool
    stale_at: dt.datetime


def freshness_of(
    as_of: dt.date,
    generated_at: str | None,
    calendar: TradingDays,
    stale_after_hours: float,
    now: dt.datetime,
) -> Freshness:
    """The age and staleness of a forecast from the close of ``as_of``, at ``now``."""
    due = stale_at(as_of, calendar, stale_after_hours)
    made = parse_timestamp(generated_at)
    return Freshness(as_of, made, age_hours(as_of, now), now >= due, due)


def last_expected_close(today: dt.date, calendar: TradingDays) -> dt.date:
    """The latest close a refresh on UTC day ``today`` can expect: the trading day before it."""
    day = today - dt.timedelta(days=1)
    while not is_trading_day(day, calendar):
        day -= dt.timedelta(days=1)
    return day


def missing_closes(have: dt.date, expected: dt.date, calendar: TradingDays) -> list[dt.date]:
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
