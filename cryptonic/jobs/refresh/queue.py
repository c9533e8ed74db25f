"""The refresh function as the refresh queue's consumer: one ticker's daily refresh per message.

The generic rules (retries, the last delivery, the ledger, idempotency) are
cryptonic/queue_jobs.py's. The report of a finished run is the one the refresh loop gives
(cryptonic/refresh_job.py): each outcome's count and ``StaleForecasts`` (the metric
``ForecastStaleAlarm`` reads), counted over every ticker's final result, plus the failed tickers
named to the alarm topic.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptonic.config import Settings, get_settings
from cryptonic.jobs.consumer import (
    Notifier,
    QueueConsumer,
    TickerJob,
    parse_job,
    report_run,
    sns_notifier,
)
from cryptonic.jobs.refresh.invocation import OUTCOME_METRICS, STALE_METRIC, stale_tickers
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.run_ledger import RunSummary
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.refresh")

EXAMPLE = '{"run_id": "20261201T003000Z-1a2b3c4d", "ticker": "BTC-USD"}'


def parse_refresh_job(body: str) -> TickerJob:
    return parse_job(body, TickerJob, "refresh", EXAMPLE)


def handle_refresh_queue(
    event: dict[str, Any], settings: Settings | None = None, *, notify: Notifier | None = None
) -> dict[str, Any]:
    """``{"batchItemFailures": [...]}`` for the messages to retry."""
    settings = settings or get_settings()
    store = open_store(settings.store_uri)
    notifier = notify or sns_notifier(settings.alarm_topic_arn)

    def work(job: TickerJob) -> dict[str, Any]:
        return refresh(settings, store, job.ticker).to_dict()

    def report(summary: RunSummary) -> None:
        stale = stale_tickers(summary.results)
        report_run(
            summary,
            OUTCOME_METRICS,
            notifier,
            extra_metrics={STALE_METRIC: len(stale)},
            extra_properties={"stale_tickers": stale},
        )

    consumer = QueueConsumer(
        "refresh", store, settings.refresh_max_receives, parse_refresh_job, work, report
    )
    return consumer(event)
