"""The retrain's outcomes and metrics: every outcome has a metric, and a run counts the tickers a
fallback source fed."""

from __future__ import annotations

from typing import get_args

from cryptonic.jobs.retrain.outcomes import METRICS, OUTCOME_METRICS, Outcome


def test_every_outcome_has_its_metric_and_a_run_adds_its_fallbacks():
    assert list(OUTCOME_METRICS) == list(get_args(Outcome))
    assert OUTCOME_METRICS["failed"] == "TickersFailed"
    assert OUTCOME_METRICS["lost"] == "TickersLost"  # the sweeper's closed runs
    assert METRICS.refused == "RetrainRequestsRefused"
    results = [
        {"ticker": "BTC-USD", "outcome": "promoted", "fallback": "yahoo: rate-limited"},
        {"ticker": "AAPL", "outcome": "rejected", "fallback": ""},
    ]
    assert METRICS.of_run(METRICS.count(results), results) == (
        {
            "TickersPromoted": 1,
            "TickersRejected": 1,
            "TickersSkipped": 0,
            "TickersFailed": 0,
            "TickersLost": 0,
            "TickersOnFallback": 1,
        },
        {"fallback_tickers": ["BTC-USD"]},
    )
    assert METRICS.of_invocation(results) == ({}, {})  # one data point per run, no more
