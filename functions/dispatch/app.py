"""Lambda entry point of the weekly schedule: one retrain job per ticker onto the retrain queue.

Runs on the retrain image (template.yaml: ImageConfig.Command) but never imports TensorFlow
(an import-linter contract), so it starts in about a second with a fraction of the memory.
"""

from typing import Any

from cryptonic.jobs.dispatch import handle_dispatch_invocation
from cryptonic.logs import configure_lambda_logging

configure_lambda_logging()


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Plan the run and send its jobs; raises if a job could not be sent or tickers.json is bad."""
    return handle_dispatch_invocation(event)
