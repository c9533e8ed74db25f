"""Which days a ticker has a close on, and the dates a forecast is for (standard library only).

Crypto trades every calendar day (``D``); stocks, indices and funds on weekdays (``B``), minus
holidays we have no exchange calendar for. The calendar is inferred from the data
(:func:`cryptonic.data.calendar.infer_calendar`) and recorded in each manifest; the serving
path reads it from there, so this module stays free of pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

Calendar = Literal["D", "B"]
"""``D``: every calendar day (crypto). ``B``: weekdays only (exchange-traded tickers)."""

__all__ = ["Calendar", "is_trading_day", "next_dates"]


def is_trading_day(day: dt.date, calendar: Calendar) -> bool:
    """Whether ``day`` has a close on ``calendar`` (holidays aside)."""
    return calendar == "D" or day.weekday() < 5


def next_dates(last: dt.date, count: int, calendar: Calendar = "D") -> list[dt.date]:
    """The ``count`` dates after ``last`` on which the ticker has a close."""
    dates: list[dt.date] = []
    day = last
    while len(dates) < count:
        day += dt.timedelta(days=1)
        if is_trading_day(day, calendar):
            dates.append(day)
    return dates
