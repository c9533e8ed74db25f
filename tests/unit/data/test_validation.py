"""Every validation error, provoked by corrupting a good frame, with the message it must give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cryptonic.data import COLUMNS, validate_prices
from cryptonic.errors import DataError
from tests.fixtures.prices import make_prices, make_session_prices


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


def test_a_series_without_an_exchange_calendar_tolerates_the_longest_holidays() -> None:
    stock = weekdays_only(make_prices(days=60))
    # Seven weekdays in a row closed (Taiwan's longest Lunar New Year) is still a holiday.
    week = ["2020-01-13", "2020-01-14", "2020-01-15", "2020-01-16", "2020-01-17"]
    holidays = without(stock, *week, "2020-01-20", "2020-01-21")

    frame = validate_prices(holidays)

    assert len(frame) == len(stock) - 7


def test_a_series_without_an_exchange_calendar_rejects_eight_missing_weekdays() -> None:
    stock = weekdays_only(make_prices(days=60))
    days = [f"2020-01-{d}" for d in (13, 14, 15, 16, 17, 20, 21, 22)]

    with pytest.raises(DataError) as caught:
        validate_prices(without(stock, *days))

    assert "missing 8 weekdays between 2020-01-10 and 2020-01-23" in str(caught.value)
    assert "without an exchange calendar: weekends and up to 7 weekdays" in str(caught.value)


def test_a_stock_is_checked_on_its_exchanges_sessions() -> None:
    # Five weekdays missing in a week without a US holiday: a hole, named in NYSE sessions.
    stock = make_session_prices("XNYS", "2020-01-02", "2020-03-31")
    week = ["2020-01-13", "2020-01-14", "2020-01-15", "2020-01-16", "2020-01-17"]

    with pytest.raises(DataError) as caught:
        validate_prices(without(stock, *week), ticker="AAPL")

    message = str(caught.value)
    assert "missing 5 XNYS sessions between 2020-01-10 and 2020-01-21" in message
    assert "(trading days of XNYS: its holidays are expected closures" in message


def test_a_closure_the_calendar_does_not_know_yet_is_tolerated() -> None:
    stock = make_session_prices("XNYS", "2020-01-02", "2020-03-31")

    frame = validate_prices(without(stock, "2020-02-11", "2020-02-12"), ticker="AAPL")

    assert len(frame) == len(stock) - 2


def test_shanghais_lunar_new_year_is_no_gap() -> None:
    # 600519.SS over a year with the Spring Festival of 2024 (9 to 16 February: six weekdays)
    # and the National Day week (1 to 7 October: five): the frame the refresh reads every day.
    stock = make_session_prices("XSHG", "2023-12-01", "2024-11-29", base=1700.0)
    assert pd.Timestamp("2024-02-09") not in set(stock["date"])

    frame = validate_prices(stock, ticker="600519.SS")

    assert len(frame) == len(stock)


def test_tokyos_new_year_is_no_gap_and_a_missing_session_after_it_is_counted() -> None:
    stock = make_session_prices("XTKS", "2023-12-01", "2024-01-31", base=2600.0)
    validate_prices(stock, ticker="7203.T")
    holed = without(stock, "2024-01-04", "2024-01-05", "2024-01-09")

    with pytest.raises(
        DataError, match="missing 3 XTKS sessions between 2023-12-29 and 2024-01-10"
    ):
        validate_prices(holed, ticker="7203.T")


def test_a_nan_volume_is_accepted_no_model_reads_it() -> None:
    raw = make_prices(days=30).astype({"volume": "float64"})
    raw.loc[5, "volume"] = np.nan
    raw.loc[7, "open"] = np.nan

    frame = validate_prices(raw)

    assert np.isnan(frame["volume"].iloc[5])
    assert np.isnan(frame["open"].iloc[7])
    assert frame["close"].notna().all()


def test_a_nan_close_names_its_dates() -> None:
    raw = make_prices(days=30)
    raw.loc[[2, 3], "close"] = np.nan

    with pytest.raises(DataError, match=r"invalid: NaN in close on 2020-01-08, 2020-01-09$"):
        validate_prices(raw)


@pytest.mark.parametrize("column", ["close", "high", "open"])
def test_an_infinite_price_is_refused(column: str) -> None:
    raw = make_prices(days=30)
    raw.loc[4, column] = np.inf

    with pytest.raises(DataError, match=rf"infinite {column} on 2020-01-10 \(inf\)"):
        validate_prices(raw, ticker="BTC-USD")


def test_an_overflowing_price_is_refused() -> None:
    raw = make_prices(days=30)
    raw.loc[4, "close"] = 1e308
    raw.loc[4, "high"] = 1e308

    with pytest.raises(DataError) as caught:
        validate_prices(raw, ticker="BTC-USD")

    message = str(caught.value)
    assert (
        "close above 1e+12 on 2020-01-10 (1e+308): an overflow or a unit error, not a price"
        in message
    )
    assert "high above 1e+12 on 2020-01-10 (1e+308)" in message


def test_a_close_outside_the_days_range_is_refused() -> None:
    raw = make_prices(days=30)
    raw.loc[3, ["open", "low", "high", "close"]] = [105.0, 100.0, 110.0, 111.5]  # 1.4% above
    raw.loc[6, ["open", "low", "high", "close"]] = [105.0, 100.0, 110.0, 0.987]  # pounds, pence
    raw.loc[8, ["open", "low", "high", "close"]] = [105.0, 100.0, 110.0, 110.9]  # 0.8%: tolerated

    with pytest.raises(DataError) as caught:
        validate_prices(raw, ticker="VOD.L")

    assert str(caught.value) == (
        "prices for 'VOD.L' are invalid: close outside [low, high] by more than 1% on "
        "2020-01-09 (close 111.5 > high 110), 2020-01-12 (close 0.987 < low 100)"
    )


def test_a_row_without_its_range_is_not_judged_on_it() -> None:
    raw = make_prices(days=30)
    raw.loc[3, ["low", "high"]] = np.nan

    assert len(validate_prices(raw)) == 30


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
    raw.loc[1, "close"] = np.nan
    raw.loc[2, "close"] = -1.0

    with pytest.raises(DataError) as caught:
        validate_prices(raw, ticker="ETH-USD")

    message = str(caught.value)
    assert message.startswith("prices for 'ETH-USD' are invalid: ")
    assert "NaN in close on 2020-01-07" in message
    assert "non-positive close on 2020-01-08 (-1)" in message
    assert "missing 1 day between 2020-01-19 and 2020-01-21" in message


def test_too_little_history() -> None:
    raw = make_prices(days=40)

    with pytest.raises(
        DataError, match=r"need at least 100 daily closes, got 40 \(start=2020-01-06"
    ):
        validate_prices(raw, min_rows=100, start=pd.Timestamp("2020-01-06").date())


def test_enough_history_passes() -> None:
    assert len(validate_prices(make_prices(days=40), min_rows=40)) == 40
