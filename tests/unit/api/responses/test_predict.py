"""The ``/predict`` bodies, from stored forecasts that are sparse or from the predictor."""

from __future__ import annotations

import datetime as dt
import json

from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.predict import on_demand_predict_response, predict_response
from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.forecast.value import Forecast
from cryptonic.registry.calibration import calibrated


def test_a_sparse_forecast_gives_nulls():
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    body = predict_response("BTC-USD", "v", forecast)
    assert body.period_length == 1
    assert body.last_close is None
    assert body.generated_at is None


def test_predict_bodies_carry_the_interval():
    stored = {
        "as_of": "2024-01-01",
        "last_close": 100.0,
        "interval_level": 0.8,
        "result": [{"date": "2024-01-02", "prediction": 101.0, "lower": 97.0, "upper": 105.0}],
    }
    body = predict_response("BTC-USD", "v", stored)
    assert body.interval_level == 0.8
    assert (body.result[0].lower, body.result[0].upper) == (97.0, 105.0)
    point = predict_response(
        "BTC-USD",
        "v",
        {**stored, "interval_level": None, "result": [{"date": "2024-01-02", "prediction": 101.0}]},
    )
    assert point.interval_level is None
    assert point.result[0].lower is None


def test_on_demand_body_carries_the_predictors_interval():
    forecast = Forecast(
        "BTC-USD",
        dt.date(2024, 1, 1),
        100.0,
        [dt.date(2024, 1, 2)],
        [101.0],
        lower=[97.0],
        upper=[105.0],
        interval_level=0.8,
    )
    body = json.loads(
        encode(on_demand_predict_response(forecast, lookback=56, age_hours=1415.5, stale=True))
    )
    assert body["interval_level"] == 0.8
    assert body["result"] == [
        {"date": "2024-01-02", "prediction": 101.0, "lower": 97.0, "upper": 105.0}
    ]
    assert (body["age_hours"], body["stale"]) == (1415.5, True)
    assert "from the 56 closes up to 2024-01-01" in body["message"]


def test_a_stale_forecast_says_so_in_its_message():
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    stale = predict_response("BTC-USD", "v", forecast, age_hours=50.2, stale=True)
    assert (stale.age_hours, stale.stale) == (50.2, True)
    assert (
        "STALE: from old data, the close of 2024-01-01, 3 days ago: no newer close has reached "
        "the service"
    ) in stale.message
    fresh = predict_response("BTC-USD", "v", forecast, age_hours=3.0)
    assert "STALE" not in fresh.message
    assert fresh.stale is False


def test_a_stale_forecast_of_yesterdays_close_says_one_day():
    """STALE_AFTER_HOURS below a day: stale on the day after its close, in the singular."""
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    stale = predict_response("BTC-USD", "v", forecast, age_hours=13.0, stale=True)
    assert "the close of 2024-01-01, 1 day ago:" in stale.message


STORED = {
    "as_of": "2024-01-01",
    "last_close": 100.0,
    "interval_level": 0.8,
    "result": [
        {"date": "2024-01-02", "prediction": 101.0, "lower": 97.0, "upper": 105.0},
        {"date": "2024-01-03", "prediction": 102.0, "lower": 96.0, "upper": 108.0},
    ],
}


def test_a_band_adapted_from_the_live_record_says_so_with_each_days_scale():
    adapted = {
        **STORED,
        "calibration": "adaptive",
        "interval_scales": [1.25, 0.9],
        "calibration_outcomes": 31,
    }
    body = predict_response("BTC-USD", "v", adapted)
    assert (body.calibration, body.interval_scales, body.calibration_outcomes) == (
        "adaptive",
        [1.25, 0.9],
        31,
    )


def test_a_band_from_before_adaptive_calibration_is_the_fit_time_one():
    body = predict_response("BTC-USD", "v", STORED)
    assert (body.calibration, body.interval_scales, body.calibration_outcomes) == (
        "fit",
        [1.0, 1.0],
        0,
    )
    point = predict_response(
        "BTC-USD", "v", {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1}]}
    )
    assert (point.calibration, point.interval_scales, point.calibration_outcomes) == (None,) * 3


def test_on_demand_body_says_whether_its_band_was_adapted():
    forecast = Forecast(
        "BTC-USD",
        dt.date(2024, 1, 1),
        100.0,
        [dt.date(2024, 1, 2)],
        [101.0],
        lower=[97.0],
        upper=[105.0],
        interval_level=0.8,
    )
    fit = json.loads(
        encode(on_demand_predict_response(forecast, lookback=56, age_hours=0.0, stale=False))
    )
    assert (fit["calibration"], fit["interval_scales"]) == ("fit", [1.0])
    scales = AdaptiveScales(0.8, 0.05, (1.5,), updates=9)
    adapted = calibrated(forecast, scales)
    body = json.loads(
        encode(on_demand_predict_response(adapted, lookback=56, age_hours=0.0, stale=False))
    )
    assert (body["calibration"], body["interval_scales"], body["calibration_outcomes"]) == (
        "adaptive",
        [1.5],
        9,
    )
    assert body["result"][0]["lower"] == 101.0 - 1.5 * 4.0
    assert body["result"][0]["upper"] == 101.0 + 1.5 * 4.0
