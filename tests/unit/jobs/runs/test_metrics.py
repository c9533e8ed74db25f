"""A job's metrics: every outcome counted (zeros too), in the job's order, then its extras."""

from __future__ import annotations

from cryptonic.jobs.runs.metrics import JobMetrics, no_extras

METRICS = JobMetrics({"done": "TickersDone", "failed": "TickersFailed"}, "Refused")


def test_every_outcome_is_counted_in_the_jobs_order():
    results = [{"outcome": "failed"}, {"outcome": "done"}, {"outcome": "failed"}]
    assert list(METRICS.count(results).items()) == [("done", 1), ("failed", 2)]
    assert METRICS.count([]) == {"done": 0, "failed": 0}


def test_a_run_reports_its_counts_by_metric_name_then_the_jobs_extras():
    assert METRICS.of_run({"done": 3, "failed": 0}, []) == (
        {"TickersDone": 3, "TickersFailed": 0},
        {},
    )
    with_extras = JobMetrics(
        METRICS.outcomes, "Refused", lambda results: ({"Seen": len(results)}, {"first": 1})
    )
    metrics, properties = with_extras.of_run({"done": 1, "failed": 0}, [{"outcome": "done"}])
    assert list(metrics) == ["TickersDone", "TickersFailed", "Seen"]
    assert metrics["Seen"] == 1
    assert properties == {"first": 1}
    assert no_extras([{"outcome": "done"}]) == ({}, {})
