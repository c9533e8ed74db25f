"""What the refresh function was asked to do, parsed from any event it can receive.

Accepted: an EventBridge rule or EventBridge Scheduler event (the daily schedule), meaning
"refresh every configured ticker"; or a direct invoke ``{"ticker": "BTC-USD"}`` (or
``{"tickers": [...]}``, or ``{}`` for all). Unknown fields are an error, not silently ignored:
``{"ticker": "BTC-USD", "force": true}`` asks for something a refresh does not do (a refresh is
idempotent: running it again is the only "force" there is).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cryptonic.config import normalize_ticker
from cryptonic.errors import ConfigError
from cryptonic.retrain_request import SCHEDULED_SOURCES


class RefreshRequest(BaseModel):
    """A validated refresh request; ``tickers`` None means all configured tickers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tickers: list[str] | None = Field(default=None, min_length=1)
    scheduled: bool = False

    @field_validator("tickers")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [normalize_ticker(t) for t in value]


def parse_refresh_event(event: Any) -> RefreshRequest:
    """A RefreshRequest, or ConfigError with every problem spelled out."""
    if event is None:
        return RefreshRequest()
    if not isinstance(event, dict):
        raise ConfigError(f"refresh event must be a JSON object, got {type(event).__name__}")
    if event.get("source") in SCHEDULED_SOURCES or event.get("detail-type") == "Scheduled Event":
        return RefreshRequest(scheduled=True)
    body = dict(event)
    if "ticker" in body:
        if "tickers" in body:
            raise ConfigError("give either 'ticker' or 'tickers', not both")
        ticker = body.pop("ticker")
        body["tickers"] = None if ticker in (None, "") else [ticker]
    try:
        return RefreshRequest.model_validate(body, strict=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(
            f'invalid refresh event ({problems}); expected {{"ticker": "BTC-USD"}} or {{}}'
        ) from exc
