"""The ``GET /status`` body: the served version's training, backtest and the refresh's schedule.

:func:`backtest_summary` is also the backtest of each row of ``GET /models``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cryptonic import __version__
from cryptonic.api.responses.encoding import finite_or_none
from cryptonic.api.schemas import (
    Backtest,
    DataRange,
    Gate,
    ModelInfo,
    RefreshStatus,
    StatusResponse,
)
from cryptonic.config import REFRESH_MINUTE
from cryptonic.forecast.freshness import format_timestamp

if TYPE_CHECKING:
    from cryptonic.forecast.freshness import Freshness
    from cryptonic.registry.manifest import Manifest


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def backtest_summary(manifest: Manifest) -> Backtest:
    """The manifest's walk-forward metrics, flattened; skill computed when it was not stored."""
    metrics = manifest.metrics
    window = metrics.window if metrics else None
    model = metrics.model if metrics else None
    persistence = metrics.persistence if metrics else None
    model_mape = finite_or_none(model.mape) if model else None
    persistence_mape = finite_or_none(persistence.mape) if persistence else None
    skill = finite_or_none(model.skill) if model else None
    if skill is None and model_mape is not None and persistence_mape:
        skill = 1.0 - model_mape / persistence_mape
    return Backtest(
        weeks=window.weeks if window else None,
        start=_iso(window.start) if window else None,
        end=_iso(window.end) if window else None,
        model_mape=model_mape,
        persistence_mape=persistence_mape,
        skill=skill,
        model_rmse=finite_or_none(model.rmse) if model else None,
        persistence_rmse=finite_or_none(persistence.rmse) if persistence else None,
        interval_level=finite_or_none(model.interval_level) if model else None,
        coverage=finite_or_none(model.coverage) if model else None,
        width=finite_or_none(model.width) if model else None,
        pinball=finite_or_none(model.pinball) if model else None,
        pinball_skill=finite_or_none(model.pinball_skill) if model else None,
        adaptive_coverage=finite_or_none(model.adaptive_coverage) if model else None,
        adaptive_pinball_skill=finite_or_none(model.adaptive_pinball_skill) if model else None,
    )


def _dumped(section: BaseModel | None) -> dict[str, Any] | None:
    return section.model_dump(mode="json") if section is not None else None


def forecast_source(forecast: Mapping[str, Any]) -> str | None:
    """The price source a stored forecast records (None: made before sources were recorded)."""
    value = forecast.get("source")
    return value if isinstance(value, str) else None


def refresh_status(
    freshness: Freshness,
    *,
    age_hours: float | None,
    next_due: dt.datetime,
    refresh_hour_utc: int,
    stale_after_hours: float,
    logged: bool,
    source: str | None = None,
) -> RefreshStatus:
    """``/status``'s ``refresh``: the served forecast's age, the source of its closes and the
    next scheduled refresh."""
    return RefreshStatus(
        schedule=f"daily at {refresh_hour_utc:02d}:{REFRESH_MINUTE:02d} UTC",
        next_due=next_due,
        forecast_as_of=freshness.as_of,
        forecast_generated_at=(
            format_timestamp(freshness.generated_at) if freshness.generated_at is not None else None
        ),
        age_hours=age_hours,
        stale=freshness.stale,
        stale_after_hours=stale_after_hours,
        logged=logged,
        source=source,
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
