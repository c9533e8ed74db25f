"""Lambda entry point of the weekly retrain (EventBridge Scheduler or a direct invoke)."""

from typing import Any

from cryptonic.jobs.retrain.invocation import handle_retrain_invocation
from cryptonic.logs import configure_lambda_logging

configure_lambda_logging()


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Retrain each ticker; raises if any failed (cryptonic.jobs.retrain.invocation)."""
    return handle_retrain_invocation(event, context)
