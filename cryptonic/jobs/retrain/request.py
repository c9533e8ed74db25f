"""What the retrain function was asked to do, parsed from any event it can receive.

Accepted: an EventBridge rule or EventBridge Scheduler event (cryptonic.jobs.sources.scheduled),
meaning "retrain every configured ticker"; or a direct invoke
``{"ticker": "BTC-USD", "strategy": "new"|"continue", "force": false}`` where every field is
optional (``"tickers": [...]`` also works). Unknown fields are an error, not silently ignored: a
typo like ``"forse": true`` must not run a job the caller did not ask for.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cryptonic.config import Strategy, normalize_ticker
from cryptonic.jobs.sources.infer import parse_request


class RetrainRequest(BaseModel):
    """A validated retrain request; ``tickers`` None means all configured tickers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tickers: list[str] | None = Field(default=None, min_length=1)
    strategy: Strategy | None = None
    force: bool = False
    scheduled: bool = False

    @field_validator("tickers")
    @classmethod
    def _check(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [normalize_ticker(t) for t in value]


def parse_retrain_event(event: Any) -> RetrainRequest:
    """A RetrainRequest, or ConfigError with every problem spelled out."""
    return parse_request(
        event,
        RetrainRequest,
        "retrain",
        '{"ticker": "BTC-USD", "strategy": "new"|"continue", "force": false}',
    )
