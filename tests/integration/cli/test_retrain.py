"""`cryptonic retrain` in-process (cryptonic.cli.retrain): what it publishes is what `models`
lists and `predict` serves."""

from __future__ import annotations

import json

import pytest

from cryptonic.cli.main import main
from cryptonic.forecast.freshness import parse_timestamp
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


def test_retrain_then_models_list_then_predict(prices_csv, local_store_uri, capsys, monkeypatch):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    args = ["--store", local_store_uri, "--data", str(prices_csv)]
    assert main(["retrain", *args, *TINY]) == 0
    assert "promoted" in capsys.readouterr().out
    assert main(["models", "list", "--store", local_store_uri]) == 0
    listing = capsys.readouterr().out
    assert "*" in listing
    assert "new" in listing
    assert main(["predict", *args, "--json"]) == 0
    forecast = json.loads(capsys.readouterr().out)
    assert len(forecast["result"]) == 7
    assert forecast["model_version"]
    assert parse_timestamp(forecast["generated_at"]) is not None  # when it was computed
    assert forecast["interval_level"] == pytest.approx(0.8)
    for item in forecast["result"]:
        assert item["lower"] <= item["prediction"] <= item["upper"]
    assert main(["predict", *args]) == 0
    assert "80% interval" in capsys.readouterr().out
