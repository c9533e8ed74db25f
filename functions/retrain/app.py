"""Lambda entry point of the weekly retrain (EventBridge Scheduler or a direct invoke)."""

from typing import Any

from cryptonic.logs import configure_lambda_logging
from cryptonic.retrain_job import handle_retrain_invocation

configure_lambda_logging()


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Retrain each ticker; raises if any failed (see cryptonic.retrain_job), else the summary."""
    return handle_retrain_invocation(event)
