"""Which days a price series should have, and which of them it is missing.

Crypto trades every calendar day; a stock trades on its exchange's sessions
(:mod:`cryptonic.data.exchanges`), so its holidays are not gaps. The shape of the week is
inferred from the data itself (:func:`infer_calendar`) and recorded in each manifest; the
dates a forecast is for come from the same trading days
(``cryptonic.forecast.calendar.next_dates``, free of pandas for the serving path).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from cryptonic.forecast.calendar import Calendar, Sessions, TradingDays

MAX_HOLIDAY_RUN: Final = 7
"""Weekdays in a row a series of an exchange we have no calendar for may skip before we call
it a gap: the longest closure any exchange in the calendar library had since 2015 (Taiwan's
Lunar New Year of 2016, Jakarta's Eid of 2018; Shanghai's and Tokyo's longest are six)."""

MAX_MISSING_SESSIONS: Final = 2
"""Sessions in a row a series may lack where its exchange's calendar says it traded: a closure
announced after the calendar release we pin (a day of mourning, a storm) is a day or two;
three sessions missing in a row is a hole in the data."""


@dataclass(frozen=True)
class Gap:
    """Rows missing between two consecutive present dates."""

    before: dt.date
    after: dt.date
    missing: int
    unit: str
    """What is missing: ``day``, ``weekday`` or an exchange's ``XTKS session``."""

    def describe(self) -> str:
        plural = "" if self.missing == 1 else "s"
        return f"missing {self.missing} {self.unit}{plural} between {self.before} and {self.after}"


def infer_calendar(frame: pd.DataFrame) -> Calendar:
    """``"D"`` if any row falls on a weekend, else ``"B"``.

    One weekend row is proof the asset trades on weekends, so every calendar day is then
    expected; a series without any is a trading-day series whose weekends are not gaps.
    """
    dates = pd.DatetimeIndex(frame["date"])
    return "D" if bool((dates.day_of_week >= 5).any()) else "B"


def find_gaps(dates: pd.Series, calendar: TradingDays) -> list[Gap]:
    """Gaps between consecutive dates of an ascending, duplicate-free series.

    Every day missing is a gap for ``D``; for ``B`` a run of more than ``MAX_HOLIDAY_RUN``
    weekdays; with an exchange's sessions a run of more than ``MAX_MISSING_SESSIONS`` sessions
    (between two dates the calendar covers; else the weekday rule).
    """
    days = pd.DatetimeIndex(dates).values.astype("datetime64[D]")
    if len(days) < 2:
        return []
    before, after = days[:-1], days[1:]
    if calendar == "D":
        missing = (after - before).astype("int64") - 1
        threshold = np.zeros_like(missing)
        units = np.full(missing.shape, "day", dtype=object)
    else:
        missing = np.busday_count(before + 1, after)
        threshold = np.full_like(missing, MAX_HOLIDAY_RUN)
        units = np.full(missing.shape, "weekday", dtype=object)
    if isinstance(calendar, Sessions):
        inside = _covered(calendar, before, after)
        missing = np.where(inside, _sessions_between(calendar, before, after), missing)
        threshold = np.where(inside, MAX_MISSING_SESSIONS, threshold)
        units = np.where(inside, f"{calendar.exchange} session", units)
    where = np.flatnonzero(missing > threshold)
    return [
        Gap(
            before=_as_date(before[i]),
            after=_as_date(after[i]),
            missing=int(missing[i]),
            unit=str(units[i]),
        )
        for i in where
    ]


def _covered(
    sessions: Sessions, before: npt.NDArray[np.datetime64], after: npt.NDArray[np.datetime64]
) -> npt.NDArray[np.bool_]:
    first, last = np.datetime64(sessions.first, "D"), np.datetime64(sessions.last, "D")
    covered: npt.NDArray[np.bool_] = (before >= first) & (after <= last)
    return covered


def _sessions_between(
    sessions: Sessions, before: npt.NDArray[np.datetime64], after: npt.NDArray[np.datetime64]
) -> npt.NDArray[np.int64]:
    """Sessions strictly between each pair of dates."""
    known = np.array(sorted(sessions.days), dtype="datetime64[D]")
    counts: npt.NDArray[np.int64] = np.searchsorted(known, after, "left") - np.searchsorted(
        known, before, "right"
    )
    return counts


def _as_date(value: np.datetime64) -> dt.date:
    return pd.Timestamp(value).date()
