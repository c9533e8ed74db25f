"""The refresh function's work behind its handler: parse the event, refresh each ticker, report.

Like the retrain job (cryptonic/retrain_job.py): the CLI (``cryptonic refresh``) runs the same
path and reports in its exit code; the Lambda raises once every ticker has run if any failed,
because only a failed invocation reaches Lambda's retry, the dead-letter queue and the alarm.
A ticker with no new close yet (``no_new_data``) is not a failure until
``REFRESH_MAX_MISSED_DAYS`` trading days are missing: the refresh says why and keeps serving.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptonic.config import Settings, get_settings
from cryptonic.errors import CryptonicError, RefreshFailedError
from cryptonic.jobs.cloudwatch import put_metrics
from cryptonic.jobs.consumer import is_queue_event
from cryptonic.jobs.refresh.one_ticker import refresh
from cryptonic.jobs.refresh.request import parse_refresh_event
from cryptonic.jobs.ticker_list import run_tickers
from cryptonic.store.uri import open_store

log = logging.getLogger("cryptonic.refresh")

OUTCOME_METRICS = {
    "refreshed": "TickersRefreshed",
    "unchanged": "TickersUnchanged",
    "no_new_data": "TickersWithoutNewData",
    "no_model": "TickersWithoutModel",
    "failed": "TickersFailed",
}
"""EMF metric of each outcome, one data point per run."""
STALE_METRIC = "StaleForecasts"
"""Tickers whose served forecast is stale after the run (template.yaml: ForecastStaleAlarm)."""


def refresh_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``{"ok", "results": [{ticker, outcome, reason, served, track_record, ...}]}``.

    Raises ``CryptonicError`` before any ticker runs when the event, the settings or the store
    URI is unusable; after that, one ticker's failure is in its result and never stops the others.
    """
    settings = settings or get_settings()
    request = parse_refresh_event(event)
    store = open_store(settings.store_uri)
    results = []
    listed = run_tickers(settings, store, request.tickers)
    for ticker in listed.tickers:
        result = refresh(settings, store, ticker)
        summary = result.to_dict()
        log.info(
            "refresh %s %s: %s",
            result.ticker,
            result.outcome,
            result.reason,
            extra={"summary": summary, "outcome": result.outcome},
        )
        results.append(summary)
    return listed.run_summary(results)


def run_refresh_event(event: Any, settings: Settings | None = None) -> dict[str, Any]:
    """``refresh_event`` that never raises for our errors: a bad request is in the summary."""
    try:
        return refresh_event(event, settings)
    except CryptonicError as exc:
        log.error("refresh request refused: %s", exc, extra={"code": exc.code})
        return {"ok": False, "error": {"code": exc.code, "message": str(exc)}, "results": []}


def stale_tickers(results: list[dict[str, Any]]) -> list[str]:
    """Tickers whose served forecast is stale after this run (a ticker without a model has no
    forecast to be stale; one whose refresh failed before it could tell counts as stale only if
    its served forecast is)."""
    return sorted(r["ticker"] for r in results if (r.get("served") or {}).get("stale"))


def stale_count(summary: dict[str, Any]) -> int:
    """How many of a run's tickers are stale (see stale_tickers)."""
    return len(stale_tickers(summary["results"]))


def handle_refresh_invocation(event: Any) -> dict[str, Any]:
    """The refresh Lambda: refresh every ticker, count the outcomes as metrics, then fail loudly.

    A bad payload raises at once (no ticker runs). A failing ticker (bad prices, no close for
    too long, a store error) raises ``RefreshFailedError`` naming every failed ticker after the
    others have finished and logged their forecasts. A rerun is harmless: the same day's
    forecasts are already logged and the scores are the same.

    An SQS event (the fan-out's per-ticker jobs, cryptonic/refresh_queue.py) never raises for a
    ticker: its failures come back as ``batchItemFailures``, which SQS retries and dead-letters.
    """
    if is_queue_event(event):
        from cryptonic.jobs.refresh.queue import (
            handle_refresh_queue,  # it reads this module's metrics
        )

        return handle_refresh_queue(event)
    try:
        summary = refresh_event(event)
    except CryptonicError as exc:
        log.error("refresh request refused: %s", exc, extra={"code": exc.code})
        put_metrics({"RefreshRequestsRefused": 1})
        raise
    counts = dict.fromkeys(OUTCOME_METRICS.values(), 0)
    for result in summary["results"]:
        counts[OUTCOME_METRICS[result["outcome"]]] += 1
    counts[STALE_METRIC] = stale_count(summary)
    failed = {r["ticker"]: r["error"] for r in summary["results"] if r["error"] is not None}
    stale = stale_tickers(summary["results"])
    put_metrics(counts, properties={"failed_tickers": sorted(failed), "stale_tickers": stale})
    log.info("refresh run: %s", counts, extra={"counts": counts, "ok": summary["ok"]})
    problems = [summary["problem"]] if summary.get("problem") else []
    if failed:
        problems.append(
            f"{len(failed)} of {len(summary['results'])} tickers failed: "
            + "; ".join(f"{t}: [{e['code']}] {e['message']}" for t, e in failed.items())
        )
    if problems:
        raise RefreshFailedError(" | ".join(problems))
    return summary
