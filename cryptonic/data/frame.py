"""The one in-memory layout of daily prices, and the conversion of every source into it.

Yahoo (via yfinance), Yahoo-style CSV files and hand-built test frames all differ a little:
capitalised headers, a ``Date`` index instead of a column, tz-aware timestamps, int volumes.
Converting them in one place means the checks in ``validation`` and every consumer downstream
see a single shape and never guess.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from cryptonic.errors import DataError

COLUMNS: Final = ("date", "open", "high", "low", "close", "volume")
"""Column order of every frame this package returns."""

PRICE_COLUMNS: Final = ("open", "high", "low", "close")

MODEL_COLUMNS: Final = ("close",)
"""The columns a model reads. Only these must be present on every row: a missing volume or
open (Yahoo leaves cells empty on quiet days) costs no model anything, so it rejects nothing."""

_HEADER_ALIASES: Final = {
    "date": "date",
    "datetime": "date",
    "open": "open",
    "high": "high",
    "low": "low",
    "close": "close",
    "volume": "volume",
    "adj close": "adj_close",
    "adj_close": "adj_close",
    "adjclose": "adj_close",
}
"""Header spellings we accept, keyed by the stripped lower-case header."""


def describe(ticker: str | None) -> str:
    """How messages name the data, so every error says whose prices are wrong."""
    return f"prices for {ticker!r}" if ticker else "prices"


def standardize(raw: pd.DataFrame, *, ticker: str | None = None) -> pd.DataFrame:
    """Return ``raw`` in the ``COLUMNS`` layout with our dtypes, without judging its content.

    Structural problems that make the frame unreadable (no rows, missing columns, dates that
    do not parse) raise here; content problems (gaps, NaN, bad prices) are left to
    ``validation`` so that one call can report all of them together.
    """
    label = describe(ticker)
    frame = raw
    headers = {_header_key(c) for c in frame.columns}
    if "date" not in headers and isinstance(frame.index, pd.DatetimeIndex):
        # yfinance returns the dates as the index, named "Date".
        frame = frame.rename_axis("date").reset_index()
    renames: dict[str, str] = {}
    for column in frame.columns:
        key = _header_key(column)
        if key in _HEADER_ALIASES:
            renames[str(column)] = _HEADER_ALIASES[key]
    frame = frame.rename(columns=renames)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        present = ", ".join(str(c) for c in raw.columns) or "none"
        raise DataError(
            f"{label} are missing columns: {', '.join(missing)} (columns present: {present})"
        )
    if frame.empty:
        raise DataError(f"{label} are empty: no rows")
    out = pd.DataFrame(
        {
            "date": _to_dates(frame["date"], label),
            **{c: _to_float(frame[c]) for c in (*PRICE_COLUMNS, "volume")},
        }
    )
    return out.reset_index(drop=True)


def _header_key(column: object) -> str:
    return str(column).strip().lower()


def _to_dates(values: pd.Series, label: str) -> pd.Series:
    """Midnight, tz-naive datetime64[ns]: the calendar date the exchange traded on.

    A tz-aware value (Yahoo stamps each bar at the exchange's local midnight or open) keeps its
    local wall-clock date; converting to UTC first would move Tokyo's Monday to Sunday.
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        parsed = values.dt.tz_localize(None)
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna() & values.notna()
        if bad.any() or values.isna().any():
            shown = [repr(v) for v in values[bad | values.isna()].head(5).tolist()]
            raise DataError(f"{label} have dates that do not parse: {', '.join(shown)}")
    dates: pd.Series = parsed.dt.normalize().astype("datetime64[ns]")
    return dates


def _to_float(values: pd.Series) -> pd.Series:
    """Float64, with anything non-numeric (Yahoo CSVs say ``null``) as NaN for validation."""
    return pd.to_numeric(values, errors="coerce").astype("float64")
