"""The refresh function's work behind its handler: every ticker of a request, in one invocation.

Like the retrain's (cryptonic.jobs.retrain.invocation): the CLI (``cryptonic refresh``) runs the
same path and reports in its exit code; the Lambda raises once every ticker has run if any
failed (cryptonic.jobs.runner). A ticker with no new close yet (``no_new_data``) is not a
failure until ``REFRESH_MAX_MISSED_DAYS`` trading days are missing: the refresh says why and
keeps serving.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from cryptonic.config import Settings
from cryptonic.errors import RefreshFailedError
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.refresh.outcomes import METRICS
from cryptonic.jobs.refresh.queue import handle_refresh_queue
from cryptonic.jobs.refresh.request import RefreshRequest, parse_refresh_event
from cryptonic.jobs.runner import JobRunner
from cryptonic.store.contract import ArtifactStore

log = logging.getLogger("cryptonic.refresh")


def refresh_ticker(
    settings: Settings, store: ArtifactStore, ticker: str, request: RefreshRequest
) -> dict[str, Any]:
    """One ticker of the request: ``{ticker, outcome, reason, served, track_record, ...}``."""
    return refresh(settings, store, ticker).to_dict()


RUNNER: Final = JobRunner(
    job="refresh",
    log=log,
    parse=parse_refresh_event,
    run_ticker=refresh_ticker,
    queue=handle_refresh_queue,
    metrics=METRICS,
    failure=RefreshFailedError,
)


def run_refresh_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``{"ok", "results"[, "error"]}``, never raising for our errors (the CLI's way)."""
    return RUNNER.run_reported(event, settings)


def handle_refresh_invocation(event: Any, context: Any = None) -> dict[str, Any]:
    """The refresh Lambda: refresh every ticker, count the outcomes as metrics, then fail loudly.

    A bad payload raises at once (no ticker runs). A failing ticker (bad prices, no close for
    too long, a store error) raises ``RefreshFailedError`` naming every failed ticker after the
    others have finished and logged their forecasts. A rerun is harmless: the same day's
    forecasts are already logged and the scores are the same.

    An SQS event (the fan-out's per-ticker jobs, cryptonic.jobs.refresh.queue) never raises for a
    ticker: its failures come back as ``batchItemFailures``, which SQS retries and dead-letters.
    """
    return RUNNER.invoke(event, context)
