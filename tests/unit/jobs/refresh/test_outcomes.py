"""The refresh's outcomes and metrics: every outcome has a metric, and a run reports its stale
served forecasts (what ForecastStaleAlarm reads)."""

from __future__ import annotations

from typing import get_args

from cryptonic.jobs.refresh.outcomes import (
    FALLBACK_METRIC,
    METRICS,
    OUTCOME_METRICS,
    STALE_METRIC,
    Outcome,
)


def test_every_outcome_has_its_metric():
    assert list(OUTCOME_METRICS) == list(get_args(Outcome))
    assert OUTCOME_METRICS["failed"] == "TickersFailed"
    assert OUTCOME_METRICS["lost"] == "TickersLost"
    assert METRICS.refused == "RefreshRequestsRefused"


def test_a_run_reports_its_stale_forecasts_whatever_their_outcome():
    results = [
        {"ticker": "ETH-USD", "outcome": "failed", "served": {"stale": True}},
        {"ticker": "AAPL", "outcome": "no_model", "served": None},
        {"ticker": "BTC-USD", "outcome": "no_new_data", "served": {"stale": True}},
        {"ticker": "MSFT", "outcome": "refreshed", "served": {"stale": False}},
    ]
    metrics, properties = METRICS.of_run(METRICS.count(results), results)
    assert metrics[STALE_METRIC] == 2
    assert properties == {"stale_tickers": ["BTC-USD", "ETH-USD"], "fallback_tickers": []}
    assert (metrics["TickersFailed"], metrics["TickersRefreshed"]) == (1, 1)


def test_every_invocation_reports_the_stale_forecasts_of_its_tickers():
    """Not only the run's summary: a run that never ends must not silence the stale alarm."""
    results = [{"ticker": "ETH-USD", "outcome": "no_new_data", "served": {"stale": True}}]
    assert METRICS.of_invocation(results) == ({STALE_METRIC: 1}, {"stale_tickers": ["ETH-USD"]})
    assert METRICS.of_invocation([]) == ({STALE_METRIC: 0}, {"stale_tickers": []})


def test_a_run_counts_the_tickers_a_fallback_source_fed_without_failing_them():
    """A fallback keeps the forecasts fresh: a metric (and its tickers), not a failure."""
    results = [
        {"ticker": "BTC-USD", "outcome": "refreshed", "fallback": "bitstamp stands in (...)"},
        {"ticker": "ETH-USD", "outcome": "refreshed", "fallback": ""},
        {"ticker": "AAPL", "outcome": "refreshed"},
    ]
    metrics, properties = METRICS.of_run(METRICS.count(results), results)
    assert (metrics[FALLBACK_METRIC], metrics["TickersFailed"]) == (1, 0)
    assert properties["fallback_tickers"] == ["BTC-USD"]
    assert FALLBACK_METRIC not in METRICS.of_invocation(results)[0]  # once per run
