"""Lambda entry point of the daily refresh (EventBridge Scheduler or a direct invoke).

Runs on the retrain image (template.yaml: ImageConfig.Command) but never imports TensorFlow:
the published ``.tflite`` models run with LiteRT (an import-linter contract holds it).
"""

from typing import Any

from cryptonic.jobs.aws.logger import lambda_handler
from cryptonic.jobs.refresh.invocation import handle_refresh_invocation


@lambda_handler
def handler(event: Any, context: Any) -> dict[str, Any]:
    """Refresh each ticker; raises if any failed (cryptonic.jobs.refresh.invocation)."""
    return handle_refresh_invocation(event, context)
