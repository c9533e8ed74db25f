"""``load_prices``: one call that picks a source, cuts the range and validates.

Training, backtests and the CLI all need "the daily prices of X from A to B" and must not care
whether they came from Yahoo, the bundled snapshot or a CSV someone exported; they do need every
source to honour the same range and pass the same checks, which is what this module guarantees.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

import pandas as pd

from cryptonic.config import Settings, get_settings, normalize_ticker
from cryptonic.data.bundled import BUNDLED_TICKER, load_bundled
from cryptonic.data.csv_folder import csv_in_folder, is_folder_source
from cryptonic.data.csvio import read_prices_csv
from cryptonic.data.frame import standardize
from cryptonic.data.validation import validate_prices
from cryptonic.data.yahoo import (
    AUTO_POLICY,
    DEFAULT_POLICY,
    OFFLINE_ENV,
    DataUnavailableError,
    YahooPolicy,
    fetch_yahoo,
    offline,
)
from cryptonic.errors import DataError

log = logging.getLogger("cryptonic.data")


def load_prices(
    ticker: str,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    source: str = "auto",
    min_rows: int | None = None,
    *,
    policy: YahooPolicy | None = None,
) -> pd.DataFrame:
    """Validated daily prices of ``ticker`` from ``start`` to ``end`` (both inclusive).

    ``source`` is ``"yahoo"``, ``"bundled"`` (BTC-USD only), a path to a ``.csv`` file in
    Yahoo's layout, a folder of ``<TICKER>.csv`` files (a path ending in ``/``; tickers without
    a file there follow ``"auto"``), or ``"auto"``: Yahoo, falling back to the bundled snapshot
    for BTC-USD when Yahoo cannot be reached (never when Yahoo answers with bad or no data).
    ``policy`` overrides the Yahoo retry/timeout policy (tests inject a no-op sleep through it);
    without it, ``yahoo_policy(source)`` applies this process's settings.

    Returns columns ``date, open, high, low, close, volume`` (tz-naive midnight dates,
    float64 values), one row per trading day, ascending, with a RangeIndex.
    """
    try:
        symbol = normalize_ticker(ticker)
    except ValueError as exc:
        raise DataError(str(exc)) from exc
    first = _as_date(start, "start")
    last = _as_date(end, "end")
    if first is not None and last is not None and first > last:
        raise DataError(f"start {first} is after end {last}: nothing to load")
    if min_rows is not None and min_rows < 1:
        raise DataError(f"min_rows must be at least 1, got {min_rows}")

    raw, origin = _from_source(symbol, first, last, source, policy)
    frame = _within(standardize(raw, ticker=symbol), first, last)
    if frame.empty:
        covered = _coverage(raw, symbol)
        raise DataError(
            f"no prices for {symbol!r} from {first or 'the first day'} to {last or 'the last'} "
            f"in {origin} (it covers {covered})"
        )
    return validate_prices(frame, ticker=symbol, min_rows=min_rows, start=first, end=last)


def _from_source(
    symbol: str,
    start: dt.date | None,
    end: dt.date | None,
    source: str,
    policy: YahooPolicy | None,
) -> tuple[pd.DataFrame, str]:
    """The unfiltered frame and a phrase naming where it came from, for error messages."""
    if source == "bundled":
        return load_bundled(symbol), "the bundled snapshot"
    if source == "yahoo":
        return fetch_yahoo(symbol, start, end, policy or yahoo_policy(source)), "Yahoo Finance"
    if source.lower().endswith(".csv"):
        return read_prices_csv(source, ticker=symbol), f"CSV file {source!r}"
    if is_folder_source(source):
        path = csv_in_folder(source, symbol)
        if path is not None:
            return read_prices_csv(str(path), ticker=symbol), f"CSV file {str(path)!r}"
        return _auto(symbol, start, end, policy or yahoo_policy("auto"))
    if source == "auto":
        return _auto(symbol, start, end, policy or yahoo_policy(source))
    raise DataError(
        f"unknown data source {source!r}: use auto, yahoo, bundled or a path ending in .csv"
    )


def yahoo_policy(source: str, settings: Settings | None = None) -> YahooPolicy:
    """How to ask Yahoo for ``source``, with this deployment's politeness settings.

    ``"auto"`` (a fallback may exist) starts from ``AUTO_POLICY``, anything else from the patient
    ``DEFAULT_POLICY``; both take ``YAHOO_MIN_INTERVAL_SECONDS`` (the process-wide spacing of
    Yahoo requests) and ``YAHOO_MAX_RETRIES`` (retries of a 429) from ``settings``, by default the
    process's ``get_settings()``, so every fanned-out retrain invocation is polite the same way
    without each caller having to thread the values through.
    """
    settings = settings or get_settings()
    return replace(
        AUTO_POLICY if source == "auto" else DEFAULT_POLICY,
        min_interval=settings.yahoo_min_interval_seconds,
        rate_limit_retries=settings.yahoo_max_retries,
    )


def _auto(
    symbol: str, start: dt.date | None, end: dt.date | None, policy: YahooPolicy
) -> tuple[pd.DataFrame, str]:
    if offline() and symbol != BUNDLED_TICKER:
        raise DataUnavailableError(
            f"{OFFLINE_ENV}=1 and {symbol!r} is not bundled: only {BUNDLED_TICKER} works offline"
        )
    if not offline():
        try:
            return fetch_yahoo(symbol, start, end, policy), "Yahoo Finance"
        except DataUnavailableError as exc:
            if symbol != BUNDLED_TICKER:
                raise
            reason = str(exc)
    else:
        reason = f"{OFFLINE_ENV}=1"
    bundled = load_bundled(symbol)
    log.warning(
        "Yahoo Finance unavailable for %s (%s); using the bundled snapshot (%s) instead",
        symbol,
        reason,
        _coverage(bundled, symbol),
    )
    return bundled, "the bundled snapshot"


def _within(frame: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= frame["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= frame["date"] <= pd.Timestamp(end)
    return frame.loc[keep].reset_index(drop=True)


def _coverage(raw: pd.DataFrame, symbol: str) -> str:
    dates = standardize(raw, ticker=symbol)["date"]
    return f"{dates.min().date()}..{dates.max().date()}"


def _as_date(value: dt.date | str | None, name: str) -> dt.date | None:
    """``None``, a date, or an ISO ``YYYY-MM-DD`` string (what env vars and the CLI give)."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DataError(f"{name}={value!r} is not a date: use YYYY-MM-DD") from None
