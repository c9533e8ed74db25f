"""The refresh's outcomes and their metrics, in one place: the invocation, the queue consumer and
the run ledger count the same words under the same metric names, and both report the run's stale
forecasts (the metric ``ForecastStaleAlarm`` reads)."""

from __future__ import annotations

from typing import Any, Final, Literal

from cryptonic.jobs.runs.metrics import JobMetrics

Outcome = Literal["refreshed", "unchanged", "no_new_data", "no_model", "failed", "lost"]
"""``refreshed``: a new forecast for the served version. ``unchanged``: it already had the
forecast of the latest close (a rerun). ``no_new_data``: the expected close is not there yet
(the reason says why). ``no_model``: nothing published yet. ``failed``: see ``error``.
``lost``: no result ever came (never delivered, or its last attempt died): the sweeper's word
when it closes the run."""

OUTCOME_METRICS: Final[dict[str, str]] = {
    "refreshed": "TickersRefreshed",
    "unchanged": "TickersUnchanged",
    "no_new_data": "TickersWithoutNewData",
    "no_model": "TickersWithoutModel",
    "failed": "TickersFailed",
    "lost": "TickersLost",
}
"""EMF metric of each outcome, one data point per run."""
REFUSED_METRIC: Final = "RefreshRequestsRefused"
"""A refresh request refused before any ticker ran (a bad payload, unusable settings)."""
STALE_METRIC: Final = "StaleForecasts"
"""Tickers whose served forecast is stale (template.yaml: ForecastStaleAlarm): emitted by every
refresh invocation over the tickers it ran, and in each run's report over all of them."""


FALLBACK_METRIC: Final = "TickersOnFallback"
"""Tickers whose closes came from a fallback source (not their model's own): a metric, never an
alarm, so nobody is paged while the forecasts stay fresh."""


def fallback_tickers(results: list[dict[str, Any]]) -> list[str]:
    """Tickers a fallback source fed (their result's ``fallback`` says why)."""
    return sorted(r["ticker"] for r in results if r.get("fallback"))


def stale_tickers(results: list[dict[str, Any]]) -> list[str]:
    """Tickers whose served forecast is stale after this run (a ticker without a model has no
    forecast to be stale; one whose refresh failed before it could tell counts as stale only if
    its served forecast is)."""
    return sorted(r["ticker"] for r in results if (r.get("served") or {}).get("stale"))


def stale_forecasts(results: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    """What every refresh invocation reports: how many served forecasts are stale, and which."""
    stale = stale_tickers(results)
    return {STALE_METRIC: len(stale)}, {"stale_tickers": stale}


def run_report(results: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    """What a refresh run adds to its report: the stale forecasts, and how many tickers a
    fallback source fed, and which."""
    metrics, properties = stale_forecasts(results)
    fallback = fallback_tickers(results)
    return (
        {**metrics, FALLBACK_METRIC: len(fallback)},
        {**properties, "fallback_tickers": fallback},
    )


METRICS: Final = JobMetrics(OUTCOME_METRICS, REFUSED_METRIC, run_report, invocation=stale_forecasts)
