"""A finished run's report, the same whoever finishes it (the invocation that records the last
result, or the sweeper that closes a run past its deadline): its counts as EMF metrics under
the job's function (where the template's alarms look), one log line, and the failed or lost
tickers named to the on-call (the alarm topic, ``ALARM_TOPIC_ARN``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from cryptonic.jobs.aws.clients import job_client
from cryptonic.jobs.aws.cloudwatch import put_metrics
from cryptonic.jobs.runs.metrics import JobMetrics
from cryptonic.jobs.runs.summary import RunSummary

__all__ = ["Notifier", "announce_failures", "report_run", "sns_notifier"]

log = logging.getLogger("cryptonic.jobs")

Notifier = Callable[[str, str], None]
"""Sends ``(subject, message)`` to whoever is on call (the alarm topic; tests pass their own)."""


def report_run(
    summary: RunSummary,
    metrics: JobMetrics,
    notify: Notifier | None,
    *,
    function_name: str | None = None,
) -> None:
    """A finished run, once: its counts and the job's extras as EMF metrics (under
    ``function_name``, this function's by default), one log line, and the failed and lost
    tickers named to the on-call."""
    values, extra = metrics.of_run(summary.counts, summary.results)
    properties = {"run_id": summary.run_id, "failed_tickers": sorted(summary.failed), **extra}
    put_metrics(values, properties=properties, function_name=function_name)
    log.info(summary.headline(), extra={"run": summary.to_dict(), **extra})
    announce_failures(summary, notify, summary.job)


def announce_failures(summary: RunSummary, notify: Notifier | None, what: str) -> None:
    """Log the failed (and lost) tickers and send them to the on-call, if any."""
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
    """Publishes to the alarm topic (a client with explicit timeouts), or None without one."""
    if not topic_arn:
        return None
    client = job_client("sns")

    def publish(subject: str, message: str) -> None:
        client.publish(TopicArn=topic_arn, Subject=subject, Message=message)

    return publish
