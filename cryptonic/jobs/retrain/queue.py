"""The retrain function as the retrain queue's consumer: one ticker's retrain per message.

The generic rules (retries, the last delivery, the ledger, idempotency, the report of a finished
run) are cryptonic.jobs.consumer's; here are the retrain's message, its work and its metrics
(cryptonic.jobs.retrain.outcomes: the counts the template's ``RetrainTickersFailedAlarm``
reads), the failed tickers named to the alarm topic (``ALARM_TOPIC_ARN``).
"""

from __future__ import annotations

from typing import Any, Final

from cryptonic.config import Settings, Strategy
from cryptonic.jobs.consumer import Notifier, TickerJob, handle_queue, parse_job
from cryptonic.jobs.retrain.one_ticker import retrain
from cryptonic.jobs.retrain.outcomes import METRICS
from cryptonic.store.contract import ArtifactStore

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


def retrain_job(settings: Settings, store: ArtifactStore, job: RetrainJob) -> dict[str, Any]:
    """One message's work: the ticker's retrain, as the run's ledger records it."""
    return retrain(settings, store, job.ticker, job.strategy, job.force).to_dict()


def handle_retrain_queue(
    event: dict[str, Any], settings: Settings | None = None, *, notify: Notifier | None = None
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
    )
