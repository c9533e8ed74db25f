"""The Forecast value object: forecast.json round trips, with and without an interval."""

from __future__ import annotations

import datetime as dt

import pytest

from cryptonic.forecast.calendar import next_dates
from cryptonic.forecast.value import Forecast

DATES = next_dates(dt.date(2026, 10, 2), 3, "B")


def test_a_banded_forecast_round_trips():
    forecast = Forecast(
        "BTC-USD",
        dt.date(2026, 10, 2),
        100.0,
        DATES,
        [101.0, 102.0, 103.0],
        lower=[95.0, 94.0, 93.0],
        upper=[106.0, 108.0, 110.0],
        interval_level=0.8,
    )
    data = forecast.to_dict()
    assert data["interval_level"] == 0.8
    assert data["result"][0] == {
        "date": "2026-10-05",
        "prediction": 101.0,
        "lower": 95.0,
        "upper": 106.0,
    }
    assert Forecast.from_dict(data) == forecast


def test_a_point_forecast_has_null_bands_and_reads_back_as_point():
    forecast = Forecast("BTC-USD", dt.date(2026, 10, 2), 100.0, DATES, [1.0, 2.0, 3.0])
    data = forecast.to_dict()
    assert data["interval_level"] is None
    assert all(item["lower"] is None and item["upper"] is None for item in data["result"])
    back = Forecast.from_dict(data)
    assert back == forecast
    assert not back.has_interval


def test_a_forecast_json_of_release_0_1_reads_as_a_point_forecast():
    old = {
        "ticker": "BTC-USD",
        "as_of": "2026-10-02",
        "last_close": 100.0,
        "result": [{"date": "2026-10-05", "prediction": 101.0}],
    }
    assert Forecast.from_dict(old).lower is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lower": [1.0, 2.0, 3.0]},
        {"lower": [1.0], "upper": [2.0], "interval_level": 0.8},
        {"lower": [1.0, 2.0, 3.0], "upper": [2.0, 3.0, 4.0], "interval_level": 1.0},
    ],
)
def test_inconsistent_bands_are_refused(kwargs):
    with pytest.raises(ValueError, match=r"together|one entry per date|nominal level"):
        Forecast("BTC-USD", dt.date(2026, 10, 2), 100.0, DATES, [1.0, 2.0, 3.0], **kwargs)
