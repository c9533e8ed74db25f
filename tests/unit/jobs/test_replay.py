"""The replay's report: the served band's coverage beside the fit-time band's, week by week."""

from __future__ import annotations

import datetime as dt

from cryptonic.forecast.adaptive import AdaptiveScales
from cryptonic.forecast.value import Forecast
from cryptonic.jobs.replay import ReplayResult, fit_time_inside, format_replay
from cryptonic.registry.calibration import calibrated
from cryptonic.registry.forecast_log import LoggedForecast
from cryptonic.registry.track_record import LiveScores, TrackRecord, score_forecast

TICKER = "BTC-USD"
VERSION = "20260901T003000Z-0000001"
D0 = dt.date(2026, 9, 1)


def logged(as_of: dt.date, scales: tuple[float, ...], updates: int) -> LoggedForecast:
    """A served forecast: median 100, fit-time band 95 .. 105, drawn with ``scales``."""
    fit = Forecast(
        ticker=TICKER,
        as_of=as_of,
        last_close=100.0,
        dates=[as_of + dt.timedelta(days=i + 1) for i in range(len(scales))],
        values=[100.0] * len(scales),
        model_version=VERSION,
        lower=[95.0] * len(scales),
        upper=[105.0] * len(scales),
        interval_level=0.8,
    )
    served = calibrated(fit, AdaptiveScales(0.8, 0.05, scales, updates))
    key = f"forecasts/{TICKER}/{as_of}/{VERSION}.json"
    return LoggedForecast(key, as_of, VERSION, "champion", {**served.to_dict(), "role": "champion"})


def test_the_fit_time_band_is_recovered_from_the_served_one():
    served = logged(D0, (2.0, 0.5, 1.0), updates=5)  # served bands 90..110, 97.5..102.5, 95..105
    closes = {D0 + dt.timedelta(days=1): 107.0, D0 + dt.timedelta(days=2): 96.0}
    closes[D0 + dt.timedelta(days=3)] = 104.0
    assert fit_time_inside(served, closes) == 2  # 107 is outside 95..105; 96 and 104 inside
    row = score_forecast(served, closes, D0 + dt.timedelta(days=3))
    assert row.inside == 2  # the served band: 107 inside 90..110, 96 outside 97.5..102.5
    assert row.inside_days == [True, False, True]


def test_the_report_prints_coverage_with_and_without_adaptation():
    closes = {D0 + dt.timedelta(days=i): 103.0 for i in range(1, 12)}
    narrow = logged(D0, (0.5,) * 7, updates=3)  # every 103 outside the served 97.5 .. 102.5
    rows = [score_forecast(narrow, closes, D0 + dt.timedelta(days=11))]
    result = ReplayResult(
        ticker=TICKER,
        start=D0,
        end=D0 + dt.timedelta(days=11),
        record=TrackRecord(ticker=TICKER, retention_days=365, summary=LiveScores(forecasts=1)),
        served=rows,
        fit_inside={D0: fit_time_inside(narrow, closes)},
    )
    out = format_replay(result)
    assert "| coverage, fit-time band | coverage, adaptive band |" in out
    [total] = [line for line in out.splitlines() if line.startswith("| **all** |")]
    assert total.endswith("| 100% | 0% |")
    assert result.to_dict()["fit_inside"] == {str(D0): 7}
