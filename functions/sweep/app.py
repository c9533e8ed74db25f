"""Lambda entry point of the hourly sweeper: closes the runs past their deadline (their pending
tickers ``lost``, the summary, the metrics and the notification a normal end gives) and removes
versions a crashed publish left without a manifest.

Runs on the retrain image (template.yaml: ImageConfig.Command) but never imports TensorFlow,
pandas or a job's work: only the run ledger, the registry and the reports.
"""

from typing import Any

from cryptonic.jobs.aws.logger import lambda_handler
from cryptonic.jobs.sweeper import handle_sweep_invocation


@lambda_handler
def handler(event: Any, context: Any) -> dict[str, Any]:
    """One sweep within the invocation's time left (cryptonic.jobs.sweeper)."""
    return handle_sweep_invocation(event, context)
