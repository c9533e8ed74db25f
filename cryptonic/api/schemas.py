"""Pydantic models of the HTTP API: request bodies (validated) and responses (documented).

Every success body is one of the response models below, built and serialized by
:mod:`cryptonic.api.responses` (one module per resource), so ``/docs`` and ``/openapi.json``
describe exactly what the endpoints send. Their class names are the OpenAPI component names: a
rename changes the document. Response models forbid undocumented keys: a body with a key the
schema does not name fails while it is built, not in a client. The hot ``GET /predict`` path
serializes its model once per champion and then serves the bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

MAX_CLOSES = 5000
"""Most closes a POST /predict accepts (about 14 years of daily closes)."""

MIN_DATE = dt.date(1970, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: object) -> object:
    """Accept ``YYYY-MM-DD`` strings (and dates) only: no timestamps, no datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a calendar date: {exc}") from None
    raise ValueError("expected an ISO date YYYY-MM-DD")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A date written as ``YYYY-MM-DD`` (documented as ``format: date``)."""

Close = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
"""A positive, finite price (a JSON number; strings and booleans are refused)."""


class _Response(BaseModel):
    """A response body: only the documented keys (``additionalProperties: false``)."""

    # Built on first use: a cold start serves GET /predict and needs few of them
    # (cryptonic.api.resource_router: the routes declare them only for the OpenAPI document).
    model_config = ConfigDict(extra="forbid", defer_build=True)


# --------------------------------------------------------------------------------------------
# Errors


class ErrorDetail(_Response):
    code: str = Field(description="Stable machine-readable code, e.g. no_model, validation_error")
    message: str = Field(description="What went wrong, for a person")


class ErrorResponse(_Response):
    """Every error answer: ``{success: false, error: {code, message}}``."""

    success: Literal[False] = False
    error: ErrorDetail


# --------------------------------------------------------------------------------------------
# /predict


class ForecastPoint(_Response):
    date: dt.date
    prediction: float = Field(description="The point forecast: the median (0.5 quantile)")
    lower: float | None = Field(
        default=None,
        description="Lower bound of the central interval (see interval_level); null for a "
        "point-only model",
    )
    upper: float | None = Field(
        default=None, description="Upper bound of the central interval; null for a point model"
    )


class PredictResponse(_Response):
    """A dated forecast of the next closes (the champion's, or one made from the closes sent)."""

    success: Literal[True] = True
    message: str
    ticker: str
    model_version: str | None = None
    generated_at: str | None = None
    as_of: dt.date = Field(description="Date of the last known close the forecast starts from")
    last_close: float | None = None
    period_length: int
    interval_level: float | None = Field(
        default=None,
        description="Nominal coverage of [lower, upper], e.g. 0.8: 80% of closes should fall "
        "inside (calibrated on data the fit did not see; /status shows the backtest coverage)",
    )
    calibration: Literal["fit", "adaptive"] | None = Field(
        default=None,
        description="How [lower, upper] is calibrated: fit (once, after the fit) or adaptive "
        "(each day's spread around the prediction rescaled from the live record: widened after "
        "realized closes fell outside the served band, narrowed after they fell inside, so "
        "coverage stays near interval_level when the market changes); null for a point model",
    )
    interval_scales: list[float] | None = Field(
        default=None,
        description="Per forecast day, the factor the fit-time spread around the prediction is "
        "multiplied by (1: as fitted); null for a point model",
    )
    calibration_outcomes: int | None = Field(
        default=None,
        description="Realized forecast days of the served version the scales learned from "
        "(0: none yet, the fit-time band); null for a point model",
    )
    age_hours: float | None = Field(
        default=None,
        description="How old the forecast's data is: hours since the close it starts from "
        "(as_of) was final (00:00 UTC the next day), in steps of 0.1, whenever it was computed "
        "(generated_at); an on-demand forecast counts from the last_date sent",
    )
    stale: bool = Field(
        default=False,
        description="True once its data is older than STALE_AFTER_HOURS (48), not counting the "
        "days the market was closed after as_of: for the served forecast, no newer close has "
        "reached the service (the daily refresh is late, or the price source is down or "
        "blocked); for an on-demand one, the closes sent end that long ago",
    )
    result: list[ForecastPoint]


class PredictRequest(BaseModel):
    """Closes to forecast from, oldest first; the model reads the most recent ones it needs."""

    # Built when defined, unlike the response models: FastAPI builds its body validator when the
    # route is added, and a deferred model would be built again inside every such validator.
    model_config = ConfigDict(extra="forbid")

    ticker: str | None = Field(
        default=None,
        description="Yahoo symbol whose champion model to use (default: the first configured)",
        examples=["BTC-USD"],
    )
    closes: list[Close] = Field(
        min_length=1,
        max_length=MAX_CLOSES,
        description="Daily closes, oldest first; at least the model's lookback (see /status)",
    )
    last_date: IsoDate | None = Field(
        default=None,
        description="Date of the last close (default: the last final close, the ticker's "
        "trading day before today, UTC); forecast dates follow it",
    )

    @field_validator("last_date")
    @classmethod
    def _check_range(cls, value: dt.date | None) -> dt.date | None:
        if value is not None and not MIN_DATE <= value <= MAX_DATE:
            raise ValueError(f"must be between {MIN_DATE} and {MAX_DATE}")
        return value


# --------------------------------------------------------------------------------------------
# /historic


class HistoricPoint(_Response):
    date: dt.date
    close: float


class HistoricResponse(_Response):
    success: Literal[True] = True
    ticker: str
    model_version: str
    start: dt.date | None = Field(description="First date returned (null when none)")
    end: dt.date | None = Field(description="Last date returned (null when none)")
    count: int
    result: list[HistoricPoint]


# --------------------------------------------------------------------------------------------
# /status


class DataRange(_Response):
    """The closes the model was trained on; ``source``: the one price source they came from."""

    start: str | None = None
    end: str | None = None
    rows: int | None = None
    source: str | None = None
    sha256: str | None = None


class ModelInfo(_Response):
    arch: str | None = None
    weeks: int | None = None
    lookback: int | None = None
    horizon: int | None = None
    calendar: str | None = None


class Backtest(_Response):
    """The walk-forward backtest of this model, flattened for display."""

    weeks: int | None = None
    start: str | None = None
    end: str | None = None
    model_mape: float | None = None
    persistence_mape: float | None = None
    skill: float | None = Field(default=None, description="1 - MAPE_model / MAPE_persistence")
    model_rmse: float | None = None
    persistence_rmse: float | None = None
    interval_level: float | None = Field(
        default=None, description="Nominal coverage of the model's central interval"
    )
    coverage: float | None = Field(
        default=None, description="Share of realized closes inside the interval in the backtest"
    )
    width: float | None = Field(
        default=None, description="Mean interval width, percent of the last close"
    )
    pinball: float | None = Field(
        default=None, description="Mean pinball loss over the quantiles, percent of the last close"
    )
    pinball_skill: float | None = Field(
        default=None,
        description="1 - pinball / pinball(persistence with empirical quantiles)",
    )
    adaptive_coverage: float | None = Field(
        default=None,
        description="coverage after adaptive calibration, replayed day by day without look-ahead "
        "as the daily refresh adapts the served band (what the promotion gate judged)",
    )
    adaptive_pinball_skill: float | None = Field(
        default=None, description="pinball_skill of the adapted band"
    )


class Gate(_Response):
    promote: bool | None = None
    reason: str | None = None


class RefreshStatus(_Response):
    """How fresh the served forecast is, and when the daily refresh runs next."""

    schedule: str = Field(description="When the daily refresh runs, e.g. daily at 00:30 UTC")
    next_due: dt.datetime = Field(description="The next scheduled refresh (UTC)")
    forecast_as_of: dt.date = Field(description="Date of the last close the served forecast used")
    forecast_generated_at: str | None = Field(description="When the served forecast was made")
    age_hours: float | None = Field(
        description="Hours since the close of forecast_as_of was final, in steps of 0.1 (as "
        "/predict: the age of the data, not of the computation)"
    )
    stale: bool = Field(description="Older than stale_after_hours, market-closed days not counted")
    stale_after_hours: float
    logged: bool = Field(
        description="True: the latest forecast of the forecast log (a daily refresh or the "
        "promotion); false: the forecast the version made when it was published"
    )
    source: str | None = Field(
        default=None,
        description="The price source of the closes the served forecast was made from (e.g. "
        "yahoo, bitstamp); when it differs from data.source, a fallback fed it (its closes "
        "agreed with the model's training closes within SOURCE_TOLERANCE); null: not recorded",
    )


class StatusResponse(_Response):
    success: Literal[True] = True
    app_version: str
    ticker: str
    model_version: str
    pinned: bool = Field(
        description="True when MODEL_VERSION pins this ticker to the served version (its "
        "champion serves otherwise)"
    )
    trained_at: str | None = Field(description="When the version was created (manifest)")
    promoted_at: str | None = None
    previous_version: str | None = None
    strategy: str | None = None
    parent: str | None = None
    data: DataRange | None = None
    model: ModelInfo | None = None
    backtest: Backtest
    metrics: dict[str, Any] | None = Field(description="The manifest's metrics, verbatim")
    gate: Gate | None = None
    export: dict[str, Any] | None = None
    refresh: RefreshStatus


# --------------------------------------------------------------------------------------------
# /track-record and the live records of /models


class LiveRecord(_Response):
    """Scores of forecasts on the closes that came after them (pooled over every realized day),
    next to the persistence forecast (the last close) of the same days."""

    forecasts: int = Field(description="Forecasts with at least one realized day")
    days_scored: int = Field(description="Realized forecast days scored, over all forecasts")
    mape: float | None = Field(description="MAPE in percent")
    persistence_mape: float | None = Field(description="MAPE of the last close, same days")
    skill: float | None = Field(description="1 - mape / persistence_mape")
    coverage: float | None = Field(
        default=None, description="Share of realized closes inside the interval (null: none)"
    )
    interval_level: float | None = None
    first_as_of: dt.date | None = None
    last_as_of: dt.date | None = None


class TrackRecordDay(_Response):
    date: dt.date
    prediction: float
    lower: float | None = None
    upper: float | None = None
    actual: float | None = Field(description="The realized close; null until it is known")


class TrackRecordForecast(_Response):
    """One served forecast and how it did."""

    as_of: dt.date = Field(description="Date of the last close the forecast used")
    model_version: str
    generated_at: str | None = None
    last_close: float
    days_scored: int = Field(description="Forecast days whose close is known (0 to 7)")
    mape: float | None = None
    persistence_mape: float | None = None
    coverage: float | None = None
    result: list[TrackRecordDay] | None = Field(
        default=None,
        description="Each day's prediction and realized close: the newest 8 forecasts only",
    )


class RollingCoverage(_Response):
    """Coverage of the served band over a recent window: a band drifting away from its level
    shows here before the pooled coverage moves."""

    weeks: int = Field(description="The served forecasts made in the last `weeks` weeks")
    forecasts: int = Field(description="Of those, the ones with a realized day under a band")
    days: int = Field(description="Their realized days with a band")
    coverage: float | None = Field(
        description="Share of those closes inside the band that was served (null: none yet)"
    )
    interval_level: float | None = Field(default=None, description="The band's nominal coverage")


class TrackRecordResponse(_Response):
    """The live track record of the served forecasts of a ticker, newest first."""

    success: Literal[True] = True
    ticker: str
    closes_through: dt.date | None = Field(description="The last realized close scored")
    retention_days: int | None = Field(description="How long forecasts are kept and scored")
    summary: LiveRecord
    rolling_coverage: list[RollingCoverage] = Field(
        description="The served band's coverage over the last 8 and 26 weeks (empty before the "
        "first refresh)"
    )
    forecasts: list[TrackRecordForecast]


# --------------------------------------------------------------------------------------------
# /models


class VersionSummary(_Response):
    version: str
    created_at: str | None = None
    champion: bool
    strategy: str | None = None
    parent: str | None = None
    mape: float | None = None
    persistence_mape: float | None = None
    skill: float | None = None
    promote: bool | None = Field(default=None, description="The promotion gate's decision")
    reason: str | None = None
    live: LiveRecord | None = Field(
        default=None,
        description="Its live track record (as champion or shadow challenger); null: none yet",
    )


class ModelsResponse(_Response):
    """One page of a ticker's published versions, newest first."""

    success: Literal[True] = True
    ticker: str
    champion: str | None = Field(description="The version the champion pointer names")
    pinned: str | None = Field(
        default=None,
        description="The version MODEL_VERSION pins this ticker to; null: its champion serves",
    )
    versions: list[VersionSummary]
    next_cursor: str | None = Field(
        default=None,
        description="Pass as `cursor` to get the next (older) page; null on the last page",
    )


# --------------------------------------------------------------------------------------------
# /health


class CachedChampion(_Response):
    version: str
    promoted_at: str | None = None
    forecast_as_of: dt.date | None = Field(
        default=None, description="Date of the last close of the forecast it serves"
    )
    checked_seconds_ago: float


class HealthResponse(_Response):
    status: Literal["ok"] = "ok"
    app_version: str
    store: str = Field(description="Store kind: s3 or file")
    tickers: list[str]
    champions: dict[str, CachedChampion] = Field(
        description="Champions this instance has in memory (none before the first request)"
    )


# --------------------------------------------------------------------------------------------
# /tickers


class TickerInfo(_Response):
    """A served ticker: its champion and how fresh the forecast it serves is."""

    ticker: str
    champion: str | None = Field(
        description="The version serving it (the champion, or the version MODEL_VERSION pins it "
        "to); null: no model yet"
    )
    as_of: dt.date | None = Field(
        description="Date of the last close the served forecast starts from; null: no model"
    )
    age_hours: float | None = Field(
        description="Hours since the close of as_of was final, in steps of 0.1 (as /predict)"
    )
    stale: bool = Field(
        description="True once the forecast is older than STALE_AFTER_HOURS, market-closed days "
        "not counted (as /predict)"
    )
    loaded: bool = Field(
        description="True when this instance holds its champion in memory (at most "
        "MAX_LOADED_TICKERS; a ticker not loaded is loaded by its first /predict)"
    )
    unread: bool = Field(
        description="True when the store could not be read for this ticker in time (it failed, "
        "or the request's time ran out first): the row says what this instance knew before, "
        "or nothing; ask again later"
    )


class TickersResponse(_Response):
    """One page of the served tickers, sorted by symbol."""

    success: Literal[True] = True
    default: str = Field(description="The ticker served when a request names none")
    total: int = Field(description="How many tickers are served, over every page")
    tickers: list[TickerInfo]
    next_cursor: str | None = Field(
        default=None,
        description="Pass as `cursor` to get the next page; null on the last page",
    )
