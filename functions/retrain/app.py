"""Lambda entry point of the weekly retrain (EventBridge Scheduler or a direct invoke)."""

from typing import Any

from cryptonic.jobs.aws.logger import lambda_handler
from cryptonic.jobs.retrain.invocation import handle_retrain_invocation


@lambda_handler
def handler(event: Any, context: Any) -> dict[str, Any]:
    """Retrain each ticker; raises if any failed (cryptonic.jobs.retrain.invocation)."""
    return handle_retrain_invocation(event, context)
