"""EventBridge rule and EventBridge Scheduler events (``sam local generate-event cloudwatch
scheduled-event``; template.yaml's schedules send the same shape): "run every configured ticker".

The job a schedule asks for is in ``detail.job`` (the weekly schedule's event has none: the
retrain); the run is named by the event's time and id, so a retried delivery of one scheduled
event is the same run (cryptonic.jobs.run_ledger.new_run_id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from cryptonic.jobs.run_ledger import new_run_id

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


def scheduled_run_id(event: dict[str, Any]) -> str:
    """The run id the event names (its time and execution id), else a fresh one: Scheduler's
    placeholders (``<aws.scheduler.execution-id>``) left unfilled name no run."""
    when = _event_time(event.get("time"))
    token = event.get("id")
    if when is not None and isinstance(token, str) and not token.startswith("<"):
        return new_run_id(when, token)
    return new_run_id()


def _event_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
