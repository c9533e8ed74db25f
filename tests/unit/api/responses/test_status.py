"""The ``/status`` body from manifests that are sparse or malformed: nulls, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.status import (
    backtest_summary,
    forecast_source,
    refresh_status,
)
from cryptonic.errors import IntegrityError
from cryptonic.forecast.freshness import freshness_of
from cryptonic.registry.manifest import BacktestRecord, BacktestWindow, GateRecord, Manifest
from tests.fixtures.api import status_of
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


def test_status_tolerates_a_sparse_manifest():
    """Only what every manifest has: no metrics, gate or export section."""
    status = status_of(manifest_of(), REFRESH)
    assert status.data is not None
    assert status.data.rows is None
    assert status.model is not None
    assert status.model.lookback == 14
    assert status.gate is None
    assert status.metrics is None
    assert status.export is None
    assert status.backtest.model_mape is None


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
    status = status_of(manifest, REFRESH)
    assert status.backtest.model_mape is None
    assert status.backtest.weeks == 4
    assert status.gate is not None
    assert status.gate.promote is False


def test_a_malformed_manifest_is_refused_where_it_is_read():
    """Manifest.parse, not the body builder, rejects it: an IntegrityError naming the field."""
    good = manifest_of().model_dump(mode="json")
    bad = {**good, "model": {**good["model"], "lookback": "many"}}
    with pytest.raises(IntegrityError, match=r"store/x is not a valid manifest: model\.lookback"):
        Manifest.parse(bad, "store/x")


def test_status_backtest_reports_the_interval_beside_mape():
    row = score_row(
        mape=3.0,
        skill=0.01,
        coverage=0.79,
        interval_level=0.8,
        width=9.5,
        pinball=1.2,
        pinball_skill=0.03,
        adaptive_coverage=0.78,
        adaptive_pinball_skill=0.025,
    )
    manifest = manifest_of(
        manifest_draft(
            metrics=BacktestRecord(model=row, persistence=score_row("persistence", mape=3.1))
        )
    )
    backtest = backtest_summary(manifest)
    assert (backtest.coverage, backtest.interval_level, backtest.pinball_skill) == (0.79, 0.8, 0.03)
    assert (backtest.width, backtest.pinball) == (9.5, 1.2)
    # the band the service keeps (adapted day by day) beside the band as fitted
    assert (backtest.adaptive_coverage, backtest.adaptive_pinball_skill) == (0.78, 0.025)
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
        "source": None,
    }


def test_refresh_status_names_the_source_of_the_served_forecast():
    """The page compares it with data.source: a fallback fed the forecast when they differ."""
    bitstamp = refresh_status(
        FRESH,
        age_hours=11.5,
        next_due=dt.datetime(2026, 10, 7, 0, 30, tzinfo=dt.UTC),
        refresh_hour_utc=0,
        stale_after_hours=48,
        logged=True,
        source=forecast_source({"as_of": "2026-10-05", "source": "bitstamp"}),
    )
    assert json.loads(encode(bitstamp))["source"] == "bitstamp"
    assert forecast_source({"as_of": "2026-10-05"}) is None  # logged before sources were
