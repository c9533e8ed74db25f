"""EMF lines: the shape CloudWatch's embedded metric format specification requires."""

from __future__ import annotations

import io
import json

import pytest

from cryptonic.jobs.cloudwatch import NAMESPACE, emf_line, put_metrics


def test_emf_line_declares_every_metric_and_dimension():
    doc = json.loads(
        emf_line(
            {"TickersFailed": 2, "TickersPromoted": 1},
            dimensions={"FunctionName": "stack-retrain"},
            properties={"failed_tickers": ["ETH-USD", "XYZ"]},
            timestamp_ms=1_700_000_000_000,
        )
    )
    [directive] = doc["_aws"]["CloudWatchMetrics"]
    assert doc["_aws"]["Timestamp"] == 1_700_000_000_000
    assert directive["Namespace"] == NAMESPACE
    assert directive["Dimensions"] == [["FunctionName"]]
    assert directive["Metrics"] == [
        {"Name": "TickersFailed", "Unit": "Count"},
        {"Name": "TickersPromoted", "Unit": "Count"},
    ]
    # Spec: every dimension and metric named in the directive is a top-level member.
    assert doc["FunctionName"] == "stack-retrain"
    assert (doc["TickersFailed"], doc["TickersPromoted"]) == (2.0, 1.0)
    assert doc["failed_tickers"] == ["ETH-USD", "XYZ"]


def test_names_cannot_collide():
    with pytest.raises(ValueError, match="used twice"):
        emf_line({"FunctionName": 1}, dimensions={"FunctionName": "f"})
    with pytest.raises(ValueError, match="at least one"):
        emf_line({}, dimensions={"FunctionName": "f"})


def test_put_metrics_names_the_lambda_function(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "cryptonic-RetrainFunction-abc")
    out = io.StringIO()
    put_metrics({"TickersFailed": 0}, stream=out)
    line = out.getvalue()
    assert line.endswith("\n")
    assert line.count("\n") == 1
    assert json.loads(line)["FunctionName"] == "cryptonic-RetrainFunction-abc"
