"""A scheduled run's first step: one job per ticker, sent to the job's queue.

Why a queue and not a loop: one Lambda running every ticker in turn is bounded by its timeout
(900 s for a retrain, 600 s for the refresh), and one slow or failing ticker delays or sinks the
rest. Here the dispatch (a small function, no TensorFlow) reads the ticker list (``TICKERS`` +
the store's ``tickers.json``), writes the run's plan (cryptonic.jobs.runs.ledger) and sends one
message per ticker; SQS delivers each to its own invocation (cryptonic.jobs.retrain.queue,
cryptonic.jobs.refresh.queue) with ``MaximumConcurrency`` of them at once, its own retries and
its own dead-letter path. docs/scaling.md says why SQS rather than Step Functions.

Which job: the weekly schedule's event means the retrain; the daily one carries
``"detail": {"job": "refresh"}``; a direct invoke may say ``{"job": "refresh", "tickers": [...]}``
(cryptonic.jobs.sources: which source sent an event is decided there, once).

One run per scheduled tick: the run id comes from the job, the schedule and its scheduled time
(cryptonic.jobs.sources.scheduled), so a Scheduler retry, a duplicate delivery or Lambda's retry
of this dispatch joins the run the first attempt planned, and sends again only the tickers that
have no final result yet (a ticker's claim stops a job sent twice from running twice). A direct
invoke may name its run (``"run_id"``); two identical direct invokes without one are two runs.

The dispatch fails (and pages, and is retried) only when it could not send every job. An
unusable ``tickers.json`` is reported, not raised: the parameter's tickers are sent, the
``TickerListUnusable`` metric pages, and no retry sends every job again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from cryptonic.config import Settings, get_settings
from cryptonic.errors import ConfigError, CryptonicError, DispatchFailedError
from cryptonic.jobs.aws.clients import job_client
from cryptonic.jobs.aws.cloudwatch import put_metrics
from cryptonic.jobs.aws.logger import run_keys
from cryptonic.jobs.refresh.request import parse_refresh_event
from cryptonic.jobs.retrain.request import RetrainRequest, parse_retrain_event
from cryptonic.jobs.runs.ledger import Job, RunLedger, new_run_id, run_started
from cryptonic.jobs.sources.direct import direct_job
from cryptonic.jobs.sources.infer import source_of
from cryptonic.jobs.sources.scheduled import scheduled_job, scheduled_run_id
from cryptonic.jobs.ticker_list import run_tickers
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.dispatch")

SQS_BATCH: Final = 10
"""SendMessageBatch's limit."""
SEND_ATTEMPTS: Final = 3
NAMED_RUN_SLACK: Final = dt.timedelta(days=1)
"""How far from now the time a run id begins with may be (a direct invoke's, a scheduled tick's)."""
LIST_UNUSABLE_METRIC: Final = "TickerListUnusable"
"""1 when the store's tickers.json could not be used (template.yaml: TickerListUnusableAlarm)."""


class QueueClient(Protocol):
    """The one SQS call the dispatch needs (boto3's client has it)."""

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> Any: ...  # noqa: N803


@dataclass(frozen=True)
class Dispatch:
    """What the dispatch did."""

    job: Job
    run_id: str
    tickers: list[str]
    sent: list[str]
    unsent: dict[str, str]
    problem: str | None
    finished: list[str] = field(default_factory=list)
    """Tickers of a joined run that already had a final result: not sent again."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "run_id": self.run_id,
            "tickers": self.tickers,
            "finished": self.finished,
            "sent": len(self.sent),
            "unsent": self.unsent,
            "problem": self.problem,
            "ok": not self.unsent and self.problem is None,
        }


def job_of(event: Any) -> Job:
    """The job an event asks for: ``detail.job`` of a scheduled event, ``job`` of a direct one
    (the retrain when it names none)."""
    value = scheduled_job(event) if source_of(event) == "scheduled" else direct_job(event)
    if value not in ("retrain", "refresh"):
        raise ConfigError(f"unknown job {value!r}: the dispatch sends 'retrain' or 'refresh' jobs")
    job: Job = value
    return job


def retrain_options(request: RetrainRequest) -> dict[str, Any]:
    """What every ticker's retrain job of a run carries besides its ticker."""
    return {"strategy": request.strategy, "force": request.force}


def job_message(run_id: str, ticker: str, options: dict[str, Any]) -> dict[str, Any]:
    """The body of one ticker's job (parsed back by the job's queue module: RetrainJob,
    TickerJob)."""
    return {"run_id": run_id, "ticker": ticker, **options}


def run_id_of(event: Any, job: Job) -> str:
    """The run of a scheduled tick (its job, schedule and scheduled time), the ``run_id`` a
    direct invoke names, else a fresh one.

    A tick's retries all come within a day (Scheduler and Lambda give up sooner), so a scheduled
    event dated further from now is not a retry but a replayed one (the shipped sample event, a
    copy sent by hand): it starts a fresh run, which the sweeper looks for among recent days;
    under the old date no sweep would ever find it, and it would never end."""
    if source_of(event) == "scheduled":
        run_id = scheduled_run_id(event, job)
        if _begins_now(run_id):
            return run_id
        fresh = new_run_id()
        log.warning("a scheduled event of %s is no retry of today's tick: run %s", run_id, fresh)
        return fresh
    named = event.get("run_id") if isinstance(event, dict) else None
    if named is None:
        return new_run_id()
    if not isinstance(named, str):
        raise ConfigError(f"run_id must be a string like 20261201T060000Z-1a2b3c4d, got {named!r}")
    if not _begins_now(named):
        raise ConfigError(
            f"run id {named} begins with {run_started(named):%Y-%m-%d %H:%M:%S} UTC: a run id "
            "begins with when the run starts (now, within a day), so that the sweeper finds and "
            "ends it"
        )
    return named


def _begins_now(run_id: str) -> bool:
    """Whether ``run_id`` begins with a time within :data:`NAMED_RUN_SLACK` of now: the days the
    sweeper looks at."""
    return abs(dt.datetime.now(dt.UTC) - run_started(run_id)) <= NAMED_RUN_SLACK


def dispatch_jobs(
    event: Any,
    settings: Settings | None = None,
    *,
    store: ArtifactStore | None = None,
    queue: QueueClient | None = None,
) -> Dispatch:
    """Plan the run and send its jobs; ConfigError before anything is sent for a bad event or a
    missing queue URL (``RETRAIN_QUEUE_URL``, ``REFRESH_QUEUE_URL``)."""
    settings = settings or get_settings()
    job = job_of(event)
    body = (
        {k: v for k, v in event.items() if k not in {"job", "run_id"}}
        if isinstance(event, dict)
        else event
    )
    if job == "retrain":
        request = parse_retrain_event(body)
        queue_url, env_name = settings.retrain_queue_url, "RETRAIN_QUEUE_URL"
        options: dict[str, Any] = retrain_options(request)
        requested = request.tickers
    else:
        requested = parse_refresh_event(body).tickers
        queue_url, env_name = settings.refresh_queue_url, "REFRESH_QUEUE_URL"
        options = {}
    if not queue_url:
        raise ConfigError(f"{env_name} is not set: the dispatch has no {job} queue to send to")
    run_id = run_id_of(event, job)
    with run_keys(run_id):
        store = store or open_store(settings.store_uri)
        listed = run_tickers(settings, store, requested)
        ledger = RunLedger(store, job)
        planned = ledger.write_plan(run_id, listed.tickers, options)
        finished = ledger.finished(run_id)
        sent, unsent = send_jobs(
            queue or _sqs_client(),
            queue_url,
            ((t, job_message(run_id, t, options)) for t in planned if t not in finished),
        )
    return Dispatch(
        job=job,
        run_id=run_id,
        tickers=planned,
        sent=sent,
        unsent=unsent,
        problem=listed.problem,
        finished=[t for t in planned if t in finished],
    )


def send_jobs(
    queue: QueueClient,
    queue_url: str,
    jobs: Iterable[tuple[str, dict[str, Any]]],
    *,
    sleep: Callable[[float], None] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Send in batches of 10, re-sending the entries SQS refused (up to 3 tries); returns the
    tickers sent and, for the others, why not."""
    pause = sleep or time.sleep
    pending = list(jobs)
    sent: list[str] = []
    unsent: dict[str, str] = {}
    for start in range(0, len(pending), SQS_BATCH):
        batch = {str(i): job for i, job in enumerate(pending[start : start + SQS_BATCH])}
        for attempt in range(1, SEND_ATTEMPTS + 1):
            entries = [
                {"Id": i, "MessageBody": json.dumps(body, sort_keys=True)}
                for i, (_, body) in batch.items()
            ]
            try:
                answer = queue.send_message_batch(QueueUrl=queue_url, Entries=entries)
            except Exception as exc:  # boto3 raises many types; each is reported per ticker
                failures = {i: f"{type(exc).__name__}: {exc}" for i in batch}
            else:
                sent.extend(batch[ok["Id"]][0] for ok in answer.get("Successful", ()))
                failures = {
                    f["Id"]: f"{f.get('Code', 'error')}: {f.get('Message', '')}".strip()
                    for f in answer.get("Failed", ())
                }
            batch = {i: batch[i] for i in failures}
            if not batch:
                break
            if attempt == SEND_ATTEMPTS:
                unsent.update({batch[i][0]: failures[i] for i in batch})
            else:
                pause(0.2 * attempt)
    return sent, unsent


def handle_dispatch_invocation(event: Any) -> dict[str, Any]:
    """The dispatch Lambda: send the jobs, emit ``TickersDispatched`` (and
    ``TickerListUnusable``), raise only when a job could not be sent."""
    try:
        dispatch = dispatch_jobs(event)
    except CryptonicError as exc:
        log.error("dispatch refused: %s", exc, extra={"code": exc.code})
        put_metrics({"DispatchRequestsRefused": 1})
        raise
    with run_keys(dispatch.run_id):
        return _report(dispatch)


def dispatch_metrics(dispatch: Dispatch) -> dict[str, float]:
    """What a dispatch emits (``TickerListUnusable`` pages: template.yaml's alarm reads it)."""
    return {
        "TickersDispatched": len(dispatch.sent),
        "TickersNotDispatched": len(dispatch.unsent),
        LIST_UNUSABLE_METRIC: int(dispatch.problem is not None),
    }


def _report(dispatch: Dispatch) -> dict[str, Any]:
    """The dispatch's metrics and log lines; raises when a job could not be sent."""
    summary = dispatch.to_dict()
    put_metrics(
        dispatch_metrics(dispatch),
        properties={
            "job": dispatch.job,
            "run_id": dispatch.run_id,
            "unsent_tickers": sorted(dispatch.unsent),
            "problem": dispatch.problem,
        },
    )
    log.info(
        "%s run %s: %d of %d tickers dispatched",
        dispatch.job,
        dispatch.run_id,
        len(dispatch.sent),
        len(dispatch.tickers),
        extra={"dispatch": summary},
    )
    if dispatch.problem:
        log.error("%s run %s: %s", dispatch.job, dispatch.run_id, dispatch.problem)
    if dispatch.unsent:
        raise DispatchFailedError(
            f"{dispatch.job} run {dispatch.run_id}: {len(dispatch.unsent)} of "
            f"{len(dispatch.tickers)} jobs not sent: "
            + "; ".join(f"{t}: {why}" for t, why in dispatch.unsent.items())
        )
    return summary


def _sqs_client() -> QueueClient:
    """boto3 with explicit timeouts and retries (cryptonic.jobs.aws.clients); it honours the
    standard environment, ``AWS_ENDPOINT_URL_SQS`` included (the tests point it at moto's)."""
    client: QueueClient = job_client("sqs")
    return client
