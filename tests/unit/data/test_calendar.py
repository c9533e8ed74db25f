"""Calendar inference and gap finding."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cryptonic.data import infer_calendar
from cryptonic.data.calendar import find_gaps
from tests.fixtures.prices import make_prices


def test_any_weekend_row_means_a_seven_day_calendar() -> None:
    assert infer_calendar(make_prices(days=14)) == "D"


def test_weekdays_only_means_trading_days() -> None:
    frame = make_prices(days=60)
    stock = frame[frame["date"].dt.day_of_week < 5]

    assert infer_calendar(stock) == "B"


def test_find_gaps_counts_weekdays_for_trading_days() -> None:
    dates = pd.Series(pd.to_datetime(["2024-01-05", "2024-01-15", "2024-01-16"]))

    (gap,) = find_gaps(dates, "B")

    assert (gap.before, gap.after, gap.missing) == (dt.date(2024, 1, 5), dt.date(2024, 1, 15), 5)
    assert gap.describe() == "missing 5 weekdays between 2024-01-05 and 2024-01-15"
    assert find_gaps(dates, "D")[0].missing == 9
    assert find_gaps(dates.iloc[:1], "D") == []
