"""The retrain function as the retrain queue's consumer: one ticker's job per SQS message.

The event source mapping (template.yaml: ``RetrainJobs``) delivers batches of one message with
``ReportBatchItemFailures``, so a failed ticker is reported by its message id and never raises:
SQS makes it visible again after the visibility timeout (a retry) and, after
``RETRAIN_MAX_RECEIVES`` deliveries, moves it to the dead-letter queue. On that last delivery the
failure is recorded as the ticker's final result in the run's ledger (cryptonic/retrain_runs.py)
so the run can still be summarized, and the failed tickers are named in the summary's log line,
its metrics and a notification to the alarm topic (``ALARM_TOPIC_ARN``).

Idempotent per ticker: a ticker with a final result in this run is not retrained again (SQS
delivers at least once), and across runs the retrain's skip check (cryptonic/retrain_skip.py)
turns a rerun on unchanged data into ``skipped``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cryptonic.cloudwatch import put_metrics
from cryptonic.config import Settings, Strategy, get_settings, normalize_ticker
from cryptonic.errors import ConfigError, CryptonicError
from cryptonic.pipeline import outcome, retrain
from cryptonic.retrain_runs import RunLedger, RunSummary, check_run_id
from cryptonic.store import ArtifactStore, open_store

log = logging.getLogger("cryptonic.retrain")

SUMMARY_METRICS = {
    "promoted": "TickersPromoted",
    "rejected": "TickersRejected",
    "skipped": "TickersSkipped",
    "failed": "TickersFailed",
}
"""EMF metric of each outcome, one data point per run (template.yaml alarms on TickersFailed)."""


Notifier = Callable[[str, str], None]
"""Sends ``(subject, message)`` to whoever is on call (the alarm topic; tests pass their own)."""


class RetrainJob(BaseModel):
    """One ticker's job, as cryptonic.retrain_fanout.job_message writes it; ``run_id`` None: a
    job sent by hand (``{"ticker": "AAPL"}``), retrained outside any run's ledger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str | None = None
    ticker: str
    strategy: Strategy | None = None
    force: bool = False

    @field_validator("ticker")
    @classmethod
    def _ticker(cls, value: str) -> str:
        return normalize_ticker(value)

    @field_validator("run_id")
    @classmethod
    def _run(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return check_run_id(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc


class QueueRecord(BaseModel):
    """The parts of an SQS record (``sam local generate-event sqs receive-message``) we read."""

    model_config = ConfigDict(extra="allow", frozen=True)

    messageId: str = Field(min_length=1)  # noqa: N815 (SQS's name)
    body: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    eventSource: str = "aws:sqs"  # noqa: N815

    @property
    def receive_count(self) -> int:
        try:
            return max(1, int(self.attributes.get("ApproximateReceiveCount", 1)))
        except (TypeError, ValueError):
            return 1


def is_queue_event(event: Any) -> bool:
    """Whether Lambda's SQS event source mapping sent this event."""
    records = event.get("Records") if isinstance(event, dict) else None
    return (
        isinstance(records, list)
        and bool(records)
        and all(isinstance(r, dict) and r.get("eventSource") == "aws:sqs" for r in records)
    )


def parse_job(body: str) -> RetrainJob:
    """A job from a message body; ConfigError saying what is wrong (it will be dead-lettered)."""
    try:
        return RetrainJob.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        raise ConfigError(
            f"invalid retrain job message ({exc}); expected "
            '{"run_id": "20261201T060000Z-1a2b3c4d", "ticker": "BTC-USD", "strategy": null, '
            '"force": false}'
        ) from exc


def handle_retrain_queue(
    event: dict[str, Any],
    settings: Settings | None = None,
    *,
    notify: Notifier | None = None,
) -> dict[str, Any]:
    """``{"batchItemFailures": [{"itemIdentifier": id}, ...]}`` for the messages to retry."""
    settings = settings or get_settings()
    store = open_store(settings.store_uri)
    failures = []
    for raw in event["Records"]:
        record = QueueRecord.model_validate(raw)
        if not run_record(record, settings, store, notify=notify):
            failures.append({"itemIdentifier": record.messageId})
    return {"batchItemFailures": failures}


def run_record(
    record: QueueRecord, settings: Settings, store: ArtifactStore, *, notify: Notifier | None = None
) -> bool:
    """Run one message's job; False when SQS should deliver it again (or dead-letter it)."""
    final = record.receive_count >= settings.retrain_max_receives
    try:
        job = parse_job(record.body)
    except ConfigError as exc:
        log.error("retrain job refused: %s", exc, extra={"code": exc.code})
        return False
    ledger = RunLedger(store)
    if job.run_id is not None:
        try:
            earlier = ledger.result(job.run_id, job.ticker)
        except CryptonicError as exc:
            log.error("retrain %s: cannot read the run ledger: %s", job.ticker, exc)
            return False
        if earlier is not None and earlier["outcome"] != "failed":
            log.info("retrain %s: already %s in run %s", job.ticker, earlier["outcome"], job.run_id)
            return True
    result = retrain(settings, store, job.ticker, job.strategy, job.force)
    summary = {**result.to_dict(), "outcome": "failed" if result.error else outcome(result)}
    summary["run_id"] = job.run_id
    summary["attempt"] = record.receive_count
    log.info(
        "retrain %s %s (run %s, delivery %d): %s",
        job.ticker,
        summary["outcome"],
        job.run_id,
        record.receive_count,
        result.reason,
        extra={"summary": summary, "outcome": summary["outcome"]},
    )
    if result.error and not final:
        return False  # retried by SQS; only the last delivery's failure is final
    if job.run_id is None:  # a job sent by hand, outside any run: nothing to summarize
        return result.error is None
    try:
        ledger.record(job.run_id, summary)
        run_summary = ledger.summarize_if_complete(job.run_id)
    except CryptonicError as exc:
        log.error("retrain %s: cannot record the result: %s", job.ticker, exc)
        return False
    if run_summary is not None:
        report_run(run_summary, settings, notify=notify)
    return result.error is None


def report_run(summary: RunSummary, settings: Settings, *, notify: Notifier | None = None) -> None:
    """Log the run once, emit its counts, and name the failed tickers to the alarm topic."""
    counts = {SUMMARY_METRICS[o]: n for o, n in summary.counts.items()}
    put_metrics(
        counts, properties={"run_id": summary.run_id, "failed_tickers": sorted(summary.failed)}
    )
    log.info(summary.headline(), extra={"run": summary.to_dict()})
    if not summary.failed:
        return
    lines = [f"{t}: [{e.get('code')}] {e.get('message')}" for t, e in summary.failed.items()]
    subject = f"cryptonic: {len(summary.failed)} of {summary.tickers} tickers failed to retrain"
    message = "\n".join([summary.headline(), "", *lines])
    log.error("%s: %s", subject, "; ".join(lines), extra={"failed": summary.failed})
    publish = notify or _sns_publisher(settings)
    if publish is None:
        return
    try:
        publish(subject[:100], message)
    except Exception as exc:  # the TickersFailed alarm still fires; the log names them too
        log.error("cannot notify the alarm topic: %s", exc)


def _sns_publisher(settings: Settings) -> Notifier | None:
    if not settings.alarm_topic_arn:
        return None
    import botocore.session

    client = botocore.session.get_session().create_client("sns")
    topic = settings.alarm_topic_arn

    def publish(subject: str, message: str) -> None:
        client.publish(TopicArn=topic, Subject=subject, Message=message)

    return publish
