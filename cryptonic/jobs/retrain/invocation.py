"""The retrain function's work behind its handler: every ticker of a request, in one invocation.

Kept in the library so the Lambda handler stays a few lines and the CLI runs the very same path
(``cryptonic retrain``); cryptonic.jobs.runner says how the two fail. A rerun skips the tickers
that are already up to date, promoted or rejected (cryptonic.jobs.retrain.skip), so Lambda's
retry only redoes the failed ones.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from cryptonic.config import Settings
from cryptonic.errors import RetrainFailedError
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.jobs.retrain.outcomes import METRICS
from cryptonic.jobs.retrain.queue import handle_retrain_queue
from cryptonic.jobs.retrain.request import RetrainRequest, parse_retrain_event
from cryptonic.jobs.runner import JobRunner
from cryptonic.store.contract import ArtifactStore

log = logging.getLogger("cryptonic.retrain")


def retrain_ticker(
    settings: Settings, store: ArtifactStore, ticker: str, request: RetrainRequest
) -> dict[str, Any]:
    """One ticker of the request: ``{ticker, outcome, version, promoted, reason, ...}``."""
    return retrain(settings, store, ticker, request.strategy, request.force).to_dict()


RUNNER: Final = JobRunner(
    job="retrain",
    log=log,
    parse=parse_retrain_event,
    run_ticker=retrain_ticker,
    queue=handle_retrain_queue,
    metrics=METRICS,
    failure=RetrainFailedError,
)


def run_retrain_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``{"ok", "results"[, "error"]}``, never raising for our errors (the CLI's way)."""
    return RUNNER.run_reported(event, settings)


def handle_retrain_invocation(event: Any, context: Any = None) -> dict[str, Any]:
    """The retrain Lambda: run every ticker, count the outcomes as metrics, then fail loudly.

    A bad payload raises at once (no ticker runs; Lambda's one retry fails the same way and the
    event lands in the dead-letter queue, where it can be read). A failing ticker raises
    ``RetrainFailedError`` naming every failed ticker, after the others have finished: their
    results are published and the summary logged either way.

    An SQS event (the fan-out's per-ticker jobs, cryptonic.jobs.retrain.queue) never raises for a
    ticker: its failures come back as ``batchItemFailures``, which SQS retries and dead-letters.
    """
    return RUNNER.invoke(event, context)
