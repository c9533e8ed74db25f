"""Lambda entry point of the weekly schedule: one retrain job per ticker onto the retrain queue.

Runs on the retrain image (template.yaml: ImageConfig.Command) but never imports TensorFlow
(an import-linter contract), so it starts in about a second with a fraction of the memory.
"""

from typing import Any

from cryptonic.jobs.aws.logger import lambda_handler
from cryptonic.jobs.dispatch import handle_dispatch_invocation


@lambda_handler
def handler(event: Any, context: Any) -> dict[str, Any]:
    """Plan the run and send its jobs; raises only if a job could not be sent."""
    return handle_dispatch_invocation(event)
