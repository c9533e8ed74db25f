"""A direct invoke (``aws lambda invoke``, the CLI, a test): the caller's own JSON, validated
against the job's request model. Any event no other source recognises is read as one, so that a
wrong payload is refused with every problem spelled out rather than ignored.

``{"ticker": "BTC-USD"}`` is ``{"tickers": ["BTC-USD"]}``; ``null`` or ``{}`` asks for every
configured ticker. Unknown fields are an error: a typo like ``"forse": true`` must not run a job
the caller did not ask for.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from cryptonic.errors import ConfigError

JobRequest = TypeVar("JobRequest", bound=BaseModel)


def recognises(event: Any) -> bool:
    """Always: a direct invoke may send any JSON, and is asked last."""
    return True


def direct_job(event: Any) -> Any:
    """``job`` as the caller wrote it (unchecked), or ``"retrain"`` without one."""
    return event.get("job", "retrain") if isinstance(event, dict) else "retrain"


def parse_job_event(event: Any, request: type[JobRequest], job: str, expected: str) -> JobRequest:
    """``request`` from a direct invoke's JSON (``expected`` shows the shape in the error);
    ConfigError with every problem spelled out."""
    if event is None:
        return request()
    if not isinstance(event, dict):
        raise ConfigError(f"{job} event must be a JSON object, got {type(event).__name__}")
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
