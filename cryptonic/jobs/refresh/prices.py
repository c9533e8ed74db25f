"""The refresh's prices: the latest closes, from far enough back to forecast and to score every
retained forecast, and the close there should be by now.

A live feed (or a replay to ``END_DATE``) is read over the window the refresh needs only, so an
old hole in the history cannot stop today's forecast; a fixed snapshot (the bundled one, a CSV
file or folder) is read whole, since its end is unknown until read, and no newer close is
expected of it. Yahoo being unreachable is not an error here: the verdict says what it costs.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from cryptonic.config import Settings
from cryptonic.data import DataUnavailableError
from cryptonic.data.csv_folder import is_folder_source
from cryptonic.forecast.calendar import Calendar
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
    """The validated recent closes (or why there are none: Yahoo could not be asked)."""

    dates: list[dt.date]
    closes: list[float]
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
    calendar: Calendar,
    now: dt.datetime,
    load: PriceLoader,
) -> RecentPrices:
    """Closes enough for a ``lookback``-close window and the retained forecasts' scores."""
    end = settings.end_date
    start = settings.start_date
    if end is not None or not is_snapshot(settings.data_source):
        reference = end or now.date()
        lookback_days = math.ceil(lookback * (7 / 5 if calendar == "B" else 1)) + 14
        days = max(settings.forecast_retention_days + 14, lookback_days)
        window = reference - dt.timedelta(days=days)
        start = window if start is None else max(start, window)
    try:
        frame = load(ticker, start, end, settings.data_source, min_rows=lookback)
    except DataUnavailableError as exc:
        log.warning("refresh %s: no prices: %s", ticker, exc)
        return RecentPrices([], [], unavailable=str(exc))
    dates = [d.date() for d in frame["date"]]
    closes = [float(c) for c in frame["close"].to_numpy(dtype=np.float64)]
    return RecentPrices(dates, closes)


def expected_close(settings: Settings, calendar: Calendar, now: dt.datetime) -> dt.date | None:
    """The latest close there should be: END_DATE's (reproducible runs), None for a fixed
    snapshot, else the last trading day before today (UTC)."""
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
