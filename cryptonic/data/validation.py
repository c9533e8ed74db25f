"""Checks that a price series is fit to train on, with messages that say what to fix.

A model trained on a series with holes, duplicate days or zero prices fails late and
obscurely (NaN losses, shifted weeks), so every source goes through these checks before anything
uses it. Each message names the column and the dates involved: the person reading it has to
find the bad rows in a CSV or decide that Yahoo is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import pandas as pd

from cryptonic.data.calendar import MAX_HOLIDAY_RUN, find_gaps, infer_calendar
from cryptonic.data.frame import COLUMNS, PRICE_COLUMNS, describe, standardize
from cryptonic.errors import DataError

SHOWN: Final = 5
"""How many offending dates or gaps a message lists before summarising the rest."""


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

    problems = [*_value_problems(frame), *_gap_problems(frame)]
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
    for column in COLUMNS[1:]:
        missing = frame[column].isna()
        if missing.any():
            yield f"NaN in {column} on {_list_dates(dates[missing])}"
    for column in PRICE_COLUMNS:
        bad = frame[column] <= 0
        if bad.any():
            yield f"non-positive {column} on {_list_dates(dates[bad], frame[column][bad])}"
    negative = frame["volume"] < 0
    if negative.any():
        yield f"negative volume on {_list_dates(dates[negative], frame['volume'][negative])}"
    inverted = frame["high"] < frame["low"]
    if inverted.any():
        yield f"high < low on {_list_dates(dates[inverted])}"


def _gap_problems(frame: pd.DataFrame) -> Iterable[str]:
    calendar = infer_calendar(frame)
    gaps = find_gaps(frame["date"], calendar)
    if not gaps:
        return
    text = ", ".join(gap.describe() for gap in gaps[:SHOWN])
    if len(gaps) > SHOWN:
        total = sum(gap.missing for gap in gaps)
        text += f" and {len(gaps) - SHOWN} more gaps ({total} missing in all)"
    if calendar == "B":
        text += (
            f" (a trading-day series: weekends and up to {MAX_HOLIDAY_RUN} weekdays in a row "
            "are expected closures)"
        )
    yield text


def _list_dates(dates: pd.Series, values: pd.Series | None = None) -> str:
    """``2020-01-05, 2020-01-06 (0.0)...`` for the first few, with the total when cut short."""
    shown: list[str] = []
    for i, stamp in enumerate(dates.head(SHOWN)):
        text = str(pd.Timestamp(stamp).date())
        if values is not None:
            text += f" ({values.iloc[i]:g})"
        shown.append(text)
    out = ", ".join(shown)
    if len(dates) > SHOWN:
        out += f" and {len(dates) - SHOWN} more ({len(dates)} in all)"
    return out
