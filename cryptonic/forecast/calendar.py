"""Which days a ticker has a close on, and the dates a forecast is for (standard library only).

Two layers, so that the serving path never needs the exchange calendar library (nor pandas):

* :data:`Calendar`, the shape of the week, recorded in each manifest: crypto trades every
  calendar day (``D``); stocks, indices and funds on weekdays (``B``).
* :class:`Sessions`, an exchange's real trading days over a span, as plain dates: the jobs
  compute them with the calendar library (:mod:`cryptonic.data.exchanges`) so that holidays are
  neither gaps nor missing closes and a forecast's dates are trading days; serving rebuilds the
  few it needs from a forecast's own dates (:meth:`Sessions.of_forecast`), which the jobs wrote.

Every function here takes either (:data:`TradingDays`); a day outside a :class:`Sessions` span
falls back to its week's rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

Calendar = Literal["D", "B"]
"""``D``: every calendar day (crypto). ``B``: weekdays only (exchange-traded tickers)."""

__all__ = ["Calendar", "Sessions", "TradingDays", "is_trading_day", "next_dates", "week_of"]


@dataclass(frozen=True)
class Sessions:
    """The days an exchange trades on from ``first`` to ``last`` (inclusive); outside that span
    the ``week`` rule, since a calendar is only as long as the holidays it knows."""

    exchange: str
    """Who said so: a calendar's name (``XTKS``), or ``forecast`` for dates read off a forecast."""
    first: dt.date
    last: dt.date
    days: frozenset[dt.date]
    week: Calendar = "B"

    def trades_on(self, day: dt.date) -> bool:
        if self.first <= day <= self.last:
            return day in self.days
        return _week_trades_on(day, self.week)

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` is inside the span the exchange's calendar answers for."""
        return self.first <= day <= self.last

    @classmethod
    def of_forecast(
        cls, as_of: dt.date, dates: Sequence[str | dt.date], week: Calendar
    ) -> Sessions:
        """The trading days a forecast's own dates show: the jobs date a forecast on its
        exchange's sessions, so from the day after ``as_of`` to its last date the days it names
        are exactly the trading days (serving's holidays, without the calendar library)."""
        days = frozenset(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(d[:10]) for d in dates
        )
        last = max(days, default=as_of)
        return cls("forecast", as_of + dt.timedelta(days=1), last, days, week)


TradingDays: TypeAlias = Calendar | Sessions
"""What the functions below take: a week's rule, or an exchange's sessions."""


def week_of(calendar: TradingDays) -> Calendar:
    """The shape of the week (what a manifest records)."""
    return calendar.week if isinstance(calendar, Sessions) else calendar


def is_trading_day(day: dt.date, calendar: TradingDays) -> bool:
    """Whether ``day`` has a close: every day (``D``), a weekday (``B``), or a session."""
    if isinstance(calendar, Sessions):
        return calendar.trades_on(day)
    return _week_trades_on(day, calendar)


def next_dates(last: dt.date, count: int, calendar: TradingDays = "D") -> list[dt.date]:
    """The ``count`` dates after ``last`` on which the ticker has a close."""
    dates: list[dt.date] = []
    day = last
    while len(dates) < count:
        day += dt.timedelta(days=1)
        if is_trading_day(day, calendar):
            dates.append(day)
    return dates


def _week_trades_on(day: dt.date, week: Calendar) -> bool:
    return week == "D" or day.weekday() < 5
