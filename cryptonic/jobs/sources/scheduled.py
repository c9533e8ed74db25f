"""EventBridge rule and EventBridge Scheduler events (``sam local generate-event cloudwatch
scheduled-event``; template.yaml's schedules send the same shape): "run every configured ticker".

The job a schedule asks for is in ``detail.job`` (the weekly schedule's event has none: the
retrain). The run is named by what every delivery of one tick shares: the job, the schedule
(``resources[0]``: the schedule's or the rule's ARN) and the *scheduled* time (``time``:
Scheduler's ``<aws.scheduler.scheduled-time>``, a rule's trigger time). Not by the event's
``id``: Scheduler's ``<aws.scheduler.execution-id>`` is new on each attempt, so a Scheduler
retry, a duplicate delivery or Lambda's retry of the dispatch would each start a run of their
own with its own plan. Named this way, they all join the first one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Final

from cryptonic.jobs.runs.ledger import new_run_id

SCHEDULED_SOURCES: Final = frozenset({"aws.events", "aws.scheduler"})


def recognises(event: Any) -> bool:
    """An EventBridge rule's or Scheduler's event (by its source, or its detail-type)."""
    return isinstance(event, dict) and (
        event.get("source") in SCHEDULED_SOURCES or event.get("detail-type") == "Scheduled Event"
    )


def scheduled_job(event: dict[str, Any]) -> Any:
    """``detail.job`` as the schedule wrote it (unchecked), or ``"retrain"`` without one."""
    detail = event.get("detail")
    if isinstance(detail, dict) and "job" in detail:
        return detail["job"]
    return "retrain"


def scheduled_run_id(event: dict[str, Any], job: str) -> str:
    """The run of this tick of the schedule: its scheduled time, then a token of the job and the
    schedule's ARN; every delivery of the tick names the same run. An event without a usable
    time (a placeholder Scheduler did not fill in) names none: a fresh run."""
    when = _event_time(event.get("time"))
    if when is None:
        return new_run_id()
    return new_run_id(when, tick_token(job, schedule_of(event)))


def schedule_of(event: dict[str, Any]) -> str:
    """The schedule's (or rule's) ARN, ``""`` when the event names none."""
    resources = event.get("resources")
    if isinstance(resources, list) and resources and isinstance(resources[0], str):
        return "" if resources[0].startswith("<") else resources[0]
    return ""


def tick_token(job: str, schedule: str) -> str:
    """Eight hex digits naming a job on a schedule (a run id's suffix)."""
    return hashlib.sha256(f"{job}\n{schedule}".encode()).hexdigest()[:8]


def _event_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
