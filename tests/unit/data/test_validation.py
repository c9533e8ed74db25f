"""Every validation error, provoked by corrupting a good frame, with the message it must give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cryptonic.data import COLUMNS, validate_prices
from cryptonic.errors import DataError
from tests.fixtures.prices import make_prices


def weekdays_only(frame: pd.DataFrame) -> pd.DataFrame:
    kept: pd.DataFrame = frame[frame["date"].dt.day_of_week < 5]
    return kept.reset_index(drop=True)


def without(frame: pd.DataFrame, *days: str) -> pd.DataFrame:
    return frame[~frame["date"].isin(pd.to_datetime(list(days)))].reset_index(drop=True)


def test_good_frame_comes_back_in_the_canonical_layout() -> None:
    raw = make_prices(days=30)

    frame = validate_prices(raw)

    assert list(frame.columns) == list(COLUMNS)
    assert frame["date"].dtype == np.dtype("datetime64[ns]")
    assert all(frame[c].dtype == np.dtype("float64") for c in COLUMNS[1:])
    assert isinstance(frame.index, pd.RangeIndex)
    assert frame["volume"].tolist() == raw["volume"].astype(float).tolist()


def test_unsorted_rows_are_sorted_not_rejected() -> None:
    raw = make_prices(days=30)

    shuffled = raw.sample(frac=1.0, random_state=3)

    pd.testing.assert_frame_equal(validate_prices(shuffled), validate_prices(raw))


def test_times_and_timezones_become_the_local_calendar_date() -> None:
    raw = make_prices(days=10)
    raw["date"] = (raw["date"] + pd.Timedelta(hours=9, minutes=30)).dt.tz_localize("Asia/Tokyo")

    frame = validate_prices(raw)

    assert frame["date"].dt.tz is None
    assert frame["date"].iloc[0] == pd.Timestamp("2020-01-06")


def test_yahoo_headers_and_extra_columns_are_accepted() -> None:
    raw = make_prices(days=10).rename(columns=str.title).rename(columns={"Date": "Date"})
    raw["Adj Close"] = raw["Close"] * 0.99
    raw["Dividends"] = 0.0

    frame = validate_prices(raw)

    assert list(frame.columns) == list(COLUMNS)


def test_empty_frame() -> None:
    with pytest.raises(DataError, match="prices for 'BTC-USD' are empty"):
        validate_prices(make_prices().iloc[0:0], ticker="BTC-USD")


def test_missing_columns_are_named() -> None:
    raw = make_prices().drop(columns=["high", "volume"])

    with pytest.raises(DataError, match="missing columns: high, volume") as caught:
        validate_prices(raw)
    assert "columns present: date, open, low, close" in str(caught.value)


def test_duplicate_dates_are_listed() -> None:
    raw = make_prices(days=30)
    doubled = pd.concat([raw, raw.iloc[[10, 11]]], ignore_index=True)

    with pytest.raises(DataError, match=r"duplicate dates: 2020-01-16, 2020-01-17$"):
        validate_prices(doubled)


def test_many_duplicates_are_summarised() -> None:
    raw = make_prices(days=30)
    doubled = pd.concat([raw, raw.iloc[:8]], ignore_index=True)

    with pytest.raises(DataError, match=r"2020-01-10 and 3 more \(8 in all\)"):
        validate_prices(doubled)


def test_unparseable_dates() -> None:
    raw = make_prices(days=5)
    raw["date"] = raw["date"].dt.strftime("%Y-%m-%d").astype(object)
    raw.loc[2, "date"] = "2020-02-30"

    with pytest.raises(DataError, match="dates that do not parse: '2020-02-30'"):
        validate_prices(raw)


def test_missing_calendar_days_are_a_gap() -> None:
    raw = without(
        make_prices(days=30, start="2020-01-01"), "2020-01-05", "2020-01-06", "2020-01-07"
    )

    with pytest.raises(DataError, match=r"missing 3 days between 2020-01-04 and 2020-01-08$"):
        validate_prices(raw)


def test_single_missing_day_in_a_seven_day_series() -> None:
    raw = without(make_prices(days=30), "2020-01-11")  # a Saturday: weekends are data here

    with pytest.raises(DataError, match="missing 1 day between 2020-01-10 and 2020-01-12"):
        validate_prices(raw)


def test_many_gaps_are_summarised() -> None:
    raw = make_prices(days=60)
    holes = [f"2020-01-{d:02d}" for d in (8, 10, 12, 14, 16, 18, 20)]

    with pytest.raises(DataError, match=r"and 2 more gaps \(7 missing in all\)"):
        validate_prices(without(raw, *holes))


def test_trading_day_series_tolerates_weekends_and_holidays() -> None:
    stock = weekdays_only(make_prices(days=60))
    # Four weekdays in a row closed (e.g. around Christmas) is still a holiday, not a gap.
    holidays = without(stock, "2020-01-14", "2020-01-15", "2020-01-16", "2020-01-17")

    frame = validate_prices(holidays)

    assert len(frame) == len(stock) - 4


def test_trading_day_series_rejects_five_missing_weekdays() -> None:
    stock = weekdays_only(make_prices(days=60))
    week = ["2020-01-13", "2020-01-14", "2020-01-15", "2020-01-16", "2020-01-17"]

    with pytest.raises(DataError, match="missing 5 weekdays between 2020-01-10 and 2020-01-20"):
        validate_prices(without(stock, *week))


def test_nan_names_column_and_dates() -> None:
    raw = make_prices(days=30).astype({"volume": "float64"})
    raw.loc[[2, 3], "close"] = np.nan
    raw.loc[5, "volume"] = np.nan

    with pytest.raises(DataError) as caught:
        validate_prices(raw)

    message = str(caught.value)
    assert "NaN in close on 2020-01-08, 2020-01-09" in message
    assert "NaN in volume on 2020-01-11" in message


def test_non_positive_prices() -> None:
    raw = make_prices(days=30)
    raw.loc[1, "close"] = 0.0
    raw.loc[4, "low"] = -1.5

    with pytest.raises(DataError) as caught:
        validate_prices(raw)

    assert "non-positive low on 2020-01-10 (-1.5)" in str(caught.value)
    assert "non-positive close on 2020-01-07 (0)" in str(caught.value)


def test_negative_volume() -> None:
    raw = make_prices(days=30)
    raw.loc[3, "volume"] = -5

    with pytest.raises(DataError, match=r"negative volume on 2020-01-09 \(-5\)"):
        validate_prices(raw)


def test_high_below_low() -> None:
    raw = make_prices(days=30)
    raw.loc[[4, 6], ["high", "low"]] = raw.loc[[4, 6], ["low", "high"]].to_numpy()

    with pytest.raises(DataError, match="high < low on 2020-01-10, 2020-01-12"):
        validate_prices(raw)


def test_all_content_problems_are_reported_at_once() -> None:
    raw = without(make_prices(days=30), "2020-01-20")
    raw.loc[1, "open"] = np.nan
    raw.loc[2, "close"] = -1.0

    with pytest.raises(DataError) as caught:
        validate_prices(raw, ticker="ETH-USD")

    message = str(caught.value)
    assert message.startswith("prices for 'ETH-USD' are invalid: ")
    assert "NaN in open" in message
    assert "non-positive close" in message
    assert "missing 1 day between 2020-01-19 and 2020-01-21" in message


def test_too_little_history() -> None:
    raw = make_prices(days=40)

    with pytest.raises(
        DataError, match=r"need at least 100 daily closes, got 40 \(start=2020-01-06"
    ):
        validate_prices(raw, min_rows=100, start=pd.Timestamp("2020-01-06").date())


def test_enough_history_passes() -> None:
    assert len(validate_prices(make_prices(days=40), min_rows=40)) == 40
