"""The retrain's outcomes and their metrics, in one place: the invocation, the queue consumer and
the run ledger count the same words under the same metric names."""

from __future__ import annotations

from typing import Any, Final, Literal

from cryptonic.jobs.runs.metrics import JobMetrics

Outcome = Literal["promoted", "rejected", "skipped", "failed", "lost"]
"""``promoted``: a new champion. ``rejected``: published, the champion kept (the gate said no).
``skipped``: nothing to do, a published training already has its verdict (retrain.skip).
``failed``: see ``error`` (a lost promotion race too, though its version is published).
``lost``: no result ever came (never delivered, or its last attempt died): the sweeper's word
when it closes the run (cryptonic.jobs.sweeper)."""

OUTCOME_METRICS: Final[dict[str, str]] = {
    "promoted": "TickersPromoted",
    "rejected": "TickersRejected",
    "skipped": "TickersSkipped",
    "failed": "TickersFailed",
    "lost": "TickersLost",
}
"""EMF metric of each outcome, one data point per run (template.yaml alarms on TickersFailed)."""
REFUSED_METRIC: Final = "RetrainRequestsRefused"
"""A retrain request refused before any ticker ran (a bad payload, unusable settings)."""

FALLBACK_METRIC: Final = "TickersOnFallback"
"""Tickers trained on a fallback source's closes (their own source did not answer): a metric, not
an alarm; the manifest's ``data.source`` and ``data.passed_over`` say which and why."""


def fallback_trainings(results: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    """What a retrain run adds to its report: how many tickers a fallback source fed, and which."""
    tickers = sorted(r["ticker"] for r in results if r.get("fallback"))
    return {FALLBACK_METRIC: len(tickers)}, {"fallback_tickers": tickers}


METRICS: Final = JobMetrics(OUTCOME_METRICS, REFUSED_METRIC, fallback_trainings)
