"""CloudWatch metrics from inside a job's Lambda function: Powertools' Metrics, as embedded
metric format (EMF) lines on stdout.

Lambda ships every stdout line to CloudWatch Logs, which turns a line carrying an ``_aws``
block into metrics: no PutMetricData call, no extra permission. The template's alarms read these
(namespace ``cryptonic``, dimension ``FunctionName`` alone).

Each call is one EMF document of its own (Powertools' ``EphemeralMetrics``), not the shared
``Metrics`` flushed once per invocation: the sweeper reports each run it closes under that job's
function name (where its alarms look) and its own counts under its own, and each finished run's
line carries that run's properties (its id, its failed tickers). No ``service`` dimension: a
metric with one more dimension is another metric, which the alarms would not see, so the
``POWERTOOLS_SERVICE_NAME`` of an environment never reaches these lines.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

__all__ = ["DIMENSION", "NAMESPACE", "put_metrics"]

NAMESPACE: Final = "cryptonic"
DIMENSION: Final = "FunctionName"


def put_metrics(
    metrics: Mapping[str, float],
    *,
    properties: Mapping[str, Any] | None = None,
    function_name: str | None = None,
) -> None:
    """One EMF line on stdout: ``metrics`` (counts) under ``FunctionName`` = ``function_name``
    (the sweeper reports a job's run under the job's function), else this function's as Lambda
    names it (``local`` outside Lambda); ``properties`` ride along as searchable fields that are
    not metrics (e.g. the failed tickers). Raises ValueError for no metric or a name used twice."""
    if not metrics:
        raise ValueError("an EMF line needs at least one metric")
    names = [*metrics, *(properties or ())]
    overlap = {n for n in names if names.count(n) > 1} | (set(names) & {DIMENSION, "_aws"})
    if overlap:
        raise ValueError(f"EMF names used twice: {sorted(overlap)}")
    # service "": no service dimension, whatever POWERTOOLS_SERVICE_NAME says (see above)
    emf = EphemeralMetrics(namespace=NAMESPACE, service="")
    emf.add_dimension(
        name=DIMENSION,
        value=function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
    )
    for name, value in metrics.items():
        emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
    for key, value in (properties or {}).items():
        emf.add_metadata(key=key, value=value)
    emf.flush_metrics(raise_on_empty_metrics=True)
