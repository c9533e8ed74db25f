"""Lambda entry point of the weekly retrain (EventBridge Scheduler or a direct invoke)."""

from typing import Any

from cryptonic.logs import configure_logging
from cryptonic.retrain_job import run_retrain_event

configure_logging(json_lines=True)


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Parse, retrain each ticker, return the per-ticker summary (see cryptonic.retrain_job)."""
    return run_retrain_event(event)
