"""Which days a ticker trades on, and which of them a series is missing.

Crypto trades every calendar day; stocks, indices and funds only on weekdays, minus holidays we have
no exchange calendar for. The calendar decides what counts as a gap in the history and which dates a
7-step forecast is for (``cryptonic.forecast.calendar.next_dates``, which stays free of pandas for
the serving path), so it is inferred once here from the data itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from cryptonic.forecast.calendar import Calendar

MAX_HOLIDAY_RUN: Final = 4
"""Weekdays in a row a trading-day series may skip before we call it a gap.

The longest regular closures (Christmas to New Year in some markets, Golden Week, Lunar New
Year) skip up to four weekdays; anything longer is missing data, not a holiday.
"""


@dataclass(frozen=True)
class Gap:
    """Rows missing between two consecutive present dates."""

    before: dt.date
    after: dt.date
    missing: int
    calendar: Calendar

    def describe(self) -> str:
        unit = "day" if self.calendar == "D" else "weekday"
        plural = "" if self.missing == 1 else "s"
        return f"missing {self.missing} {unit}{plural} between {self.before} and {self.after}"


def infer_calendar(frame: pd.DataFrame) -> Calendar:
    """``"D"`` if any row falls on a weekend, else ``"B"``.

    One weekend row is proof the asset trades on weekends, so every calendar day is then
    expected; a series without any is a trading-day series whose weekends are not gaps.
    """
    dates = pd.DatetimeIndex(frame["date"])
    return "D" if bool((dates.day_of_week >= 5).any()) else "B"


def find_gaps(dates: pd.Series, calendar: Calendar) -> list[Gap]:
    """Gaps between consecutive dates of an ascending, duplicate-free series."""
    days = pd.DatetimeIndex(dates).values.astype("datetime64[D]")
    if len(days) < 2:
        return []
    before, after = days[:-1], days[1:]
    if calendar == "D":
        missing = (after - before).astype("int64") - 1
        threshold = 0
    else:
        missing = np.busday_count(before + 1, after)
        threshold = MAX_HOLIDAY_RUN
    where = np.flatnonzero(missing > threshold)
    return [
        Gap(
            before=_as_date(before[i]),
            after=_as_date(after[i]),
            missing=int(missing[i]),
            calendar=calendar,
        )
        for i in where
    ]


def _as_date(value: np.datetime64) -> dt.date:
    return pd.Timestamp(value).date()
