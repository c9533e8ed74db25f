"""Which exchange a ticker trades on, and that exchange's trading days.

A weekdays-only guess made every holiday a missing close: Tokyo's three-day New Year paged as
stale data, and Shanghai's week-long Lunar New Year looked like a hole that rejected a whole
year of prices. The trading days come instead from ``exchange_calendars`` (pinned in
requirements.txt): it is maintained, names its calendars by ISO MIC (``XTKS``, ``XSHG``),
covers the exchanges Yahoo's suffixes name, and is the library ``pandas_market_calendars``
itself wraps for them, so it brings the same sessions with fewer dependencies. Its import costs
about a second, so it is imported when a calendar is first asked for, and only the jobs ask
(serving reads trading days off the forecasts: :meth:`Sessions.of_forecast`).

The exchange comes from Yahoo's suffix (``7203.T``: Tokyo); a ticker without one is a US
listing (``AAPL``, ``BRK-B``); a main index (``^GSPC``, ``^N225``) closes on the sessions of the
exchange it is computed from (:data:`INDEX_EXCHANGES`); other indices, currencies and futures
(``=X``, ``=F``) and unknown suffixes have no calendar and keep the tolerant weekday rule of
:mod:`cryptonic.data.calendar`. Crypto is told apart by its data, not its name: a series with
weekend rows trades every day (``infer_calendar``), whatever its ticker looks like.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import logging
import warnings
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

import pandas as pd

from cryptonic.data.calendar import infer_calendar
from cryptonic.forecast.calendar import Calendar, Sessions, TradingDays

log = logging.getLogger("cryptonic.data")

US_EXCHANGE: Final = "XNYS"
"""Tickers without a suffix: NYSE and Nasdaq share one holiday calendar."""

SUFFIX_EXCHANGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        # Asia and the Pacific
        "T": "XTKS",  # Tokyo
        "HK": "XHKG",  # Hong Kong
        "SS": "XSHG",  # Shanghai
        "SZ": "XSHG",  # Shenzhen: the same holidays, set for both by the CSRC
        "KS": "XKRX",  # Korea (KOSPI)
        "KQ": "XKRX",  # Korea (KOSDAQ)
        "TW": "XTAI",  # Taiwan
        "TWO": "XTAI",  # Taipei Exchange
        "SI": "XSES",  # Singapore
        "BO": "XBOM",  # Bombay
        "NS": "XBOM",  # National Stock Exchange of India: the same holiday list as Bombay
        "JK": "XIDX",  # Jakarta
        "KL": "XKLS",  # Kuala Lumpur
        "BK": "XBKK",  # Bangkok
        "AX": "XASX",  # Australia
        "NZ": "XNZE",  # New Zealand
        # Europe
        "L": "XLON",  # London
        "IL": "XLON",  # London, international order book
        "DE": "XETR",  # Xetra
        "F": "XFRA",  # Frankfurt
        "DU": "XDUS",  # Düsseldorf
        "HM": "XHAM",  # Hamburg
        "SG": "XSTU",  # Stuttgart
        "PA": "XPAR",  # Euronext Paris
        "AS": "XAMS",  # Euronext Amsterdam
        "BR": "XBRU",  # Euronext Brussels
        "LS": "XLIS",  # Euronext Lisbon
        "IR": "XDUB",  # Euronext Dublin
        "MI": "XMIL",  # Milan
        "MC": "XMAD",  # Madrid
        "SW": "XSWX",  # SIX Swiss
        "VI": "XWBO",  # Vienna
        "ST": "XSTO",  # Stockholm
        "OL": "XOSL",  # Oslo
        "CO": "XCSE",  # Copenhagen
        "HE": "XHEL",  # Helsinki
        "IC": "XICE",  # Iceland
        "WA": "XWAR",  # Warsaw
        "PR": "XPRA",  # Prague
        "BD": "XBUD",  # Budapest
        "IS": "XIST",  # Istanbul
        # The Americas and Africa
        "TO": "XTSE",  # Toronto
        "V": "XTSE",  # TSX Venture: Toronto's holidays
        "SA": "BVMF",  # São Paulo
        "MX": "XMEX",  # Mexico
        "SN": "XSGO",  # Santiago
        "BA": "XBUE",  # Buenos Aires
        "JO": "XJSE",  # Johannesburg
    }
)
"""Yahoo's ticker suffixes and the calendar of the exchange each names. Left out on purpose:
exchanges whose week is not Monday to Friday (Tel Aviv until 2026, Riyadh), which a
weekday-shaped calendar would get wrong, and Athens, whose calendar (Orthodox Easter) the
pinned release cannot build under pandas 3."""


INDEX_EXCHANGES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "^GSPC": "XNYS",  # S&P 500
        "^DJI": "XNYS",  # Dow Jones Industrial Average
        "^IXIC": "XNYS",  # Nasdaq Composite (Nasdaq keeps NYSE's holidays)
        "^NDX": "XNYS",  # Nasdaq-100
        "^RUT": "XNYS",  # Russell 2000
        "^NYA": "XNYS",  # NYSE Composite
        "^VIX": "XNYS",  # Cboe Volatility Index: a close on US sessions
        "^GSPTSE": "XTSE",  # S&P/TSX Composite
        "^BVSP": "BVMF",  # Bovespa
        "^MXX": "XMEX",  # IPC Mexico
        "^FTSE": "XLON",  # FTSE 100
        "^GDAXI": "XETR",  # DAX
        "^FCHI": "XPAR",  # CAC 40
        "^AEX": "XAMS",  # AEX
        "^BFX": "XBRU",  # BEL 20
        "^IBEX": "XMAD",  # IBEX 35
        "^SSMI": "XSWX",  # SMI
        "^N225": "XTKS",  # Nikkei 225
        "^HSI": "XHKG",  # Hang Seng
        "^KS11": "XKRX",  # KOSPI
        "^TWII": "XTAI",  # TAIEX
        "^STI": "XSES",  # Straits Times
        "^BSESN": "XBOM",  # S&P BSE Sensex
        "^NSEI": "XBOM",  # Nifty 50: India's one holiday list
        "^JKSE": "XIDX",  # Jakarta Composite
        "^KLSE": "XKLS",  # FTSE Bursa Malaysia KLCI
        "^AXJO": "XASX",  # S&P/ASX 200
        "^NZ50": "XNZE",  # S&P/NZX 50
    }
)
"""Main indices Yahoo lists and the exchange whose sessions each closes on. Without one, an
index was dated on weekdays: ``^GSPC`` got a forecast for Thanksgiving, a day that never closes,
and each later day was scored against the close one session earlier."""


def exchange_of(ticker: str) -> str | None:
    """The calendar name of the exchange ``ticker`` trades on; None when we have none for it."""
    symbol = ticker.strip().upper()
    if symbol.startswith("^"):
        return INDEX_EXCHANGES.get(symbol)
    if not symbol or "=" in symbol:
        return None
    if "." in symbol:
        return SUFFIX_EXCHANGES.get(symbol.rsplit(".", 1)[1])
    return US_EXCHANGE


def trading_days(ticker: str | None, week: Calendar, since: dt.date) -> TradingDays:
    """The days ``ticker`` trades on from ``since`` (or earlier) to as far ahead as its
    exchange's calendar knows (most know a year ahead; beyond that, the ``week`` rule): the
    exchange's sessions, or the ``week`` rule itself for crypto (``D``: every day) and for a
    ticker whose exchange has no calendar."""
    exchange = exchange_of(ticker) if ticker and week == "B" else None
    if exchange is None:
        return week
    return _sessions(exchange, _since(since)) or week


def frame_calendar(frame: pd.DataFrame, ticker: str | None) -> TradingDays:
    """The trading days of a price frame: what its gaps are counted on and what a forecast from
    its last close is dated on (its week inferred from its rows, its exchange from ``ticker``)."""
    return trading_days(ticker, infer_calendar(frame), frame["date"].iloc[0].date())


def calendar_release() -> str:
    """The release of the calendar library in use: a run whose closes fall past the end of an
    exchange's calendar names it, since only a newer release knows the holidays there."""
    try:
        return importlib.metadata.version("exchange_calendars")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _since(start: dt.date) -> dt.date | None:
    """None when a default calendar (twenty years back) reaches ``start``; else the first of
    January of its year (one cached calendar per exchange and year)."""
    import exchange_calendars as xcals  # type: ignore[import-untyped]  # no py.typed

    if start >= xcals.ExchangeCalendar.default_start().date():
        return None
    return dt.date(start.year, 1, 1)


@functools.lru_cache(maxsize=64)
def _sessions(exchange: str, since: dt.date | None) -> Sessions | None:
    """The exchange's sessions as plain dates; None (the tolerant rule) if the library cannot
    build its calendar, which must cost the ticker its holidays, never its run."""
    try:
        with warnings.catch_warnings():
            # The pinned release reads a tz-aware Series' .values, which pandas 3.1 deprecates:
            # its noise, not ours to act on (the sessions it computes are right).
            warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
            calendar, first, last = _calendar(exchange, since)
        days = frozenset(calendar.sessions.date.tolist())
    except Exception as exc:  # a third-party calendar failing falls back, as an unknown one
        log.warning("no %s calendar (%s: %s): weekdays instead", exchange, type(exc).__name__, exc)
        return None
    return Sessions(exchange, first, last, days, "B")


def _calendar(exchange: str, since: dt.date | None) -> tuple[Any, dt.date, dt.date]:
    """The library's calendar (which it caches) and the span it covers: from its default start
    (twenty years back), or from ``since`` as far back as it can go, to its default end."""
    import exchange_calendars as xcals

    calendar = xcals.get_calendar(exchange)
    factory = type(calendar)
    first, last = factory.default_start().date(), factory.default_end().date()
    if since is not None and since < first:
        bound = factory.bound_min()
        first = since if bound is None else max(since, bound.date())
        calendar = xcals.get_calendar(exchange, start=first, end=last)
    return calendar, first, last
