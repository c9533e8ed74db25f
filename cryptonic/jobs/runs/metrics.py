"""A job's CloudWatch metrics: one count per outcome, the metric of a refused request, and what
the job adds to a finished run's report (the refresh: its stale forecasts).

A run is reported by whichever way it ran, a whole invocation (cryptonic.jobs.runner), the last
ticker of a fanned-out run (cryptonic.jobs.consumer) or the sweeper closing it
(cryptonic.jobs.sweeper), with the same metrics: one data point per run, read by the template's
alarms. Each job's are in its ``outcomes`` module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

RunExtras = Callable[[list[dict[str, Any]]], tuple[dict[str, float], dict[str, Any]]]
"""A run's results -> the job's extra metrics and extra properties (searchable, not metrics)."""


def no_extras(results: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    """A job that reports its outcomes' counts only."""
    return {}, {}


@dataclass(frozen=True)
class JobMetrics:
    """The metrics of one job's runs."""

    outcomes: Mapping[str, str]
    """The EMF metric of each outcome, in the order a run's counts list them."""
    refused: str
    """Emitted (1) when a request is refused before any ticker ran."""
    extras: RunExtras = no_extras
    invocation: RunExtras | None = None
    """What every queue invocation emits over the tickers it ran, whether or not it ended the
    run (the refresh: ``StaleForecasts``, so a day whose run never ends still reports it)."""

    def count(self, results: list[dict[str, Any]]) -> dict[str, int]:
        """How many ``results`` ended in each outcome, every outcome named (zeros too)."""
        counted = Counter(str(r["outcome"]) for r in results)
        return {outcome: counted.get(outcome, 0) for outcome in self.outcomes}

    def of_run(
        self, counts: Mapping[str, int], results: list[dict[str, Any]]
    ) -> tuple[dict[str, float], dict[str, Any]]:
        """A finished run's metrics (each outcome's count by its metric's name, then the job's
        extras) and the job's extra properties."""
        extra_metrics, properties = self.extras(results)
        metrics: dict[str, float] = {self.outcomes[o]: n for o, n in counts.items()}
        return {**metrics, **extra_metrics}, properties

    def of_invocation(
        self, results: list[dict[str, Any]]
    ) -> tuple[dict[str, float], dict[str, Any]]:
        """What one queue invocation emits over its tickers' results (nothing for most jobs)."""
        return ({}, {}) if self.invocation is None else self.invocation(results)
