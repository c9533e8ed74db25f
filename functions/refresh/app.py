"""Lambda entry point of the daily refresh (EventBridge Scheduler or a direct invoke).

Runs on the retrain image (template.yaml: ImageConfig.Command) but never imports TensorFlow:
the published ``.tflite`` models run with LiteRT (an import-linter contract holds it).
"""

from typing import Any

from cryptonic.logs import configure_lambda_logging
from cryptonic.refresh_job import handle_refresh_invocation

configure_lambda_logging()


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Refresh each ticker; raises if any failed (see cryptonic.refresh_job), else the summary."""
    return handle_refresh_invocation(event)
