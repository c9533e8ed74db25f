"""The ``GET /predict`` and ``POST /predict`` bodies: a dated forecast of the next closes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cryptonic.api.responses.encoding import finite_or_none
from cryptonic.api.schemas import PredictResponse
from cryptonic.forecast.freshness import days_since_close
from cryptonic.registry.calibration import BandCalibration

if TYPE_CHECKING:
    from cryptonic.forecast.value import Forecast


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _calibration(fields: Mapping[str, Any], days: int, banded: bool) -> dict[str, Any]:
    """``calibration``, ``interval_scales`` and ``calibration_outcomes`` of a body: what it
    says (a band from before adaptive calibration is fit-time); all null without a band."""
    if not banded:
        return {"calibration": None, "interval_scales": None, "calibration_outcomes": None}
    said = BandCalibration.read(fields, days)
    return {
        "calibration": said.mode,
        "interval_scales": list(said.scales),
        "calibration_outcomes": said.outcomes,
    }


def predict_response(
    ticker: str,
    version: str,
    forecast: Mapping[str, Any],
    *,
    age_hours: float | None = None,
    stale: bool = False,
) -> PredictResponse:
    """The ``GET /predict`` answer built from a stored (already checked) forecast, with its age
    at the moment of asking (rounded by the caller, see cryptonic.api.state.timed_bodies); a
    stale one says in its message how old its data is."""
    result = forecast.get("result") or []
    days = days_since_close(age_hours) if age_hours is not None else None
    late = (
        f"; STALE: from old data, the close of {forecast.get('as_of')}, {days} "
        f"day{'' if days == 1 else 's'} ago: no newer close has reached the service"
        if stale and days is not None
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
            "last_close": finite_or_none(forecast.get("last_close")),
            "period_length": len(result),
            "interval_level": finite_or_none(forecast.get("interval_level")),
            **_calibration(forecast, len(result), forecast.get("interval_level") is not None),
            "age_hours": age_hours,
            "stale": stale,
            "result": [
                {
                    "date": str(r["date"]),
                    "prediction": float(r["prediction"]),
                    "lower": finite_or_none(r.get("lower")),
                    "upper": finite_or_none(r.get("upper")),
                }
                for r in result
            ],
        }
    )


def on_demand_predict_response(
    forecast: Forecast, *, lookback: int, age_hours: float, stale: bool
) -> PredictResponse:
    """The ``POST /predict`` answer: a forecast the champion just made from the closes sent
    (its band adapted when the caller drew it with the served scales, see
    cryptonic.registry.calibration.calibrated). Its age counts from the last close sent, by the
    rule ``GET /predict`` follows: the same closes give the same age, however fresh the call."""
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
            "last_close": finite_or_none(forecast.last_close),
            "period_length": len(forecast.values),
            "interval_level": forecast.interval_level,
            **_calibration(forecast.extra, len(forecast.values), forecast.has_interval),
            "age_hours": age_hours,
            "stale": stale,
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
