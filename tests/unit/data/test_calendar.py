"""Calendar inference and gap finding: every day, the tolerant weekday rule, an exchange's
sessions."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from cryptonic.data import infer_calendar
from cryptonic.data.calendar import MAX_HOLIDAY_RUN, MAX_MISSING_SESSIONS, find_gaps
from cryptonic.forecast.calendar import Sessions
from tests.fixtures.prices import make_prices

# Shanghai around the Lunar New Year of 2024: no session from Friday 9 to Friday 16 February
# (six weekdays), as the exchange's calendar says.
SHANGHAI = Sessions(
    "XSHG",
    dt.date(2024, 2, 1),
    dt.date(2024, 2, 29),
    frozenset(dt.date(2024, 2, d) for d in (1, 2, 5, 6, 7, 8, 19, 20, 21, 22, 23, 26, 27, 28, 29)),
)


def stamps(*days: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(days)))


def test_any_weekend_row_means_a_seven_day_calendar() -> None:
    assert infer_calendar(make_prices(days=14)) == "D"


def test_weekdays_only_means_trading_days() -> None:
    frame = make_prices(days=60)
    stock = frame[frame["date"].dt.day_of_week < 5]

    assert infer_calendar(stock) == "B"


def test_every_missing_day_is_a_gap_for_crypto() -> None:
    dates = stamps("2024-01-05", "2024-01-15", "2024-01-16")

    (gap,) = find_gaps(dates, "D")

    assert (gap.before, gap.after, gap.missing) == (dt.date(2024, 1, 5), dt.date(2024, 1, 15), 9)
    assert gap.describe() == "missing 9 days between 2024-01-05 and 2024-01-15"
    assert find_gaps(dates.iloc[:1], "D") == []


def test_without_an_exchange_calendar_closures_up_to_the_longest_holiday_are_tolerated() -> None:
    assert MAX_HOLIDAY_RUN == 7
    # Friday 5 to Wednesday 17 January: 7 weekdays missing, a holiday as long as Taiwan's.
    assert find_gaps(stamps("2024-01-05", "2024-01-17"), "B") == []

    (gap,) = find_gaps(stamps("2024-01-05", "2024-01-18"), "B")

    assert gap.describe() == "missing 8 weekdays between 2024-01-05 and 2024-01-18"


def test_an_exchanges_holidays_are_not_gaps() -> None:
    # The whole Lunar New Year week: zero sessions missing, although six weekdays are.
    assert find_gaps(stamps("2024-02-07", "2024-02-08", "2024-02-19"), SHANGHAI) == []
    assert find_gaps(stamps("2024-02-08", "2024-02-19"), "B") == []  # tolerant rule: 6 <= 7


def test_missing_sessions_are_counted_on_the_exchanges_days() -> None:
    assert MAX_MISSING_SESSIONS == 2
    # 20 and 21 February missing: a closure the calendar may not know yet, tolerated.
    assert find_gaps(stamps("2024-02-19", "2024-02-22"), SHANGHAI) == []

    (gap,) = find_gaps(stamps("2024-02-05", "2024-02-20"), SHANGHAI)

    # 6, 7, 8 and 19 February: four sessions, the holiday week between them not counted.
    assert gap.describe() == "missing 4 XSHG sessions between 2024-02-05 and 2024-02-20"


def test_outside_the_calendars_span_the_weekday_rule_counts() -> None:
    # 2024-01-02 is before the span: the pair falls back to weekdays (17 missing).
    (gap,) = find_gaps(stamps("2024-01-02", "2024-01-26", "2024-02-02"), SHANGHAI)

    assert gap.describe() == "missing 17 weekdays between 2024-01-02 and 2024-01-26"
