"""functions/retrain/app.handler driven by the shipped event files, against moto S3 and local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cryptonic.config import get_settings
from cryptonic.registry import Registry
from cryptonic.store import open_store
from tests.fixtures.retrain import TINY_SETTINGS

pytestmark = pytest.mark.slow
EVENTS = Path(__file__).parents[2] / "infra" / "events"


@pytest.fixture
def handler(monkeypatch, prices_csv, store_uri):
    """The real handler, configured through the environment the way Lambda configures it."""
    env = {
        "STORE_URI": store_uri,
        "DATA_SOURCE": str(prices_csv),
        "EPOCHS": str(TINY_SETTINGS["epochs"]),
        "LOOKBACK_WEEKS": str(TINY_SETTINGS["lookback_weeks"]),
        "BACKTEST_WEEKS": str(TINY_SETTINGS["backtest_weeks"]),
        "TICKERS": "BTC-USD",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    from functions.retrain.app import handler

    yield handler
    get_settings.cache_clear()


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_scheduled_event_retrains_every_configured_ticker(handler, store_uri):
    summary = handler(_event("retrain-scheduled.json"), None)
    assert summary["ok"] is True
    [result] = summary["results"]
    assert result["ticker"] == "BTC-USD"
    assert result["promoted"] is True
    assert set(result) >= {"ticker", "version", "promoted", "reason", "metrics", "champion"}
    assert result["metrics"]["persistence"]["skill"] == 0.0
    assert Registry(open_store(store_uri)).champion("BTC-USD").version == result["version"]
    json.dumps(summary)  # the Lambda runtime must be able to serialize it


def test_direct_invoke_then_no_new_data(handler):
    first = handler(_event("retrain-direct.json"), None)["results"][0]
    again = handler(_event("retrain-direct.json"), None)["results"][0]
    assert first["promoted"]
    assert again["skipped"]
    assert "no new data" in again["reason"]
    forced = handler({"ticker": "BTC-USD", "force": True, "strategy": "continue"}, None)
    assert forced["results"][0]["strategy"] == "continue"


def test_bad_payload_is_a_clear_error_result_not_an_exception(handler, store_uri):
    summary = handler({"ticker": "BTC-USD", "forse": True}, None)
    assert summary["ok"] is False
    assert summary["results"] == []
    assert summary["error"]["code"] == "bad_config"
    assert "forse" in summary["error"]["message"]
    assert Registry(open_store(store_uri)).champion("BTC-USD") is None


def test_one_failing_ticker_does_not_stop_the_others(handler, monkeypatch):
    monkeypatch.setenv("DATA_SOURCE", "bundled")  # the snapshot has BTC-USD only
    get_settings.cache_clear()
    summary = handler({"tickers": ["ETH-USD", "BTC-USD"]}, None)
    eth, btc = summary["results"]
    assert summary["ok"] is False
    assert eth["error"]["code"] == "bad_data"
    assert eth["version"] is None
    assert "BTC-USD" in eth["error"]["message"]
    assert btc["error"] is None
    assert btc["promoted"]


def test_handler_logs_structured_json_lines(handler, capfd):
    handler(_event("retrain-direct.json"), None)
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")
    ]
    summaries = [line for line in lines if line.get("logger") == "cryptonic.retrain"]
    assert summaries
    assert summaries[-1]["outcome"] == "promoted"
    assert summaries[-1]["summary"]["ticker"] == "BTC-USD"
