"""The refresh function as the refresh queue's consumer: one ticker's daily refresh per message.

The generic rules (claims, attempts, the ledger, the report of a finished run) are
cryptonic.jobs.consumer's; here are the refresh's message, its work and its metrics
(cryptonic.jobs.refresh.outcomes: each outcome's count and ``StaleForecasts``, the metric
``ForecastStaleAlarm`` reads, emitted by every invocation over its tickers and by the run's
report over all of them), the failed tickers named to the alarm topic. A refresh needs no
checkpoint: its forecasts are create-only and its pointers merge, so an attempt after a crash
redoes what is missing and changes nothing else.
"""

from __future__ import annotations

from typing import Any, Final

from cryptonic.config import Settings
from cryptonic.jobs.consumer import TickerJob, handle_queue, parse_job
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.refresh.outcomes import METRICS
from cryptonic.jobs.runs.claim import Claim
from cryptonic.jobs.runs.report import Notifier
from cryptonic.store.contract import ArtifactStore

EXAMPLE: Final = '{"run_id": "20261201T003000Z-1a2b3c4d", "ticker": "BTC-USD"}'


def parse_refresh_job(body: str) -> TickerJob:
    """A message's refresh job; ConfigError saying what is wrong (it will be dead-lettered)."""
    return parse_job(body, TickerJob, "refresh", EXAMPLE)


def refresh_job(
    settings: Settings, store: ArtifactStore, job: TickerJob, claim: Claim | None
) -> dict[str, Any]:
    """One message's work: the ticker's refresh, as the run's ledger records it."""
    return refresh(settings, store, job.ticker).to_dict()


def handle_refresh_queue(
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
        job="refresh",
        parse=parse_refresh_job,
        work=refresh_job,
        metrics=METRICS,
        context=context,
        store=store,
    )
