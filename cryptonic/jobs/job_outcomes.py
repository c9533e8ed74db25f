"""Each job's metrics (its outcomes in their order, and their metric names) by the job's name:
for what reads or closes the runs of either job (the sweeper, ``cryptonic runs``)."""

from __future__ import annotations

from typing import Final

from cryptonic.jobs.refresh.outcomes import METRICS as REFRESH_METRICS
from cryptonic.jobs.retrain.outcomes import METRICS as RETRAIN_METRICS
from cryptonic.jobs.runs.ledger import Job
from cryptonic.jobs.runs.metrics import JobMetrics

__all__ = ["METRICS_OF"]

METRICS_OF: Final[dict[Job, JobMetrics]] = {"retrain": RETRAIN_METRICS, "refresh": REFRESH_METRICS}
