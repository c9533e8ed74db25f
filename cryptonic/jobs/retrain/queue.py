"""The retrain function as the retrain queue's consumer: one ticker's retrain per message.

The generic rules (claims, attempts, the ledger, the report of a finished run) are
cryptonic.jobs.consumer's; here are the retrain's message, its work and its metrics
(cryptonic.jobs.retrain.outcomes: the counts the template's ``RetrainTickersFailedAlarm``
reads), the failed tickers named to the alarm topic (``ALARM_TOPIC_ARN``). The work checkpoints
the version it is about to publish in the ticker's claim, so an attempt that died after
publishing is finished by the next one (cryptonic.jobs.retrain.resume), never published twice.
"""

from __future__ import annotations

from typing import Any, Final

from cryptonic.config import Settings, Strategy
from cryptonic.jobs.consumer import TickerJob, handle_queue, parse_job
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.jobs.retrain.outcomes import METRICS
from cryptonic.jobs.retrain.resume import resume
from cryptonic.jobs.runs.claim import Claim
from cryptonic.jobs.runs.report import Notifier
from cryptonic.store.contract import ArtifactStore

PUBLISHING: Final = "publishing"
"""The claim's checkpoint: the version id the attempt is about to publish."""

EXAMPLE: Final = (
    '{"run_id": "20261201T060000Z-1a2b3c4d", "ticker": "BTC-USD", "strategy": null, "force": false}'
)


class RetrainJob(TickerJob):
    """One ticker's retrain, as cryptonic.jobs.dispatch.job_message writes it."""

    strategy: Strategy | None = None
    force: bool = False


def parse_retrain_job(body: str) -> RetrainJob:
    """A message's retrain job; ConfigError saying what is wrong (it will be dead-lettered)."""
    return parse_job(body, RetrainJob, "retrain", EXAMPLE)


def retrain_job(
    settings: Settings, store: ArtifactStore, job: RetrainJob, claim: Claim | None
) -> dict[str, Any]:
    """One message's work: the ticker's retrain (or the finish of the one an earlier attempt
    began publishing), as the run's ledger records it."""
    if claim is not None and isinstance(claim.progress.get(PUBLISHING), str):
        resumed = resume(settings, store, job.ticker, claim.progress[PUBLISHING])
        if resumed is not None:
            return resumed.to_dict()

    def checkpoint(version: str) -> None:
        if claim is not None:
            claim.checkpoint(**{PUBLISHING: version})

    result = retrain(
        settings, store, job.ticker, job.strategy, job.force, before_publish=checkpoint
    )
    return result.to_dict()


def handle_retrain_queue(
    event: dict[str, Any],
    settings: Settings | None = None,
    *,
    notify: Notifier | None = None,
    context: Any = None,
    store: ArtifactStore | None = None,
) -> dict[str, Any]:
    """``{"batchItemFailures": [...]}`` for the messages to retry."""
    return handle_queue(
        event,
        settings,
        notify,
        job="retrain",
        parse=parse_retrain_job,
        work=retrain_job,
        metrics=METRICS,
        context=context,
        store=store,
    )
