"""Checks that a price series is fit to train on, with messages that say what to fix.

A model trained on a series with holes, duplicate days or zero prices fails late and
obscurely (NaN losses, shifted weeks), so every source goes through these checks before anything
uses it. Each message names the column and the dates involved: the person reading it has to
find the bad rows in a CSV or decide that Yahoo is wrong.

What is judged: a value that is missing only where a model reads it (``MODEL_COLUMNS``: a
missing volume costs nothing); a price that is there must be finite, at most ``MAX_PRICE`` and
positive, with the close inside the day's [low, high] (``CLOSE_RANGE_TOLERANCE``); and rows
missing where the ticker's exchange traded (:mod:`cryptonic.data.exchanges`: its holidays are
not gaps).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import numpy as np
import pandas as pd

from cryptonic.data.calendar import MAX_HOLIDAY_RUN, MAX_MISSING_SESSIONS, find_gaps
from cryptonic.data.exchanges import frame_calendar
from cryptonic.data.frame import MODEL_COLUMNS, PRICE_COLUMNS, describe, standardize
from cryptonic.errors import DataError
from cryptonic.forecast.calendar import Sessions

SHOWN: Final = 5
"""How many offending dates or gaps a message lists before summarising the rest."""

MAX_PRICE: Final = 1e12
"""No real price comes near it: the largest quotes on Yahoo (Bitcoin in Vietnamese dong or
Indonesian rupiah) are about 2.5e9, and a Berkshire share is about 7e5 dollars. Above it a
value is an overflow (``1e308``) or a unit slip, and sums and squares of it would overflow."""

CLOSE_RANGE_TOLERANCE: Final = 0.01
"""How far (relative) a close may sit outside the day's [low, high] before the row is wrong.
Yahoo's own ranges miss the close by up to 0.3% on real days (yfinance issue 2857: Korean
quotes, and tens of thousands of symbols above 1e-5), which must not reject a year of prices;
a unit slip (x100), a split applied to one column (x2 and more) or another day's close is
well beyond 1%."""


def validate_prices(
    raw: pd.DataFrame,
    *,
    ticker: str | None = None,
    min_rows: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Return ``raw`` standardized and sorted, or raise ``DataError`` listing every problem.

    Unsorted input is sorted rather than rejected (files are often written newest first), but
    duplicate dates are rejected: which of two closes is right is not ours to guess.
    ``start``/``end`` only make the ``min_rows`` message say which range was asked for.
    """
    label = describe(ticker)
    frame = standardize(raw, ticker=ticker)

    duplicated = frame["date"].duplicated(keep=False)
    if duplicated.any():
        dates = frame.loc[duplicated, "date"].drop_duplicates().sort_values()
        raise DataError(f"{label} have duplicate dates: {_list_dates(dates)}")
    if not frame["date"].is_monotonic_increasing:
        frame = frame.sort_values("date", kind="stable").reset_index(drop=True)

    problems = [*_value_problems(frame), *_gap_problems(frame, ticker)]
    if problems:
        raise DataError(f"{label} are invalid: " + "; ".join(problems))

    if min_rows is not None and len(frame) < min_rows:
        first, last = frame["date"].iloc[0].date(), frame["date"].iloc[-1].date()
        raise DataError(
            f"not enough history in {label}: need at least {min_rows} daily closes, "
            f"got {len(frame)} (start={start}, end={end}; data runs {first}..{last})"
        )
    return frame


def _value_problems(frame: pd.DataFrame) -> Iterable[str]:
    dates = frame["date"]
    for column in MODEL_COLUMNS:
        missing = frame[column].isna()
        if missing.any():
            yield f"NaN in {column} on {_list_dates(dates[missing])}"
    for column in PRICE_COLUMNS:
        yield from _price_problems(frame, column)
    negative = frame["volume"] < 0
    if negative.any():
        yield f"negative volume on {_list_dates(dates[negative], frame['volume'][negative])}"
    inverted = frame["high"] < frame["low"]
    if inverted.any():
        yield f"high < low on {_list_dates(dates[inverted])}"
    yield from _close_outside_range(frame)


def _price_problems(frame: pd.DataFrame, column: str) -> Iterable[str]:
    """A price that is there must be one: finite, positive, and not an overflow's remains."""
    dates, values = frame["date"], frame[column]
    infinite = pd.Series(np.isinf(values.to_numpy()), index=values.index)
    if infinite.any():
        yield f"infinite {column} on {_list_dates(dates[infinite], values[infinite])}"
    huge = values.between(MAX_PRICE, np.inf, inclusive="neither")
    if huge.any():
        yield (
            f"{column} above {MAX_PRICE:g} on {_list_dates(dates[huge], values[huge])}: "
            "an overflow or a unit error, not a price"
        )
    bad = values <= 0
    if bad.any():
        yield f"non-positive {column} on {_list_dates(dates[bad], values[bad])}"


def _close_outside_range(frame: pd.DataFrame) -> Iterable[str]:
    """Rows whose close lies outside [low, high] by more than ``CLOSE_RANGE_TOLERANCE``."""
    close, low, high = frame["close"], frame["low"], frame["high"]
    below = close < low * (1 - CLOSE_RANGE_TOLERANCE)
    above = close > high * (1 + CLOSE_RANGE_TOLERANCE)
    outside = below | above
    if not outside.any():
        return
    notes = [
        f"close {c:g} < low {lo:g}" if c < lo else f"close {c:g} > high {hi:g}"
        for c, lo, hi in zip(close[outside], low[outside], high[outside], strict=True)
    ]
    shown = _list_dates(frame["date"][outside], pd.Series(notes, dtype=object))
    yield f"close outside [low, high] by more than {CLOSE_RANGE_TOLERANCE:.0%} on {shown}"


def _gap_problems(frame: pd.DataFrame, ticker: str | None) -> Iterable[str]:
    calendar = frame_calendar(frame, ticker)
    gaps = find_gaps(frame["date"], calendar)
    if not gaps:
        return
    text = ", ".join(gap.describe() for gap in gaps[:SHOWN])
    if len(gaps) > SHOWN:
        total = sum(gap.missing for gap in gaps)
        text += f" and {len(gaps) - SHOWN} more gaps ({total} missing in all)"
    if isinstance(calendar, Sessions):
        text += (
            f" (trading days of {calendar.exchange}: its holidays are expected closures, and "
            f"up to {MAX_MISSING_SESSIONS} sessions in a row may be missing)"
        )
    elif calendar == "B":
        text += (
            f" (a trading-day series without an exchange calendar: weekends and up to "
            f"{MAX_HOLIDAY_RUN} weekdays in a row are expected closures)"
        )
    yield text


def _list_dates(dates: pd.Series, values: pd.Series | None = None) -> str:
    """``2020-01-05, 2020-01-06 (0.0)...`` for the first few, with the total when cut short."""
    shown: list[str] = []
    for i, stamp in enumerate(dates.head(SHOWN)):
        text = str(pd.Timestamp(stamp).date())
        if values is not None:
            value = values.iloc[i]
            text += f" ({value})" if isinstance(value, str) else f" ({value:g})"
        shown.append(text)
    out = ", ".join(shown)
    if len(dates) > SHOWN:
        out += f" and {len(dates) - SHOWN} more ({len(dates)} in all)"
    return out
