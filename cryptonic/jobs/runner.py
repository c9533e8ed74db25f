"""One invocation's run of a job: each ticker, summarize, raise at the end.

The retrain and the refresh run the same way when one invocation runs them all (a direct invoke,
the CLI): parse the request, run each ticker (one ticker's failure is in its result and never
stops the others), summarize. A :class:`JobRunner` holds what differs per job. The two callers
differ in how they fail: the CLI reports everything in its summary and exit code
(:meth:`JobRunner.run_reported`); the Lambda (:meth:`JobRunner.invoke`) counts the outcomes as
metrics, then raises naming each failed ticker, because only a failed invocation reaches
Lambda's retry, the dead-letter queue and the alarm that pages someone.

An SQS event (the fan-out's one-ticker jobs) goes to the job's queue consumer instead, which
never raises for a ticker: its failures come back as ``batchItemFailures``. Either way a ticker
starts only if the invocation's time left (the Lambda context's) can hold it; one that cannot is
reported as not started (``no_time``), and the invocation fails so that Lambda's retry runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from cryptonic.config import Settings, get_settings
from cryptonic.errors import CryptonicError
from cryptonic.jobs.aws.cloudwatch import put_metrics
from cryptonic.jobs.aws.context import TimeLeft, no_limit, time_left_of
from cryptonic.jobs.consumer import QueueLimits
from cryptonic.jobs.runs.ledger import Job
from cryptonic.jobs.runs.metrics import JobMetrics
from cryptonic.jobs.sources.infer import source_of
from cryptonic.jobs.ticker_list import run_tickers
from cryptonic.store.contract import ArtifactStore
from cryptonic.store.uri import open_store


class TickerRequest(Protocol):
    """What a job's request says about its tickers (None: every configured one)."""

    @property
    def tickers(self) -> list[str] | None: ...


RequestT = TypeVar("RequestT", bound=TickerRequest)


class QueueHandler(Protocol):
    """A job's queue consumer (``handle_retrain_queue``, ``handle_refresh_queue``)."""

    def __call__(self, event: dict[str, Any], *, context: Any = None) -> dict[str, Any]: ...


def not_started(ticker: str, left: float, needs: float) -> dict[str, Any]:
    """The result of a ticker the invocation had no time left to start."""
    message = f"not started: {left:.0f} s left of the invocation, a ticker needs {needs:.0f} s"
    return {
        "ticker": ticker,
        "outcome": "failed",
        "reason": f"failed: {message}",
        "error": {"code": "no_time", "message": message},
        "seconds": 0.0,
    }


def outcome_said(outcome: str, reason: str) -> str:
    """The outcome and its reason with the outcome said once: a failure's reason already begins
    with it (``failed: ...``, kept so in the run ledgers and notifications)."""
    if not reason or reason == outcome:
        return outcome
    if reason.startswith(f"{outcome}:"):
        return reason
    return f"{outcome}: {reason}"


@dataclass(frozen=True)
class JobRunner(Generic[RequestT]):
    """What the runner needs of one job."""

    job: Job
    log: logging.Logger
    """The job's logger (``cryptonic.retrain``, ``cryptonic.refresh``: alarms and tests read it)."""
    parse: Callable[[Any], RequestT]
    """The request an event makes; ConfigError when it makes none."""
    run_ticker: Callable[[Settings, ArtifactStore, str, RequestT], dict[str, Any]]
    """One ticker's run as its summary (``ticker``, ``outcome``, ``reason``, ``error``); never
    raises for the ticker's own failure."""
    queue: QueueHandler
    """The job's queue consumer, for an SQS event."""
    metrics: JobMetrics
    failure: type[CryptonicError]
    """Raised by :meth:`invoke` naming each failed ticker."""

    def run(
        self, event: Any, settings: Settings | None = None, time_left: TimeLeft = no_limit
    ) -> dict[str, Any]:
        """``{"ok", "results": [one summary per ticker][, "problem"]}``.

        Raises ``CryptonicError`` before any ticker runs when the event, the settings or the
        store URI is unusable; after that, one ticker's failure is in its result."""
        settings = settings or get_settings()
        request = self.parse(event)
        store = open_store(settings.store_uri)
        listed = run_tickers(settings, store, request.tickers)
        needs = QueueLimits.of(settings, self.job).ticker_seconds
        results = []
        for ticker in listed.tickers:
            left = time_left()
            if left is not None and left < needs:
                summary = not_started(ticker, left, needs)
            else:
                summary = self.run_ticker(settings, store, ticker, request)
            self.log.info(
                "%s %s %s",
                self.job,
                summary["ticker"],
                outcome_said(summary["outcome"], summary["reason"]),
                extra={"summary": summary, "outcome": summary["outcome"]},
            )
            results.append(summary)
        return listed.run_summary(results)

    def run_reported(self, event: Any, settings: Settings | None = None) -> dict[str, Any]:
        """:meth:`run` that never raises for our errors: a refused request is in the summary."""
        try:
            return self.run(event, settings)
        except CryptonicError as exc:
            self.log.error("%s request refused: %s", self.job, exc, extra={"code": exc.code})
            return {"ok": False, "error": {"code": exc.code, "message": str(exc)}, "results": []}

    def invoke(self, event: Any, context: Any = None) -> dict[str, Any]:
        """The job's Lambda: an SQS event to the queue consumer; else run every ticker, count
        the outcomes as metrics, then raise :attr:`failure` naming each failed ticker (and an
        unusable ``tickers.json``). A refused request emits the job's refused metric and raises
        at once: no ticker runs."""
        if source_of(event) == "sqs":
            return self.queue(event, context=context)
        try:
            summary = self.run(event, time_left=time_left_of(context))
        except CryptonicError as exc:
            self.log.error("%s request refused: %s", self.job, exc, extra={"code": exc.code})
            put_metrics({self.metrics.refused: 1})
            raise
        results: list[dict[str, Any]] = summary["results"]
        counts, extra = self.metrics.of_run(self.metrics.count(results), results)
        failed = {r["ticker"]: r["error"] for r in results if r["error"] is not None}
        put_metrics(counts, properties={"failed_tickers": sorted(failed), **extra})
        self.log.info("%s run: %s", self.job, counts, extra={"counts": counts, "ok": summary["ok"]})
        problems = [summary["problem"]] if summary.get("problem") else []
        if failed:
            problems.append(
                f"{len(failed)} of {len(results)} tickers failed: "
                + "; ".join(f"{t}: [{e['code']}] {e['message']}" for t, e in failed.items())
            )
        if problems:
            raise self.failure(" | ".join(problems))
        return summary
