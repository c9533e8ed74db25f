"""Which source sent an event, decided in one place (as Mangum picks its handler): each source
module says whether it recognises the event, and the first one asked that does is the source.

SQS records first (only Lambda's event source mapping sends them), then a schedule's event, then
a direct invoke, which takes anything else and refuses what it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal

from cryptonic.jobs.sources import direct, scheduled, sqs
from cryptonic.jobs.sources.direct import JobRequest, parse_job_event

Source = Literal["sqs", "scheduled", "direct"]

SOURCES: Final[tuple[tuple[Source, Callable[[Any], bool]], ...]] = (
    ("sqs", sqs.recognises),
    ("scheduled", scheduled.recognises),
    ("direct", direct.recognises),
)
"""Every source, in the order they are asked."""


def source_of(event: Any) -> Source:
    """The first source that recognises ``event`` (a direct invoke recognises anything)."""
    return next(name for name, recognises in SOURCES if recognises(event))


def parse_request(event: Any, request: type[JobRequest], job: str, expected: str) -> JobRequest:
    """``request`` from whatever sent it: a schedule means every configured ticker
    (``scheduled=True``); anything else is read as a direct invoke's JSON, ConfigError with every
    problem spelled out. One set of event rules for the retrain, the refresh and the dispatch."""
    if source_of(event) == "scheduled":
        return request(scheduled=True)
    return parse_job_event(event, request, job, expected)
