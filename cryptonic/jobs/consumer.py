"""One ticker's job per SQS message: the consumer side of a fanned-out run, for any job.

Lambda's SQS event source mapping delivers the messages (``sam local generate-event sqs
receive-message``) with ``ReportBatchItemFailures``: a message reported back is delivered again
after the visibility timeout, and after the queue's ``maxReceiveCount`` deliveries it is moved to
the dead-letter queue. One message's trouble (a bad body, a bug) fails that message only. The
loop over the batch and the ``batchItemFailures`` answer are Powertools' batch utility's (a
message fails when its handler raises); the work per message below is ours.

Exactly one effect per (run, ticker), whatever SQS delivers:

* a ticker with a final result in the run is done: a duplicate is acknowledged, nothing runs;
* otherwise the delivery claims the ticker in the run (cryptonic.jobs.runs.claim) before it
  works; a duplicate that finds a live claim backs off (SQS retries it later);
* the final result is created once: the first one wins;
* a failure is retried until the run's ``max_attempts`` real starts of the ticker (the claim
  counts them; a throttled delivery never starts, so never burns one), then it is final; when
  every attempt died without a result, the next delivery records that instead of a third try.

The invocation that records the last result summarizes the run and reports it once
(cryptonic.jobs.runs.report). A message without ``run_id`` is a job sent by hand, run outside any
ledger. A ticker starts only if the invocation's time left can hold it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cryptonic.config import Settings, get_settings, normalize_ticker
from cryptonic.errors import ConfigError
from cryptonic.jobs.aws.cloudwatch import put_metrics
from cryptonic.jobs.aws.context import TimeLeft, no_limit, time_left_of
from cryptonic.jobs.aws.logger import run_keys
from cryptonic.jobs.bounded_json import loads_bounded
from cryptonic.jobs.runs.claim import Busy, Claim, Delivery, Exhausted, acquire
from cryptonic.jobs.runs.ledger import Job, RunLedger, check_run_id
from cryptonic.jobs.runs.metrics import JobMetrics
from cryptonic.jobs.runs.report import Notifier, report_run, sns_notifier
from cryptonic.jobs.runs.summary import RunSummary
from cryptonic.jobs.sources.sqs import receive_count
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.deadline import deadline
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.jobs")

MAX_BODY_BYTES: Final = 262_144
"""SQS's largest message: a body beyond it did not come from a queue."""
RECORD_RESERVE_S: Final = 5.0
"""Seconds of the time left kept back from a ticker's work to record its result."""


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


class RetryLaterError(Exception):
    """A message SQS should deliver again (no time left, a live claim elsewhere, a failure with
    attempts left, a refused body); why is already logged."""


JobT = TypeVar("JobT", bound=TickerJob)
Work = Callable[[JobT, Claim | None], dict[str, Any]]
"""One job's work as its result; the claim (None for a job sent by hand) to checkpoint into."""


def parse_job(body: str, model: type[JobT], job: Job, example: str) -> JobT:
    """A job from a message body (bounded: cryptonic.jobs.bounded_json); ConfigError saying
    what is wrong."""
    try:
        value = loads_bounded(body, what=f"the {job} job message", max_bytes=MAX_BODY_BYTES)
        return model.model_validate(value)
    except (ValueError, ValidationError) as exc:
        raise ConfigError(f"invalid {job} job message ({exc}); expected {example}") from exc


@dataclass(frozen=True)
class QueueLimits:
    """How often and how long one job's tickers may run."""

    max_receives: int
    """The queue's ``maxReceiveCount``: the last delivery is final whatever the attempts."""
    max_attempts: int
    """Real starts of one ticker's work in one run."""
    lease_seconds: float
    """The queue's visibility timeout: how long a claim holds."""
    ticker_seconds: float
    """Least time an invocation must have left to start a ticker."""

    @classmethod
    def of(cls, settings: Settings, job: Job) -> QueueLimits:
        if job == "retrain":
            return cls(
                settings.retrain_max_receives,
                settings.retrain_max_attempts,
                settings.retrain_visibility_timeout,
                settings.retrain_ticker_seconds,
            )
        return cls(
            settings.refresh_max_receives,
            settings.refresh_max_attempts,
            settings.refresh_visibility_timeout,
            settings.refresh_ticker_seconds,
        )


class QueueConsumer(Generic[JobT]):
    """Runs a batch of one job's messages: ``work`` does a ticker, ``report`` tells of a run."""

    def __init__(
        self,
        job: Job,
        store: ArtifactStore,
        limits: QueueLimits,
        parse: Callable[[str], JobT],
        work: Work[JobT],
        report: Callable[[RunSummary], None],
        metrics: JobMetrics,
        time_left: TimeLeft = no_limit,
    ) -> None:
        self.job, self.limits, self.parse, self.work = job, limits, parse, work
        self.ledger = RunLedger(store, job, list(metrics.outcomes))
        self.report, self.metrics, self.time_left = report, metrics, time_left
        self.results: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any]) -> dict[str, Any]:
        """``{"batchItemFailures": [{"itemIdentifier": id}, ...]}``: the messages to retry.

        A batch whose every message failed is answered the same way, not raised: each one is
        logged and retried on its own, and Lambda's ``Errors`` (a page) stays for crashes."""
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        answer = process_partial_response(event, self._record, processor)
        values, properties = self.metrics.of_invocation(self.results)
        if values:
            put_metrics(values, properties=properties)
        return dict(answer)

    def _record(self, record: SQSRecord) -> None:
        """One message for the batch utility: raises for SQS to deliver it again (or
        dead-letter it)."""
        try:
            done = self.run(record)
        except Exception:  # one message's bug or outage fails that message only
            log.exception("%s message %s failed", self.job, record.message_id)
            raise
        if not done:
            raise RetryLaterError(f"{self.job} message {record.message_id} is delivered again")

    def run(self, record: SQSRecord) -> bool:
        """One message; False when SQS should deliver it again (or dead-letter it). The lines it
        logs carry the job's run id."""
        try:
            job = self.parse(record.body)
        except ConfigError as exc:
            log.error("%s job refused: %s", self.job, exc, extra={"code": exc.code})
            return False
        with run_keys(job.run_id):
            return self._run(job, record)

    def _run(self, job: JobT, record: SQSRecord) -> bool:
        if not self._has_time(job):
            return False
        if job.run_id is None:
            return self._by_hand(job, record)
        earlier = self.ledger.result(job.run_id, job.ticker)
        if earlier is not None:
            log.info(
                "%s %s: already %s in run %s",
                self.job,
                job.ticker,
                earlier["outcome"],
                job.run_id,
            )
            self._summarize(job.run_id)  # its writer may have died before the summary
            return True
        return self._claimed(job, job.run_id, record)

    def _claimed(self, job: JobT, run_id: str, record: SQSRecord) -> bool:
        """The ticker's work under its claim in the run."""
        grant = acquire(
            self.ledger.store,
            self.ledger.claim_key(run_id, job.ticker),
            Delivery(record.message_id, receive_count(record)),
            lease_seconds=self.limits.lease_seconds,
            max_attempts=self.limits.max_attempts,
        )
        if isinstance(grant, Busy):
            last = receive_count(record) >= self.limits.max_receives
            log.info(
                "%s %s: claimed by message %s until %s in run %s; %s",
                self.job,
                job.ticker,
                grant.holder.message_id,
                grant.holder.expires_at,
                run_id,
                "left to it" if last else "retried later",
            )
            return last  # the last delivery of a duplicate: the holder writes the result
        if isinstance(grant, Exhausted):
            return self._finish(job, run_id, crashed(job.ticker, grant.last.attempts))
        summary = {**self._work(job, grant), "attempt": grant.attempts}
        self._log(job, summary, record)
        failed = summary.get("error") is not None
        final = (
            grant.attempts >= self.limits.max_attempts
            or receive_count(record) >= self.limits.max_receives
        )
        if failed and not final:
            grant.release()
            return False  # retried by SQS; only the last attempt's failure is final
        return self._finish(job, run_id, summary)

    def _finish(self, job: JobT, run_id: str, summary: dict[str, Any]) -> bool:
        """Record the final result (the first wins), summarize the run if this completed it."""
        if not self.ledger.record(run_id, {**summary, "run_id": run_id}):
            log.warning(
                "%s %s: run %s already had a result; this %s is not recorded",
                self.job,
                job.ticker,
                run_id,
                summary["outcome"],
            )
        self._summarize(run_id)
        return True

    def _summarize(self, run_id: str) -> None:
        """Summarize and report the run if every ticker has its result and nobody did yet."""
        run_summary = self.ledger.summarize_if_complete(run_id)
        if run_summary is not None:
            self.report(run_summary)
            self.ledger.mark_reported(run_id)

    def _by_hand(self, job: JobT, record: SQSRecord) -> bool:
        """A job without a run: no ledger, no claim; a failure is retried by SQS and, after
        its last delivery, dead-lettered (the dead-letter queue is its only record)."""
        summary = self._work(job, None)
        self._log(job, summary, record)
        return summary.get("error") is None

    def _work(self, job: JobT, claim: Claim | None) -> dict[str, Any]:
        left = self.time_left()
        with deadline(None if left is None else left - RECORD_RESERVE_S):
            summary = self.work(job, claim)
        self.results.append(summary)
        return summary

    def _has_time(self, job: JobT) -> bool:
        left = self.time_left()
        if left is None or left >= self.limits.ticker_seconds:
            return True
        log.warning(
            "%s %s not started: %.0f s left of the invocation, a ticker needs %.0f s "
            "(SQS delivers it again)",
            self.job,
            job.ticker,
            left,
            self.limits.ticker_seconds,
        )
        return False

    def _log(self, job: JobT, summary: dict[str, Any], record: SQSRecord) -> None:
        log.info(
            "%s %s %s (run %s, delivery %d): %s",
            self.job,
            job.ticker,
            summary["outcome"],
            job.run_id,
            receive_count(record),
            summary.get("reason", ""),
            extra={"summary": summary, "outcome": summary["outcome"]},
        )


def crashed(ticker: str, attempts: int) -> dict[str, Any]:
    """The final result of a ticker whose every attempt in the run died without a result."""
    message = (
        f"{attempts} attempt(s) started in this run and none finished (the function timed out, "
        "ran out of memory or crashed: see its log); not starting another"
    )
    return {
        "ticker": ticker,
        "outcome": "failed",
        "reason": f"failed: {message}",
        "error": {"code": "crashed", "message": message},
        "attempt": attempts,
    }


def handle_queue(
    event: dict[str, Any],
    settings: Settings | None,
    notify: Notifier | None,
    *,
    job: Job,
    parse: Callable[[str], JobT],
    work: Callable[[Settings, ArtifactStore, JobT, Claim | None], dict[str, Any]],
    metrics: JobMetrics,
    context: Any = None,
    store: ArtifactStore | None = None,
) -> dict[str, Any]:
    """One job's queue consumer over a batch: the settings (the environment's by default), their
    store (or ``store``), the alarm topic (``ALARM_TOPIC_ARN``) unless ``notify`` stands in for
    it, the job's limits and the Lambda ``context``'s time left; ``{"batchItemFailures": [...]}``
    for the messages to retry."""
    settings = settings or get_settings()
    store = store or open_store(settings.store_uri)
    notifier = notify or sns_notifier(settings.alarm_topic_arn)

    def run_one(message: JobT, claim: Claim | None) -> dict[str, Any]:
        return work(settings, store, message, claim)

    def report(summary: RunSummary) -> None:
        report_run(summary, metrics, notifier)

    limits = QueueLimits.of(settings, job)
    consumer = QueueConsumer(
        job, store, limits, parse, run_one, report, metrics, time_left_of(context)
    )
    return consumer(event)
