"""What the refresh function was asked to do, parsed from any event it can receive.

Accepted: an EventBridge rule or EventBridge Scheduler event (cryptonic.jobs.sources.scheduled:
the daily schedule), meaning "refresh every configured ticker"; or a direct invoke
``{"ticker": "BTC-USD"}`` (or ``{"tickers": [...]}``, or ``{}`` for all). Unknown fields are an
error, not silently ignored: ``{"ticker": "BTC-USD", "force": true}`` asks for something a
refresh does not do (a refresh is idempotent: running it again is the only "force" there is).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cryptonic.config import normalize_ticker
from cryptonic.jobs.sources.infer import parse_request


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
    return parse_request(event, RefreshRequest, "refresh", '{"ticker": "BTC-USD"} or {}')
