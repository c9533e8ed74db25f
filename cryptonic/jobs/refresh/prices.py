"""The refresh's prices: the latest closes, from far enough back to forecast and to score every
retained forecast, and the close there should be by now.

A live feed (or a replay to ``END_DATE``) is read over the window the refresh needs only, so an
old hole in the history cannot stop today's forecast; a fixed snapshot (the bundled one, a CSV
file or folder) is read whole, since its end is unknown until read, and no newer close is
expected of it. Yahoo being unreachable is not an error here: the verdict says what it costs.

Everything is counted on the ticker's trading days (:func:`cryptonic.data.trading_days`): its
exchange's sessions when the calendar library knows the exchange, so a holiday is neither a
missing close nor a reason to page, and the forecasts are dated on sessions.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from cryptonic.config import Settings
from cryptonic.data import DataUnavailableError, trading_days
from cryptonic.data.csv_folder import is_folder_source
from cryptonic.forecast.calendar import Calendar, TradingDays, is_trading_day
from cryptonic.forecast.freshness import last_expected_close

log = logging.getLogger("cryptonic.refresh")


class PriceLoader(Protocol):
    """:func:`cryptonic.data.load_prices` (tests pass one that fails like Yahoo)."""

    def __call__(
        self,
        ticker: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        source: str = "auto",
        min_rows: int | None = None,
    ) -> pd.DataFrame: ...


@dataclass(frozen=True)
class RecentPrices:
    """The validated recent closes (or why there are none: Yahoo could not be asked), and the
    ticker's trading days: what its forecasts are dated on and its missing closes counted on."""

    dates: list[dt.date]
    closes: list[float]
    calendar: TradingDays
    unavailable: str = ""

    @property
    def last(self) -> dt.date | None:
        return self.dates[-1] if self.dates else None

    def by_date(self) -> dict[dt.date, float]:
        return dict(zip(self.dates, self.closes, strict=True))


def load_recent(
    settings: Settings,
    ticker: str,
    lookback: int,
    week: Calendar,
    now: dt.datetime,
    load: PriceLoader,
) -> RecentPrices:
    """Closes enough for a ``lookback``-close window and the retained forecasts' scores, on the
    trading days of ``ticker``'s exchange (``week``, the manifest's, for crypto and for an
    exchange without a calendar)."""
    end = settings.end_date
    start = settings.start_date
    reference = end or now.date()
    window: dt.date | None = None
    if end is not None or not is_snapshot(settings.data_source):
        calendar = trading_days(ticker, week, reference - dt.timedelta(days=2 * lookback + 31))
        reach = max(settings.forecast_retention_days, days_back(reference, lookback, calendar))
        window = reference - dt.timedelta(days=reach + 14)
        start = window if start is None else max(start, window)
    try:
        frame = load(ticker, start, end, settings.data_source, min_rows=lookback)
    except DataUnavailableError as exc:
        log.warning("refresh %s: no prices: %s", ticker, exc)
        calendar = trading_days(ticker, week, window or reference)
        return RecentPrices([], [], calendar, unavailable=str(exc))
    dates = [d.date() for d in frame["date"]]
    closes = [float(c) for c in frame["close"].to_numpy(dtype=np.float64)]
    return RecentPrices(dates, closes, trading_days(ticker, week, min(dates[0], reference)))


def days_back(reference: dt.date, closes: int, calendar: TradingDays) -> int:
    """Calendar days back from ``reference`` (inclusive) that hold ``closes`` trading days:
    weekends and, on an exchange's calendar, its holidays (Shanghai's week-long Lunar New Year)
    make a window of N closes longer than N days."""
    day, seen = reference, 0
    while seen < closes:
        seen += is_trading_day(day, calendar)
        day -= dt.timedelta(days=1)
    return (reference - day).days


def expected_close(settings: Settings, calendar: TradingDays, now: dt.datetime) -> dt.date | None:
    """The latest close there should be: END_DATE's (reproducible runs), None for a fixed
    snapshot, else the last trading day before today (UTC): on an exchange's calendar, a
    holiday is no close to expect."""
    end = settings.end_date
    if end is not None:
        return last_expected_close(end + dt.timedelta(days=1), calendar)
    if is_snapshot(settings.data_source):
        return None
    return last_expected_close(now.date(), calendar)


def is_snapshot(source: str) -> bool:
    """The bundled snapshot, a CSV file or a folder of them: data that does not grow while we
    read it (``yahoo``, ``auto`` do)."""
    return source == "bundled" or source.lower().endswith(".csv") or is_folder_source(source)
