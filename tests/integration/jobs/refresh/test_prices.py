"""The refresh's prices through the real source and validation: a year of a Shanghai stock, with
its week-long Lunar New Year, is read, checked on the exchange's sessions and accepted, and the
close expected after the holiday is the one before it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cryptonic.config import Settings
from cryptonic.data import load_prices, to_yahoo_csv
from cryptonic.errors import DataError
from cryptonic.forecast.calendar import Sessions, next_dates
from cryptonic.forecast.freshness import missing_closes
from cryptonic.jobs.refresh.prices import expected_close, load_recent
from tests.fixtures.prices import make_session_prices

TICKER = "600519.SS"
MONDAY_AFTER = dt.datetime(2024, 2, 19, 0, 30, tzinfo=dt.UTC)  # the first refresh after it


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    """Kweichow Moutai's sessions from January 2023 to the eve of the 2024 Spring Festival."""
    path = tmp_path / f"{TICKER}.csv"
    frame = make_session_prices("XSHG", "2023-01-03", "2024-02-08", base=1700.0)
    path.write_bytes(to_yahoo_csv(frame))
    return path


def test_a_year_across_the_lunar_new_year_is_read_and_nothing_is_missing(csv: Path) -> None:
    settings = Settings(data_source=str(csv), end_date=dt.date(2024, 2, 18))

    prices = load_recent(settings, TICKER, 60, "B", MONDAY_AFTER, load_prices)

    assert prices.unavailable == ""
    assert prices.last == dt.date(2024, 2, 8)
    assert isinstance(prices.calendar, Sessions)
    expected = expected_close(settings, prices.calendar, MONDAY_AFTER)
    assert expected == dt.date(2024, 2, 8)
    assert missing_closes(prices.last, expected, prices.calendar) == []
    assert next_dates(prices.last, 2, prices.calendar) == [
        dt.date(2024, 2, 19),
        dt.date(2024, 2, 20),
    ]


def test_the_same_year_with_a_real_hole_is_refused_with_the_sessions_it_lacks(
    csv: Path, tmp_path: Path
) -> None:
    frame = load_prices(TICKER, source=str(csv))
    holed = frame[~frame["date"].astype(str).str.startswith("2023-11-0")]
    path = tmp_path / "holed.csv"
    path.write_bytes(to_yahoo_csv(holed))
    settings = Settings(data_source=str(path), end_date=dt.date(2024, 2, 18))

    with pytest.raises(
        DataError, match="missing 7 XSHG sessions between 2023-10-31 and 2023-11-10"
    ):
        load_recent(settings, TICKER, 60, "B", MONDAY_AFTER, load_prices)
