"""What the retrain function was asked to do, parsed from any event it can receive.

Accepted: an EventBridge rule or EventBridge Scheduler event (``sam local generate-event
cloudwatch scheduled-event``), meaning "retrain every configured ticker"; or a direct invoke
``{"ticker": "BTC-USD", "strategy": "new"|"continue", "force": false}`` where every field is
optional (``"tickers": [...]`` also works). Unknown fields are an error, not silently ignored: a
typo like ``"forse": true`` must not run a job the caller did not ask for.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cryptonic.config import Strategy, normalize_ticker
from cryptonic.errors import ConfigError

SCHEDULED_SOURCES = {"aws.events", "aws.scheduler"}

JobRequest = TypeVar("JobRequest", bound=BaseModel)


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


def parse_job_event(event: Any, request: type[JobRequest], job: str, expected: str) -> JobRequest:
    """``request`` from a scheduled event, a direct invoke or nothing; ConfigError with every
    problem spelled out. Shared by the retrain and the refresh: one set of event rules."""
    if event is None:
        return request()
    if not isinstance(event, dict):
        raise ConfigError(f"{job} event must be a JSON object, got {type(event).__name__}")
    if event.get("source") in SCHEDULED_SOURCES or event.get("detail-type") == "Scheduled Event":
        return request(scheduled=True)
    body = dict(event)
    if "ticker" in body:
        if "tickers" in body:
            raise ConfigError("give either 'ticker' or 'tickers', not both")
        ticker = body.pop("ticker")
        body["tickers"] = None if ticker in (None, "") else [ticker]
    try:
        return request.model_validate(body, strict=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid {job} event ({problems}); expected {expected}") from exc


def parse_retrain_event(event: Any) -> RetrainRequest:
    """A RetrainRequest, or ConfigError with every problem spelled out."""
    return parse_job_event(
        event,
        RetrainRequest,
        "retrain",
        '{"ticker": "BTC-USD", "strategy": "new"|"continue", "force": false}',
    )
