"""The retrain function as the retrain queue's consumer: one ticker's retrain per message.

The generic rules (retries, the last delivery, the ledger, idempotency) are
cryptonic/queue_jobs.py's; here are the retrain's job, its work and its report: the run's counts
as the metrics the template's ``RetrainTickersFailedAlarm`` reads, and the failed tickers named
to the alarm topic (``ALARM_TOPIC_ARN``).
"""

from __future__ import annotations

import logging
from typing import Any

from cryptonic.config import Settings, Strategy, get_settings
from cryptonic.jobs.consumer import (
    Notifier,
    QueueConsumer,
    TickerJob,
    parse_job,
    report_run,
    sns_notifier,
)
from cryptonic.jobs.retrain.one_ticker import outcome, retrain
from cryptonic.jobs.run_ledger import RunSummary
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.retrain")

SUMMARY_METRICS = {
    "promoted": "TickersPromoted",
    "rejected": "TickersRejected",
    "skipped": "TickersSkipped",
    "failed": "TickersFailed",
}
"""EMF metric of each outcome, one data point per run (template.yaml alarms on TickersFailed)."""
EXAMPLE = (
    '{"run_id": "20261201T060000Z-1a2b3c4d", "ticker": "BTC-USD", "strategy": null, "force": false}'
)


class RetrainJob(TickerJob):
    """One ticker's retrain, as cryptonic.dispatch.job_message writes it."""

    strategy: Strategy | None = None
    force: bool = False


def parse_retrain_job(body: str) -> RetrainJob:
    return parse_job(body, RetrainJob, "retrain", EXAMPLE)


def handle_retrain_queue(
    event: dict[str, Any], settings: Settings | None = None, *, notify: Notifier | None = None
) -> dict[str, Any]:
    """``{"batchItemFailures": [...]}`` for the messages to retry."""
    settings = settings or get_settings()
    store = open_store(settings.store_uri)
    notifier = notify or sns_notifier(settings.alarm_topic_arn)

    def work(job: RetrainJob) -> dict[str, Any]:
        result = retrain(settings, store, job.ticker, job.strategy, job.force)
        return {**result.to_dict(), "outcome": "failed" if result.error else outcome(result)}

    def report(summary: RunSummary) -> None:
        report_run(summary, SUMMARY_METRICS, notifier)

    consumer = QueueConsumer(
        "retrain", store, settings.retrain_max_receives, parse_retrain_job, work, report
    )
    return consumer(event)
