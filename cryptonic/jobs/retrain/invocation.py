"""The retrain function's work behind its handler: parse the event, run each ticker, summarize.

Kept in the library so the Lambda handler stays three lines and the CLI can run the very same
path (``cryptonic retrain``). The two differ in how they fail: the CLI reports everything in its
summary and exit code; the Lambda raises (``handle_retrain_invocation``), because only a failed
invocation reaches Lambda's retry, the dead-letter queue and the alarm that pages someone.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptonic.config import Settings, get_settings
from cryptonic.errors import CryptonicError, RetrainFailedError
from cryptonic.jobs.cloudwatch import put_metrics
from cryptonic.jobs.consumer import is_queue_event
from cryptonic.jobs.retrain.one_ticker import outcome, retrain
from cryptonic.jobs.retrain.queue import handle_retrain_queue
from cryptonic.jobs.retrain.request import parse_retrain_event
from cryptonic.jobs.ticker_list import run_tickers
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.retrain")

OUTCOME_METRICS = {
    "promoted": "TickersPromoted",
    "rejected": "TickersRejected",
    "skipped": "TickersSkipped",
    "failed": "TickersFailed",
}
"""EMF metric of each outcome, one data point per run (template.yaml alarms on TickersFailed)."""


def retrain_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``{"ok", "results": [{ticker, version, promoted, reason, metrics, champion, ...}]}``.

    Raises ``CryptonicError`` before any ticker runs when the event, the settings or the store
    URI is unusable; after that, one ticker's failure is in its result and never stops the others.
    """
    settings = settings or get_settings()
    request = parse_retrain_event(event)
    store = open_store(settings.store_uri)
    results = []
    listed = run_tickers(settings, store, request.tickers)
    for ticker in listed.tickers:
        result = retrain(settings, store, ticker, request.strategy, request.force)
        summary = result.to_dict()
        summary["outcome"] = "failed" if result.error else outcome(result)
        log.info(
            "retrain %s %s: %s",
            result.ticker,
            summary["outcome"],
            result.reason,
            extra={"summary": summary, "outcome": summary["outcome"]},
        )
        results.append(summary)
    return listed.run_summary(results)


def run_retrain_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``retrain_event`` that never raises for our errors: a bad request is in the summary."""
    try:
        return retrain_event(event, settings)
    except CryptonicError as exc:
        log.error("retrain request refused: %s", exc, extra={"code": exc.code})
        return {"ok": False, "error": {"code": exc.code, "message": str(exc)}, "results": []}


def handle_retrain_invocation(event: Any) -> dict[str, Any]:
    """The retrain Lambda: run every ticker, count the outcomes as metrics, then fail loudly.

    A bad payload raises at once (no ticker runs; Lambda's one retry fails the same way and the
    event lands in the dead-letter queue, where it can be read). A failing ticker raises
    ``RetrainFailedError`` naming every failed ticker, after the others have finished: their
    results are published and the summary logged either way. A rerun skips the tickers that are
    already up to date, promoted or rejected (see retrain_skip), so Lambda's retry only redoes the
    failed ones.

    An SQS event (the fan-out's per-ticker jobs, cryptonic/retrain_queue.py) never raises for a
    ticker: its failures come back as ``batchItemFailures``, which SQS retries and dead-letters.
    """
    if is_queue_event(event):
        return handle_retrain_queue(event)
    try:
        summary = retrain_event(event)
    except CryptonicError as exc:
        log.error("retrain request refused: %s", exc, extra={"code": exc.code})
        put_metrics({"RetrainRequestsRefused": 1})
        raise
    counts = dict.fromkeys(OUTCOME_METRICS.values(), 0)
    for result in summary["results"]:
        counts[OUTCOME_METRICS[result["outcome"]]] += 1
    failed = {r["ticker"]: r["error"] for r in summary["results"] if r["error"] is not None}
    put_metrics(counts, properties={"failed_tickers": sorted(failed)})
    log.info("retrain run: %s", counts, extra={"counts": counts, "ok": summary["ok"]})
    problems = [summary["problem"]] if summary.get("problem") else []
    if failed:
        problems.append(
            f"{len(failed)} of {len(summary['results'])} tickers failed: "
            + "; ".join(f"{t}: [{e['code']}] {e['message']}" for t, e in failed.items())
        )
    if problems:
        raise RetrainFailedError(" | ".join(problems))
    return summary
