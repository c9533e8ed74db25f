"""CloudWatch metrics from inside a Lambda function, as embedded metric format (EMF) log lines.

Lambda ships every stdout line to CloudWatch Logs, which turns a line carrying an ``_aws``
block into metrics: no PutMetricData call, no extra permission, no client library. The template's
alarms read these (namespace ``cryptonic``, dimension ``FunctionName``).
Specification: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from typing import IO, Any

NAMESPACE = "cryptonic"


def emf_line(
    metrics: Mapping[str, float],
    *,
    dimensions: Mapping[str, str],
    unit: str = "Count",
    properties: Mapping[str, Any] | None = None,
    timestamp_ms: int | None = None,
) -> str:
    """One EMF JSON object: the metric values at the top level, declared under ``_aws``.

    ``properties`` ride along as searchable fields that are not metrics (e.g. failing tickers).
    """
    if not metrics:
        raise ValueError("an EMF line needs at least one metric")
    overlap = set(metrics) & set(dimensions) | (set(properties or ()) & (set(metrics) | {"_aws"}))
    if overlap:
        raise ValueError(f"EMF names used twice: {sorted(overlap)}")
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [sorted(dimensions)],
                    "Metrics": [{"Name": name, "Unit": unit} for name in metrics],
                }
            ],
        },
        **dict(properties or {}),
        **dimensions,
        **{name: float(value) for name, value in metrics.items()},
    }
    return json.dumps(document, default=str)


def function_dimensions(function_name: str | None = None) -> dict[str, str]:
    """``FunctionName``: ``function_name`` when given (the sweeper reports a job's run under the
    job's function, where its alarms look), else this function's as Lambda names it (``local``
    outside Lambda)."""
    return {"FunctionName": function_name or os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")}


def put_metrics(
    metrics: Mapping[str, float],
    *,
    properties: Mapping[str, Any] | None = None,
    stream: IO[str] | None = None,
    function_name: str | None = None,
) -> None:
    """Write one EMF line to stdout (what Lambda forwards to CloudWatch), under this function's
    name or ``function_name``."""
    out = stream or sys.stdout
    dimensions = function_dimensions(function_name)
    out.write(emf_line(metrics, dimensions=dimensions, properties=properties) + "\n")
    out.flush()
