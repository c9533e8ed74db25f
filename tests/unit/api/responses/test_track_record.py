"""The ``/track-record`` body: empty before the first refresh, cut to the limit asked for."""

from __future__ import annotations

import datetime as dt

from cryptonic.api.responses.track_record import live_record, track_record_response
from cryptonic.registry.track_record import ForecastScore, LiveScores, TrackRecord


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


def test_a_live_record_reads_non_finite_scores_as_null():
    live = LiveScores(forecasts=2, days_scored=5, mape=float("inf"), persistence_mape=2.0)
    record = live_record(live)
    assert record is not None
    assert (record.forecasts, record.mape, record.persistence_mape) == (2, None, 2.0)
    assert live_record(None) is None
