"""Response bodies built from stored data that is sparse or malformed: nulls, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from pydantic import ValidationError

from cryptonic.api.responses.bodies import (
    backtest_summary,
    encode,
    predict_response,
    refresh_status,
    status_response,
    track_record_response,
    version_summary,
)
from cryptonic.api.schemas import HealthResponse
from cryptonic.errors import IntegrityError
from cryptonic.forecast.freshness import freshness_of
from cryptonic.registry.manifest import BacktestRecord, BacktestWindow, GateRecord, Manifest
from cryptonic.registry.track_record import ForecastScore, LiveScores, TrackRecord
from tests.fixtures.published import manifest_draft, manifest_of, score_row

NOW = dt.datetime(2026, 10, 6, 12, 0, tzinfo=dt.UTC)
FRESH = freshness_of(dt.date(2026, 10, 5), "2026-10-06T00:30:00Z", "D", 48, NOW)
REFRESH = refresh_status(
    FRESH,
    age_hours=11.5,
    next_due=dt.datetime(2026, 10, 7, 0, 30, tzinfo=dt.UTC),
    refresh_hour_utc=0,
    stale_after_hours=48,
    logged=True,
)


def test_payloads_tolerate_a_sparse_manifest():
    """Only what every manifest has: no metrics, gate or export section."""
    status = status_response(
        "BTC-USD",
        "v",
        manifest_of(),
        pinned=False,
        promoted_at=None,
        previous_version=None,
        refresh=REFRESH,
    )
    assert status.data is not None
    assert status.data.rows is None
    assert status.model is not None
    assert status.model.lookback == 14
    assert status.gate is None
    assert status.metrics is None
    assert status.export is None
    assert status.backtest.model_mape is None
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    body = predict_response("BTC-USD", "v", forecast)
    assert body.period_length == 1
    assert body.last_close is None


def test_backtest_summary_computes_skill_when_missing():
    metrics = BacktestRecord(
        model=score_row(mape=2.0, skill=float("nan")),
        persistence=score_row("persistence", mape=4.0),
    )
    manifest = manifest_of(manifest_draft(metrics=metrics))
    assert backtest_summary(manifest).skill == pytest.approx(0.5)


def test_non_finite_metrics_become_null():
    metrics = BacktestRecord(model=score_row(mape=float("nan")), window=BacktestWindow(weeks=4))
    manifest = manifest_of(
        manifest_draft(metrics=metrics, gate=GateRecord(promote=False, reason=""))
    )
    status = status_response(
        "BTC-USD",
        "v",
        manifest,
        pinned=False,
        promoted_at=None,
        previous_version=None,
        refresh=REFRESH,
    )
    assert status.backtest.model_mape is None
    assert status.backtest.weeks == 4
    assert status.gate is not None
    assert status.gate.promote is False
    row = version_summary("v", manifest, champion=False)
    assert row.mape is None
    assert row.promote is False


def test_a_malformed_manifest_is_refused_where_it_is_read():
    """Manifest.parse, not the body builder, rejects it: an IntegrityError naming the field."""
    good = manifest_of().model_dump(mode="json")
    bad = {**good, "model": {**good["model"], "lookback": "many"}}
    with pytest.raises(IntegrityError, match=r"store/x is not a valid manifest: model\.lookback"):
        Manifest.parse(bad, "store/x")


def test_encode_is_compact_utf8_json_with_null_for_non_finite():
    body = predict_response(
        "BTC-€",
        "v",
        {
            "as_of": "2024-01-01",
            "last_close": float("inf"),
            "result": [{"date": "2024-01-02", "prediction": 1.5}],
        },
    )
    raw = encode(body)
    decoded = json.loads(raw)
    assert raw == json.dumps(decoded, separators=(",", ":"), ensure_ascii=False).encode()
    assert decoded["last_close"] is None
    assert decoded["as_of"] == "2024-01-01"
    assert decoded["success"] is True


def test_response_models_refuse_undocumented_keys():
    with pytest.raises(ValidationError, match="extra"):
        HealthResponse.model_validate(
            {"app_version": "1", "store": "file", "tickers": [], "champions": {}, "debug": 1}
        )


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
    import datetime as dt

    from cryptonic.api.responses.bodies import on_demand_predict_response
    from cryptonic.forecast.value import Forecast

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
    body = json.loads(encode(on_demand_predict_response(forecast, lookback=56)))
    assert body["interval_level"] == 0.8
    assert body["result"] == [
        {"date": "2024-01-02", "prediction": 101.0, "lower": 97.0, "upper": 105.0}
    ]


def test_status_backtest_reports_the_interval_beside_mape():
    row = score_row(
        mape=3.0,
        skill=0.01,
        coverage=0.79,
        interval_level=0.8,
        width=9.5,
        pinball=1.2,
        pinball_skill=0.03,
    )
    manifest = manifest_of(
        manifest_draft(
            metrics=BacktestRecord(model=row, persistence=score_row("persistence", mape=3.1))
        )
    )
    backtest = backtest_summary(manifest)
    assert (backtest.coverage, backtest.interval_level, backtest.pinball_skill) == (0.79, 0.8, 0.03)
    assert (backtest.width, backtest.pinball) == (9.5, 1.2)
    assert backtest.model_mape == 3.0


def test_refresh_status_says_the_schedule_and_the_forecasts_age():
    body = json.loads(encode(REFRESH))
    assert body == {
        "schedule": "daily at 00:30 UTC",
        "next_due": "2026-10-07T00:30:00Z",
        "forecast_as_of": "2026-10-05",
        "forecast_generated_at": "2026-10-06T00:30:00Z",
        "age_hours": 11.5,
        "stale": False,
        "stale_after_hours": 48.0,
        "logged": True,
    }


def test_a_stale_forecast_says_so_in_its_message():
    forecast = {"as_of": "2024-01-01", "result": [{"date": "2024-01-02", "prediction": 1.5}]}
    stale = predict_response("BTC-USD", "v", forecast, age_hours=50.2, stale=True)
    assert (stale.age_hours, stale.stale) == (50.2, True)
    assert "STALE: made 50 hours ago, the daily refresh is late" in stale.message
    fresh = predict_response("BTC-USD", "v", forecast, age_hours=3.0)
    assert "STALE" not in fresh.message
    assert fresh.stale is False


def test_track_record_bodies_empty_and_cut_to_the_limit():
    empty = track_record_response("BTC-USD", None, limit=8)
    assert (empty.summary.forecasts, empty.summary.mape, empty.forecasts) == (0, None, [])
    rows = [
        ForecastScore(
            as_of=dt.date(2026, 10, 5) - dt.timedelta(days=i),
            model_version="v",
            last_close=100.0,
            days_scored=min(i, 7),
            mape=1.0 if i else None,
            persistence_mape=2.0 if i else None,
        )
        for i in range(12)
    ]
    record = TrackRecord(
        ticker="BTC-USD",
        closes_through=dt.date(2026, 10, 5),
        retention_days=365,
        summary=LiveScores(forecasts=11, days_scored=60, mape=1.0, persistence_mape=2.0, skill=0.5),
        forecasts=rows,
    )
    body = track_record_response("BTC-USD", record, limit=3)
    assert [f.as_of.isoformat() for f in body.forecasts] == [
        "2026-10-05",
        "2026-10-04",
        "2026-10-03",
    ]
    assert body.summary.skill == 0.5
    assert body.forecasts[0].mape is None


def test_a_versions_live_record_rides_along_non_finite_as_null():
    live = LiveScores(forecasts=3, days_scored=9, mape=float("nan"), persistence_mape=2.0)
    row = version_summary("v", manifest_of(), champion=False, live=live)
    assert row.live is not None
    assert (row.live.forecasts, row.live.mape, row.live.persistence_mape) == (3, None, 2.0)
    assert version_summary("v", manifest_of(), champion=False).live is None
