"""The ``GET /track-record`` body, and the live record a row of ``GET /models`` carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptonic.api.responses.encoding import finite_or_none
from cryptonic.api.schemas import LiveRecord, TrackRecordResponse

if TYPE_CHECKING:
    from cryptonic.registry.track_record import LiveScores, TrackRecord


def live_record(record: LiveScores | None) -> LiveRecord | None:
    """A live record of the track record (cryptonic.registry.track_record), as documented."""
    if record is None:
        return None
    return LiveRecord(
        forecasts=record.forecasts,
        days_scored=record.days_scored,
        mape=finite_or_none(record.mape),
        persistence_mape=finite_or_none(record.persistence_mape),
        skill=finite_or_none(record.skill),
        coverage=finite_or_none(record.coverage),
        interval_level=finite_or_none(record.interval_level),
        first_as_of=record.first_as_of,
        last_as_of=record.last_as_of,
    )


def track_record_response(
    ticker: str, record: TrackRecord | None, *, limit: int
) -> TrackRecordResponse:
    """``GET /track-record``: the served forecasts' live record and the newest ``limit`` of
    them (an empty record before the first refresh)."""
    if record is None:
        return TrackRecordResponse(
            ticker=ticker,
            closes_through=None,
            retention_days=None,
            summary=LiveRecord(
                forecasts=0, days_scored=0, mape=None, persistence_mape=None, skill=None
            ),
            rolling_coverage=[],
            forecasts=[],
        )
    summary = live_record(record.summary)
    assert summary is not None
    return TrackRecordResponse.model_validate(
        {
            "ticker": ticker,
            "closes_through": record.closes_through,
            "retention_days": record.retention_days,
            "summary": summary,
            "rolling_coverage": [
                {
                    **window.model_dump(),
                    "coverage": finite_or_none(window.coverage),
                    "interval_level": finite_or_none(window.interval_level),
                }
                for window in record.rolling_coverage
            ],
            "forecasts": [f.model_dump() for f in record.forecasts[:limit]],
        }
    )
