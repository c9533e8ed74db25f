"""One ticker's job per SQS message: the consumer side of a fanned-out run, for any job.

Lambda's SQS event source mapping delivers the messages (``sam local generate-event sqs
receive-message``) with ``ReportBatchItemFailures``, so a failed ticker is reported by its
message id and never raises: SQS makes it visible again after the visibility timeout (a retry)
and, after the queue's ``maxReceiveCount`` deliveries, moves it to the dead-letter queue. On that
last delivery the failure is recorded as the ticker's final result in the run's ledger
(cryptonic.jobs.run_ledger) so the run can still be summarized; the invocation that completes the
run reports it once (``report``: the job's log line, metrics and notification).

Idempotent per ticker: a ticker with a final result in this run is not run again (SQS delivers
at least once, and a retried dispatch sends again). A message without ``run_id`` is a job sent
by hand, run outside any ledger.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cryptonic.config import Settings, get_settings, normalize_ticker
from cryptonic.errors import ConfigError, CryptonicError
from cryptonic.jobs.cloudwatch import put_metrics
from cryptonic.jobs.run_ledger import Job, RunLedger, RunSummary, check_run_id
from cryptonic.jobs.run_metrics import JobMetrics
from cryptonic.jobs.sources.sqs import QueueRecord
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.jobs")

Notifier = Callable[[str, str], None]
"""Sends ``(subject, message)`` to whoever is on call (the alarm topic; tests pass their own)."""


class TickerJob(BaseModel):
    """One ticker's job as cryptonic.jobs.dispatch writes it; ``run_id`` None: sent by hand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str | None = None
    ticker: str

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


JobT = TypeVar("JobT", bound=TickerJob)


def parse_job(body: str, model: type[JobT], job: Job, example: str) -> JobT:
    """A job from a message body; ConfigError saying what is wrong (it will be dead-lettered)."""
    try:
        return model.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        raise ConfigError(f"invalid {job} job message ({exc}); expected {example}") from exc


class QueueConsumer(Generic[JobT]):
    """Runs a batch of one job's messages: ``work`` does a ticker, ``report`` tells of a run."""

    def __init__(
        self,
        job: Job,
        store: ArtifactStore,
        max_receives: int,
        parse: Callable[[str], JobT],
        work: Callable[[JobT], dict[str, Any]],
        report: Callable[[RunSummary], None],
        outcomes: Sequence[str],
    ) -> None:
        self.job = job
        self.ledger = RunLedger(store, job, outcomes)
        self.max_receives = max_receives
        self.parse = parse
        self.work = work
        self.report = report

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        """``{"batchItemFailures": [{"itemIdentifier": id}, ...]}``: the messages to retry."""
        failures = []
        for raw in event["Records"]:
            record = QueueRecord.model_validate(raw)
            if not self.run(record):
                failures.append({"itemIdentifier": record.messageId})
        return {"batchItemFailures": failures}

    def run(self, record: QueueRecord) -> bool:
        """One message; False when SQS should deliver it again (or dead-letter it)."""
        final = record.receive_count >= self.max_receives
        try:
            job = self.parse(record.body)
        except ConfigError as exc:
            log.error("%s job refused: %s", self.job, exc, extra={"code": exc.code})
            return False
        if job.run_id is not None:
            try:
                earlier = self.ledger.result(job.run_id, job.ticker)
            except CryptonicError as exc:
                log.error("%s %s: cannot read the run ledger: %s", self.job, job.ticker, exc)
                return False
            if earlier is not None and earlier["outcome"] != "failed":
                log.info(
                    "%s %s: already %s in run %s",
                    self.job,
                    job.ticker,
                    earlier["outcome"],
                    job.run_id,
                )
                return True
        summary = {**self.work(job), "run_id": job.run_id, "attempt": record.receive_count}
        failed = summary.get("error") is not None
        log.info(
            "%s %s %s (run %s, delivery %d): %s",
            self.job,
            job.ticker,
            summary["outcome"],
            job.run_id,
            record.receive_count,
            summary.get("reason", ""),
            extra={"summary": summary, "outcome": summary["outcome"]},
        )
        if failed and not final:
            return False  # retried by SQS; only the last delivery's failure is final
        if job.run_id is None:
            return not failed
        try:
            self.ledger.record(job.run_id, summary)
            run_summary = self.ledger.summarize_if_complete(job.run_id)
        except CryptonicError as exc:
            log.error("%s %s: cannot record the result: %s", self.job, job.ticker, exc)
            return False
        if run_summary is not None:
            self.report(run_summary)
        return not failed


def report_run(summary: RunSummary, metrics: JobMetrics, notify: Notifier | None) -> None:
    """A finished run, once: its counts and the job's extras as EMF metrics, one log line, and
    the failed tickers named to the on-call."""
    values, extra = metrics.of_run(summary.counts, summary.results)
    properties = {"run_id": summary.run_id, "failed_tickers": sorted(summary.failed), **extra}
    put_metrics(values, properties=properties)
    log.info(summary.headline(), extra={"run": summary.to_dict(), **extra})
    announce_failures(summary, notify, summary.job)


def announce_failures(summary: RunSummary, notify: Notifier | None, what: str) -> None:
    """Log the failed tickers and send them to the on-call, if any failed."""
    if not summary.failed:
        return
    lines = [f"{t}: [{e.get('code')}] {e.get('message')}" for t, e in summary.failed.items()]
    subject = f"cryptonic: {len(summary.failed)} of {summary.tickers} tickers failed to {what}"
    log.error("%s: %s", subject, "; ".join(lines), extra={"failed": summary.failed})
    if notify is None:
        return
    try:
        notify(subject[:100], "\n".join([summary.headline(), "", *lines]))
    except Exception as exc:  # the TickersFailed alarm still fires; the log names them too
        log.error("cannot notify the alarm topic: %s", exc)


def sns_notifier(topic_arn: str | None) -> Notifier | None:
    """Publishes to the alarm topic with botocore (what the images install), or None."""
    if not topic_arn:
        return None
    import botocore.session

    client = botocore.session.get_session().create_client("sns")

    def publish(subject: str, message: str) -> None:
        client.publish(TopicArn=topic_arn, Subject=subject, Message=message)

    return publish


def handle_queue(
    event: dict[str, Any],
    settings: Settings | None,
    notify: Notifier | None,
    *,
    job: Job,
    parse: Callable[[str], JobT],
    work: Callable[[Settings, ArtifactStore, JobT], dict[str, Any]],
    metrics: JobMetrics,
) -> dict[str, Any]:
    """One job's queue consumer over a batch: the settings (the environment's by default), their
    store, the alarm topic (``ALARM_TOPIC_ARN``) unless ``notify`` stands in for it, and the
    job's ``maxReceiveCount``; ``{"batchItemFailures": [...]}`` for the messages to retry."""
    settings = settings or get_settings()
    store = open_store(settings.store_uri)
    notifier = notify or sns_notifier(settings.alarm_topic_arn)
    max_receives = (
        settings.retrain_max_receives if job == "retrain" else settings.refresh_max_receives
    )

    def run_one(message: JobT) -> dict[str, Any]:
        return work(settings, store, message)

    def report(summary: RunSummary) -> None:
        report_run(summary, metrics, notifier)

    outcomes = list(metrics.outcomes)
    consumer = QueueConsumer(job, store, max_receives, parse, run_one, report, outcomes)
    return consumer(event)
