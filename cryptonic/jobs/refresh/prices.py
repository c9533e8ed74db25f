"""The refresh's prices: the latest closes, from far enough back to forecast and to score every
retained forecast, and the close there should be by now.

A live feed (or a replay to ``END_DATE``) is read over the window the refresh needs only, so an
old hole in the history cannot stop today's forecast; a fixed snapshot (the bundled one, a CSV
file or folder) is read whole, since its end is unknown until read, and no newer close is
expected of it. Yahoo being unreachable is not an error here: the verdict says what it costs.

One series, one source: the served model's own source (its manifest's ``data.source``) is asked
first. When it does not answer and another source of ``DATA_SOURCES`` does (or
``DATA_SOURCES`` no longer names it), that other source's closes feed the model only if they
agree with the closes the model was trained on (its ``prices.csv``) within ``SOURCE_TOLERANCE``
on their common days; otherwise the refresh fails, naming both sources and the worst day, and
the previous forecast keeps serving.

Everything is counted on the ticker's trading days (:func:`cryptonic.data.trading_days`): its
exchange's sessions when the calendar library knows the exchange, so a holiday is neither a
missing close nor a reason to page, and the forecasts are dated on sessions.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd

from cryptonic.config import Settings, source_chain
from cryptonic.data import (
    DataUnavailableError,
    agreement,
    calendar_release,
    passed_over,
    price_source,
    read_prices_csv,
    require_agreement,
    trading_days,
)
from cryptonic.data.csv_folder import is_folder_source
from cryptonic.data.fetching import offline
from cryptonic.forecast.calendar import Calendar, Sessions, TradingDays, is_trading_day
from cryptonic.forecast.freshness import last_expected_close
from cryptonic.registry.keys import PRICES_NAME

if TYPE_CHECKING:
    from cryptonic.registry.manifest import Manifest
    from cryptonic.registry.registry import Registry

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
    """The validated recent closes (or why there are none: no source could be asked), the
    ticker's trading days (what its forecasts are dated on and its missing closes counted on),
    the source that gave the closes and, when it is not the served model's own, why
    (``fallback``)."""

    dates: list[dt.date]
    closes: list[float]
    calendar: TradingDays
    unavailable: str = ""
    source: str | None = None
    fallback: str = ""

    def stamp(self, forecast: dict[str, Any]) -> dict[str, Any]:
        """A forecast's body with the source of the closes it was made from (when known)."""
        return forecast if self.source is None else {**forecast, "source": self.source}

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
    *,
    served: Manifest | None = None,
    registry: Registry | None = None,
) -> RecentPrices:
    """Closes enough for a ``lookback``-close window and the retained forecasts' scores, on the
    trading days of ``ticker``'s exchange (``week``, the manifest's, for crypto and for an
    exchange without a calendar), from the ``served`` model's own source first; a fallback's
    only when they agree with the model's training closes (read from ``registry``)."""
    end = settings.end_date
    start = settings.start_date
    reference = end or now.date()
    window: dt.date | None = None
    if end is not None or not is_snapshot(settings.data_source):
        calendar = trading_days(ticker, week, reference - dt.timedelta(days=2 * lookback + 31))
        reach = max(settings.forecast_retention_days, days_back(reference, lookback, calendar))
        window = reference - dt.timedelta(days=reach + 14)
        start = window if start is None else max(start, window)
    own = model_source(settings, served)
    chain = own_source_first(settings.data_source, own)
    try:
        frame = load(ticker, start, end, chain, min_rows=lookback)
    except DataUnavailableError as exc:
        log.warning("refresh %s: no prices: %s", ticker, exc)
        calendar = trading_days(ticker, week, window or reference)
        return RecentPrices([], [], calendar, unavailable=str(exc))
    fallback = ""
    if served is not None and registry is not None:
        fallback = checked_fallback(
            settings, frame, served.data.source, lambda: training_prices(registry, served)
        )
    dates = [d.date() for d in frame["date"]]
    closes = [float(c) for c in frame["close"].to_numpy(dtype=np.float64)]
    calendar = trading_days(ticker, week, min(dates[0], reference))
    return RecentPrices(dates, closes, calendar, source=price_source(frame), fallback=fallback)


def days_back(reference: dt.date, closes: int, calendar: TradingDays) -> int:
    """Calendar days back from ``reference`` (inclusive) that hold ``closes`` trading days:
    weekends and, on an exchange's calendar, its holidays (Shanghai's week-long Lunar New Year)
    make a window of N closes longer than N days."""
    day, seen = reference, 0
    while seen < closes:
        seen += is_trading_day(day, calendar)
        day -= dt.timedelta(days=1)
    return (reference - day).days


def model_source(settings: Settings, served: Manifest | None) -> str | None:
    """The source the served model was trained on, when it is one this deployment can ask (a
    manifest from before the chain of sources may hold a setting such as ``auto``)."""
    source = served.data.source if served is not None else None
    names = source_chain(settings.data_source)
    return source if source is not None and source in names else None


def own_source_first(chain: str, own: str | None) -> str:
    """``chain`` with the model's own source moved to the front: one series, one source."""
    names = list(source_chain(chain))
    if own is None or own not in names or names[0] == own:
        return chain
    return ",".join([own, *(n for n in names if n != own)])


def checked_fallback(
    settings: Settings,
    frame: pd.DataFrame,
    trained_on: str | None,
    training: Callable[[], pd.DataFrame],
) -> str:
    """Why ``frame`` is not from the source the model was trained on (``trained_on``, its
    manifest's; "" when it is), after checking that its closes agree with the model's training
    closes; raises ``SourcesDisagreeError`` otherwise. Any other source is checked, whether it
    stands in for one that failed or the deployment's ``DATA_SOURCES`` no longer names the
    model's own; only a manifest from before the chain of sources (``auto``: no name to
    compare) with nothing failed is taken as it is."""
    answered = price_source(frame)
    failed = passed_over(frame)
    if answered is None or answered == trained_on:
        return ""
    legacy = trained_on is None or trained_on == "auto"
    if legacy and not failed:
        return ""
    reference = "the training closes" if legacy else str(trained_on)
    found = agreement(training(), frame, reference, answered)
    require_agreement(found, settings.source_tolerance)
    why = "; ".join(failed) or f"{reference} was not asked: DATA_SOURCES={settings.data_source}"
    note = f"{answered} stands in ({why}); {found.describe()}"
    log.warning("refresh: fallback in use: %s", note)
    return note


def training_prices(registry: Registry, served: Manifest) -> pd.DataFrame:
    """The closes the served version was trained on (its ``prices.csv``, checked by sha256)."""
    data = registry.load_artifact(served.ticker, served.version, PRICES_NAME, manifest=served)
    return read_prices_csv(data, ticker=served.ticker)


def expected_close(settings: Settings, calendar: TradingDays, now: dt.datetime) -> dt.date | None:
    """The latest close there should be: END_DATE's (reproducible runs), None for a fixed
    snapshot or offline (where only fixed snapshots answer), else the last trading day before
    today (UTC): on an exchange's calendar, a holiday is no close to expect."""
    end = settings.end_date
    if end is not None:
        return last_expected_close(end + dt.timedelta(days=1), calendar)
    if is_snapshot(settings.data_source) or offline():
        return None
    return last_expected_close(now.date(), calendar)


def past_the_calendar(calendar: TradingDays, missing: Sequence[dt.date]) -> str:
    """What the run must add when closes are missing past the end of the exchange's calendar
    ("" otherwise): the days there are counted on the weekday rule, so a holiday the calendar
    release does not know yet (Shanghai's after 2026 in exchange_calendars 4.13) looks like a
    missing close, until a newer release is pinned."""
    if not isinstance(calendar, Sessions):
        return ""
    past = [day for day in missing if day > calendar.last]
    if not past:
        return ""
    return (
        f"{len(past)} of them after {calendar.last}, where the {calendar.exchange} calendar of "
        f"exchange_calendars {calendar_release()} ends: a holiday there counts as a missing "
        "close until a newer release is pinned"
    )


def is_snapshot(source: str) -> bool:
    """The bundled snapshot, a CSV file or a folder of them (every source of the chain): data
    that does not grow while we read it (``yahoo``, ``auto`` and the exchanges do)."""
    return all(
        name == "bundled" or name.lower().endswith(".csv") or is_folder_source(name)
        for name in (part.strip() for part in source.split(","))
    )
