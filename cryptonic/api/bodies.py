"""The success bodies of every endpoint, built as the response models of :mod:`~.schemas`.

Building the documented model (and serializing it with pydantic) is what keeps ``/openapi.json``
and the bytes sent from drifting apart: a key the schema does not name, or a value of the wrong
type, fails here. Stored data (forecast.json, manifests) is read defensively: a missing or
malformed field becomes ``null``, never a 500, because an old or hand-edited version must still
be servable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from cryptonic import __version__
from cryptonic.api.artifacts import Manifest, section
from cryptonic.api.schemas import (
    Backtest,
    CachedChampion,
    DataRange,
    Gate,
    HealthResponse,
    HistoricResponse,
    ModelInfo,
    ModelsResponse,
    PredictResponse,
    StatusResponse,
    VersionSummary,
)

if TYPE_CHECKING:
    from cryptonic.forecast import Forecast


def encode(body: BaseModel) -> bytes:
    """Compact UTF-8 JSON, as served (non-finite floats become ``null``: JSON has no NaN)."""
    return body.model_dump_json().encode()


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


# --------------------------------------------------------------------------------------------
# /predict


def predict_response(ticker: str, version: str, forecast: Mapping[str, Any]) -> PredictResponse:
    """The ``GET /predict`` answer built from a stored (already checked) forecast.json."""
    result = forecast.get("result") or []
    return PredictResponse.model_validate(
        {
            "message": (
                f"forecast of the next {len(result)} closes of {ticker} by model {version}, "
                f"made from the closes up to {forecast.get('as_of')}"
            ),
            "ticker": ticker,
            "model_version": version,
            "generated_at": _str(forecast.get("generated_at")),
            "as_of": forecast.get("as_of"),
            "last_close": _float(forecast.get("last_close")),
            "period_length": len(result),
            "result": [
                {"date": str(r["date"]), "prediction": float(r["prediction"])} for r in result
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
            "result": [
                {"date": d, "prediction": v}
                for d, v in zip(forecast.dates, forecast.values, strict=True)
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


def backtest_summary(manifest: Manifest) -> Backtest:
    """The manifest's walk-forward metrics, flattened; skill computed when it was not stored."""
    metrics = section(manifest, "metrics")
    window = _dict(metrics.get("window")) or {}
    model = _dict(metrics.get("model")) or {}
    persistence = _dict(metrics.get("persistence")) or {}
    model_mape = _float(model.get("mape"))
    persistence_mape = _float(persistence.get("mape"))
    skill = _float(model.get("skill"))
    if skill is None and model_mape is not None and persistence_mape:
        skill = 1.0 - model_mape / persistence_mape
    return Backtest(
        weeks=_int(window.get("weeks")),
        start=_str(window.get("start")),
        end=_str(window.get("end")),
        model_mape=model_mape,
        persistence_mape=persistence_mape,
        skill=skill,
        model_rmse=_float(model.get("rmse")),
        persistence_rmse=_float(persistence.get("rmse")),
    )


def status_response(
    ticker: str,
    version: str,
    manifest: Manifest,
    *,
    pinned: bool,
    promoted_at: str | None,
    previous_version: str | None,
) -> StatusResponse:
    """The ``GET /status`` answer for one served version."""
    data = section(manifest, "data")
    model = section(manifest, "model")
    gate = _dict(manifest.get("gate"))
    return StatusResponse(
        app_version=__version__,
        ticker=ticker,
        model_version=version,
        pinned=pinned,
        trained_at=_str(manifest.get("created_at")),
        promoted_at=promoted_at,
        previous_version=previous_version,
        strategy=_str(manifest.get("strategy")),
        parent=_str(manifest.get("parent")),
        data=DataRange(
            start=_str(data.get("start")),
            end=_str(data.get("end")),
            rows=_int(data.get("rows")),
            source=_str(data.get("source")),
            sha256=_str(data.get("sha256")),
        )
        if data
        else None,
        model=ModelInfo(
            arch=_str(model.get("arch")),
            weeks=_int(model.get("weeks")),
            lookback=_int(model.get("lookback")),
            horizon=_int(model.get("horizon")),
            calendar=_str(model.get("calendar")),
        )
        if model
        else None,
        backtest=backtest_summary(manifest),
        metrics=_dict(manifest.get("metrics")),
        gate=Gate(
            promote=gate.get("promote") if isinstance(gate.get("promote"), bool) else None,
            reason=_str(gate.get("reason")),
        )
        if gate is not None
        else None,
        export=_dict(manifest.get("export")),
    )


# --------------------------------------------------------------------------------------------
# /models


def version_summary(version: str, manifest: Manifest, *, champion: bool) -> VersionSummary:
    """One row of ``GET /models``: a version's backtest against persistence and its gate."""
    backtest = backtest_summary(manifest)
    gate = section(manifest, "gate")
    promote = gate.get("promote")
    return VersionSummary(
        version=version,
        created_at=_str(manifest.get("created_at")),
        champion=champion,
        strategy=_str(manifest.get("strategy")),
        parent=_str(manifest.get("parent")),
        mape=backtest.model_mape,
        persistence_mape=backtest.persistence_mape,
        skill=backtest.skill,
        promote=promote if isinstance(promote, bool) else None,
        reason=_str(gate.get("reason")),
    )


def models_response(
    ticker: str,
    versions: Iterable[tuple[str, Manifest]],
    *,
    champion: str | None,
    pinned: str | None,
    next_cursor: str | None,
) -> ModelsResponse:
    """One page of ``GET /models``: ``versions`` are (id, manifest), newest first."""
    return ModelsResponse(
        ticker=ticker,
        champion=champion,
        pinned=pinned,
        versions=[
            version_summary(version, manifest, champion=version == champion)
            for version, manifest in versions
        ],
        next_cursor=next_cursor,
    )


# --------------------------------------------------------------------------------------------
# /health


def health_response(
    store_kind: str, tickers: list[str], cached: Mapping[str, tuple[str, str | None, float]]
) -> HealthResponse:
    """``GET /health``; ``cached``: ticker -> (version, promoted_at, seconds since checked)."""
    return HealthResponse(
        app_version=__version__,
        store=store_kind,
        tickers=tickers,
        champions={
            ticker: CachedChampion(
                version=version, promoted_at=promoted_at, checked_seconds_ago=round(age, 3)
            )
            for ticker, (version, promoted_at, age) in cached.items()
        },
    )
