"""Daily price data: a chain of sources (Yahoo, exchanges, the bundled snapshot, CSV), their
cross-checks, validation and CSV snapshots.

This package is the only one that imports pandas, yfinance and ccxt; the serving path must never
import it (``cryptonic.config`` and ``cryptonic.errors`` stay free of it on purpose).
"""

from __future__ import annotations

from cryptonic.data.agreement import Agreement, agreement, require_agreement
from cryptonic.data.bundled import BUNDLED_TICKER, load_bundled
from cryptonic.data.calendar import MAX_HOLIDAY_RUN, infer_calendar
from cryptonic.data.csvio import frame_sha256, read_prices_csv, to_yahoo_csv
from cryptonic.data.exchanges import calendar_release, exchange_of, frame_calendar, trading_days
from cryptonic.data.fetching import OFFLINE_ENV
from cryptonic.data.frame import COLUMNS
from cryptonic.data.source_errors import DataUnavailableError, NotQuotedError, SourcesDisagreeError
from cryptonic.data.sources import load_prices, passed_over, price_source
from cryptonic.data.validation import validate_prices
from cryptonic.data.yahoo import AUTO_POLICY, DEFAULT_POLICY, YahooPolicy, fetch_yahoo

__all__ = [
    "AUTO_POLICY",
    "BUNDLED_TICKER",
    "COLUMNS",
    "DEFAULT_POLICY",
    "MAX_HOLIDAY_RUN",
    "OFFLINE_ENV",
    "Agreement",
    "DataUnavailableError",
    "NotQuotedError",
    "SourcesDisagreeError",
    "YahooPolicy",
    "agreement",
    "calendar_release",
    "exchange_of",
    "fetch_yahoo",
    "frame_calendar",
    "frame_sha256",
    "infer_calendar",
    "load_bundled",
    "load_prices",
    "passed_over",
    "price_source",
    "read_prices_csv",
    "require_agreement",
    "to_yahoo_csv",
    "trading_days",
    "validate_prices",
]
