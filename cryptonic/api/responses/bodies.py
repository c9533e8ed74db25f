"""The success bodies of every endpoint, built as the response models of :mod:`~.schemas`.

Building the documented model (and serializing it with pydantic) is what keeps ``/openapi.json``
and the bytes sent from drifting apart: a key the schema does not name, or a value of the wrong
type, fails here. Manifests arrive parsed (:class:`cryptonic.manifest.Manifest`); an optional
section they lack, or a non-finite number, becomes ``null``, never a 500. forecast.json is read
defensively, as an old or hand-edited version must still be servable.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cryptonic import __version__
from cryptonic.api.schemas import (
    Backtest,
    CachedChampion,
    DataRange,
    Gate,
    HealthResponse,
    HistoricResponse,
    LiveRecord,
    ModelInfo,
    ModelsResponse,
    PredictResponse,
    RefreshStatus,
    StatusResponse,
    TickerInfo,
    TickersResponse,
    TrackRecordResponse,
    VersionSummary,
)
from cryptonic.config import REFRESH_MINUTE

if TYPE_CHECKING:
    from cryptonic.api.state.ticker_summaries import TickerSummary
    from cryptonic.forecast.freshness import Freshness
    from cryptonic.forecast.value import Forecast
    from cryptonic.registry.manifest import Manifest
    from cryptonic.registry.track_record import LiveScores as ScoredRecord
    from cryptonic.registry.track_record import TrackRecord


def encode(body: BaseModel) -> bytes:
    """Compact UTF-8 JSON, as served (non-finite floats become ``null``: JSON has no NaN)."""
    return body.model_dump_json().encode()


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


# --------------------------------------------------------------------------------------------
# /predict


def predict_response(
    ticker: str,
    version: str,
    forecast: Mapping[str, Any],
    *,
    age_hours: float | None = None,
    stale: bool = False,
) -> PredictResponse:
    """The ``GET /predict`` answer built from a stored (already checked) forecast, with its age
    at the moment of asking (rounded by the caller, see cryptonic.api.state.timed_bodies)."""
    result = forecast.get("result") or []
    late = (
        f"; STALE: made {age_hours:.0f} hours ago, the daily refresh is late"
        if stale and age_hours is not None
        else ""
    )
    return PredictResponse.model_validate(
        {
            "message": (
                f"forecast of the next {len(result)} closes of {ticker} by model {version}, "
                f"made from the closes up to {forecast.get('as_of')}{late}"
            ),
            "ticker": ticker,
            "model_version": version,
            "generated_at": _str(forecast.get("generated_at")),
            "as_of": forecast.get("as_of"),
            "last_close": _float(forecast.get("last_close")),
            "period_length": len(result),
            "interval_level": _float(forecast.get("interval_level")),
            "age_hours": age_hours,
            "stale": stale,
            "result": [
                {
                    "date": str(r["date"]),
                    "prediction": float(r["prediction"]),
                    "lower": _float(r.get("lower")),
                    "upper": _float(r.get("upper")),
                }
                for r in result
            ],
        }
    )


def on_demand_predict_response(forecast: Forecast, *, lookback: int) -> PredictResponse:
    """The ``POST /predict`` answer: a forecast the champion just made from the closes sent."""
    return PredictResponse.model_validate(
        {
            "message": (
                f"forecast of the next {len(forecast.values)} closes of {forecast.ticker} by "
                f"model {forecast.model_version}, from the {lookback} closes up to "
                f"{forecast.as_of.isoformat()}"
            ),
            "ticker": forecast.ticker,
            "model_version": forecast.model_version,
            "generated_at": forecast.generated_at,
            "as_of": forecast.as_of,
            "last_close": _float(forecast.last_close),
            "period_length": len(forecast.values),
            "interval_level": forecast.interval_level,
            "age_hours": 0.0,
            "stale": False,
            "result": [
                {
                    "date": d,
                    "prediction": v,
                    "lower": forecast.lower[i] if forecast.lower is not None else None,
                    "upper": forecast.upper[i] if forecast.upper is not None else None,
                }
                for i, (d, v) in enumerate(zip(forecast.dates, forecast.values, strict=True))
            ],
        }
    )


# --------------------------------------------------------------------------------------------
# /historic


def historic_response(
    ticker: str, version: str, dates: list[str], closes: list[float]
) -> HistoricResponse:
    """``GET /historic``: the closes of one date range of the champion's snapshot."""
    return HistoricResponse.model_validate(
        {
            "ticker": ticker,
            "model_version": version,
            "start": dates[0] if dates else None,
            "end": dates[-1] if dates else None,
            "count": len(dates),
            "result": [{"date": d, "close": c} for d, c in zip(dates, closes, strict=True)],
        }
    )


# --------------------------------------------------------------------------------------------
# /status


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def backtest_summary(manifest: Manifest) -> Backtest:
    """The manifest's walk-forward metrics, flattened; skill computed when it was not stored."""
    metrics = manifest.metrics
    window = metrics.window if metrics else None
    model = metrics.model if metrics else None
    persistence = metrics.persistence if metrics else None
    model_mape = _float(model.mape) if model else None
    persistence_mape = _float(persistence.mape) if persistence else None
    skill = _float(model.skill) if model else None
    if skill is None and model_mape is not None and persistence_mape:
        skill = 1.0 - model_mape / persistence_mape
    return Backtest(
        weeks=window.weeks if window else None,
        start=_iso(window.start) if window else None,
        end=_iso(window.end) if window else None,
        model_mape=model_mape,
        persistence_mape=persistence_mape,
        skill=skill,
        model_rmse=_float(model.rmse) if model else None,
        persistence_rmse=_float(persistence.rmse) if persistence else None,
        interval_level=_float(model.interval_level) if model else None,
        coverage=_float(model.coverage) if model else None,
        width=_float(model.width) if model else None,
        pinball=_float(model.pinball) if model else None,
        pinball_skill=_float(model.pinball_skill) if model else None,
    )


def _dumped(section: BaseModel | None) -> dict[str, Any] | None:
    return section.model_dump(mode="json") if section is not None else None


def refresh_status(
    freshness: Freshness,
    *,
    age_hours: float | None,
    next_due: dt.datetime,
    refresh_hour_utc: int,
    stale_after_hours: float,
    logged: bool,
) -> RefreshStatus:
    """``/status``'s ``refresh``: the served forecast's age and the next scheduled refresh."""
    return RefreshStatus(
        schedule=f"daily at {refresh_hour_utc:02d}:{REFRESH_MINUTE:02d} UTC",
        next_due=next_due,
        forecast_as_of=freshness.as_of,
        forecast_generated_at=(
            freshness.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if freshness.generated_at is not None
            else None
        ),
        age_hours=age_hours,
        stale=freshness.stale,
        stale_after_hours=stale_after_hours,
        logged=logged,
    )


def status_response(
    ticker: str,
    version: str,
    manifest: Manifest,
    *,
    pinned: bool,
    promoted_at: str | None,
    previous_version: str | None,
    refresh: RefreshStatus,
) -> StatusResponse:
    """The ``GET /status`` answer for one served version."""
    data, model, gate = manifest.data, manifest.model, manifest.gate
    return StatusResponse(
        app_version=__version__,
        ticker=ticker,
        model_version=version,
        pinned=pinned,
        trained_at=manifest.created_at,
        promoted_at=promoted_at,
        previous_version=previous_version,
        strategy=manifest.strategy,
        parent=manifest.parent,
        data=DataRange(
            start=_iso(data.start),
            end=_iso(data.end),
            rows=data.rows,
            source=data.source,
            sha256=data.sha256,
        ),
        model=ModelInfo(
            arch=model.arch,
            weeks=model.weeks,
            lookback=model.lookback,
            horizon=model.horizon,
            calendar=model.calendar,
        ),
        backtest=backtest_summary(manifest),
        metrics=_dumped(manifest.metrics),
        gate=Gate(promote=gate.promote, reason=gate.reason) if gate is not None else None,
        export=_dumped(manifest.export),
        refresh=refresh,
    )


# --------------------------------------------------------------------------------------------
# /models


def live_record(record: ScoredRecord | None) -> LiveRecord | None:
    """A live record of the track record (cryptonic.registry.track_record), as documented."""
    if record is None:
        return None
    return LiveRecord(
        forecasts=record.forecasts,
        days_scored=record.days_scored,
        mape=_float(record.mape),
        persistence_mape=_float(record.persistence_mape),
        skill=_float(record.skill),
        coverage=_float(record.coverage),
        interval_level=_float(record.interval_level),
        first_as_of=record.first_as_of,
        last_as_of=record.last_as_of,
    )


def version_summary(
    version: str, manifest: Manifest, *, champion: bool, live: ScoredRecord | None = None
) -> VersionSummary:
    """One row of ``GET /models``: a version's backtest against persistence, its gate and its
    live record."""
    backtest = backtest_summary(manifest)
    gate = manifest.gate
    return VersionSummary(
        version=version,
        created_at=manifest.created_at,
        champion=champion,
        strategy=manifest.strategy,
        parent=manifest.parent,
        mape=backtest.model_mape,
        persistence_mape=backtest.persistence_mape,
        skill=backtest.skill,
        promote=gate.promote if gate is not None else None,
        reason=gate.reason if gate is not None else None,
        live=live_record(live),
    )


def models_response(
    ticker: str,
    versions: Iterable[tuple[str, Manifest]],
    *,
    champion: str | None,
    pinned: str | None,
    next_cursor: str | None,
    live: Mapping[str, ScoredRecord] | None = None,
) -> ModelsResponse:
    """One page of ``GET /models``: ``versions`` are (id, manifest), newest first; ``live`` the
    versions' live records (the track record's ``versions``)."""
    records = live or {}
    return ModelsResponse(
        ticker=ticker,
        champion=champion,
        pinned=pinned,
        versions=[
            version_summary(
                version, manifest, champion=version == champion, live=records.get(version)
            )
            for version, manifest in versions
        ],
        next_cursor=next_cursor,
    )


# --------------------------------------------------------------------------------------------
# /track-record


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
            "forecasts": [f.model_dump() for f in record.forecasts[:limit]],
        }
    )


# --------------------------------------------------------------------------------------------
# /health


def health_response(
    store_kind: str,
    tickers: list[str],
    cached: Mapping[str, tuple[str, str | None, dt.date | None, float]],
) -> HealthResponse:
    """``GET /health``; ``cached``: ticker -> (version, promoted_at, forecast as_of, seconds
    since checked)."""
    return HealthResponse(
        app_version=__version__,
        store=store_kind,
        tickers=tickers,
        champions={
            ticker: CachedChampion(
                version=version,
                promoted_at=promoted_at,
                forecast_as_of=as_of,
                checked_seconds_ago=round(age, 3),
            )
            for ticker, (version, promoted_at, as_of, age) in cached.items()
        },
    )


# --------------------------------------------------------------------------------------------
# /tickers


def tickers_response(
    rows: Iterable[TickerSummary], *, default: str, total: int, next_cursor: str | None
) -> TickersResponse:
    """One page of ``GET /tickers`` (rows from :mod:`cryptonic.api.state.ticker_summaries`)."""
    return TickersResponse(
        default=default,
        total=total,
        tickers=[
            TickerInfo(
                ticker=row.ticker,
                champion=row.champion,
                as_of=row.as_of,
                age_hours=row.age_hours,
                stale=row.stale,
                loaded=row.loaded,
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )
