"""EMF lines from Powertools: the shape CloudWatch's embedded metric format requires, under the
namespace and the one dimension the template's alarms read."""

from __future__ import annotations

import json

import pytest

from cryptonic.jobs.aws.cloudwatch import DIMENSION, NAMESPACE, put_metrics


def _line(capsys: pytest.CaptureFixture[str]) -> dict:
    out = capsys.readouterr().out
    assert out.endswith("\n")
    assert out.count("\n") == 1  # one document per call
    return json.loads(out)


def test_a_line_declares_every_metric_and_the_function_dimension(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "stack-RetrainFunction-abc")
    put_metrics(
        {"TickersFailed": 2, "TickersPromoted": 1},
        properties={"failed_tickers": ["ETH-USD", "XYZ"], "run_id": "r1"},
    )
    doc = _line(capsys)
    [directive] = doc["_aws"]["CloudWatchMetrics"]
    assert isinstance(doc["_aws"]["Timestamp"], int)
    assert (directive["Namespace"], NAMESPACE) == ("cryptonic", "cryptonic")
    assert directive["Dimensions"] == [[DIMENSION]] == [["FunctionName"]]
    assert directive["Metrics"] == [
        {"Name": "TickersFailed", "Unit": "Count"},
        {"Name": "TickersPromoted", "Unit": "Count"},
    ]
    # Spec: every dimension and metric named in the directive is a top-level member.
    assert doc["FunctionName"] == "stack-RetrainFunction-abc"
    assert (doc["TickersFailed"], doc["TickersPromoted"]) == ([2.0], [1.0])
    assert (doc["failed_tickers"], doc["run_id"]) == (["ETH-USD", "XYZ"], "r1")


def test_a_job_reported_elsewhere_names_its_own_function(monkeypatch, capsys):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "stack-SweepFunction-abc")
    put_metrics({"TickersLost": 1}, function_name="stack-RefreshFunction-abc")
    assert _line(capsys)["FunctionName"] == "stack-RefreshFunction-abc"
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME")
    put_metrics({"TickersLost": 0})
    assert _line(capsys)["FunctionName"] == "local"


def test_a_service_name_in_the_environment_adds_no_dimension(monkeypatch, capsys):
    """Powertools would add ``service``: another metric, which no alarm reads."""
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "retrain")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "elsewhere")
    put_metrics({"TickersFailed": 0})
    doc = _line(capsys)
    [directive] = doc["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["FunctionName"]]
    assert directive["Namespace"] == "cryptonic"
    assert "service" not in doc


def test_names_cannot_collide_and_a_line_needs_a_metric(capsys):
    with pytest.raises(ValueError, match="used twice"):
        put_metrics({"FunctionName": 1})
    with pytest.raises(ValueError, match="used twice"):
        put_metrics({"TickersFailed": 1}, properties={"TickersFailed": "x"})
    with pytest.raises(ValueError, match="used twice"):
        put_metrics({"TickersFailed": 1}, properties={"_aws": {}})
    with pytest.raises(ValueError, match="at least one"):
        put_metrics({})
    assert capsys.readouterr().out == ""
