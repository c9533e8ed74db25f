"""functions/retrain/app.handler driven by the shipped event files, against moto S3 and local.

What is under test is the handler (events, metrics, logs, failures), not how a model learns: each
retrain publishes a model trained once (tests/fixtures/retrain.py, ``retrain_without_fits``).
"""

from __future__ import annotations

import json

import pytest

from cryptonic.config import get_settings
from cryptonic.errors import ConfigError, RetrainFailedError
from cryptonic.registry.registry import Registry
from cryptonic.store.uri import open_store
from tests.fixtures.paths import EVENTS
from tests.fixtures.retrain import TINY_SETTINGS

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("retrain_without_fits")]


@pytest.fixture
def handler(monkeypatch, prices_csv, store_uri, lambda_context):
    """The real handler, configured through the environment the way Lambda configures it; each
    call is one invocation, with its own Lambda context."""
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

    yield lambda event: handler(event, lambda_context("cryptonic-retrain"))
    get_settings.cache_clear()


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_scheduled_event_retrains_every_configured_ticker(handler, store_uri):
    summary = handler(_event("retrain-scheduled.json"))
    assert summary["ok"] is True
    [result] = summary["results"]
    assert result["ticker"] == "BTC-USD"
    assert result["promoted"] is True
    assert set(result) >= {"ticker", "version", "promoted", "reason", "metrics", "champion"}
    assert result["metrics"]["persistence"]["skill"] == 0.0
    assert Registry(open_store(store_uri)).champion("BTC-USD").version == result["version"]
    json.dumps(summary)  # the Lambda runtime must be able to serialize it


def test_direct_invoke_forces_a_retrain_and_the_schedule_skips_without_new_data(handler):
    first = handler(_event("retrain-direct.json"))["results"][0]
    again = handler(_event("retrain-scheduled.json"))["results"][0]
    forced = handler(_event("retrain-direct.json"))["results"][0]
    assert first["promoted"]
    assert again["skipped"]
    assert "no new data" in again["reason"]
    assert not forced["skipped"]
    assert forced["version"] not in (None, first["version"])
    continued = handler({"ticker": "BTC-USD", "force": True, "strategy": "continue"})
    assert continued["results"][0]["strategy"] == "continue"


def test_bad_payload_fails_fast_with_a_clear_message(handler, store_uri, capsys):
    """Raised before any ticker runs, so the invocation fails and lands in the dead-letter queue."""
    with pytest.raises(ConfigError, match="forse") as caught:
        handler({"ticker": "BTC-USD", "forse": True})
    assert caught.value.code == "bad_config"
    assert Registry(open_store(store_uri)).champion("BTC-USD") is None
    [metrics] = _emf_lines(capsys.readouterr().out)
    assert metrics["RetrainRequestsRefused"] == [1]


def test_a_failing_ticker_raises_after_the_others_finished(handler, monkeypatch, store_uri, capsys):
    monkeypatch.setenv("DATA_SOURCE", "bundled")  # the snapshot has BTC-USD only
    get_settings.cache_clear()
    with pytest.raises(RetrainFailedError) as caught:
        handler({"tickers": ["ETH-USD", "BTC-USD"]})
    message = str(caught.value)
    assert message.startswith("1 of 2 tickers failed: ETH-USD: [bad_data]")
    assert "BTC-USD" not in message.split("ETH-USD", 1)[0]
    champion = Registry(open_store(store_uri)).champion("BTC-USD")
    assert champion is not None  # BTC-USD ran after the failure and was promoted
    [metrics] = _emf_lines(capsys.readouterr().out)
    assert (metrics["TickersFailed"], metrics["TickersPromoted"]) == ([1], [1])
    assert (metrics["TickersRejected"], metrics["TickersSkipped"]) == ([0], [0])
    assert metrics["failed_tickers"] == ["ETH-USD"]
    assert metrics["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["FunctionName"]]


def test_skipped_and_rejected_tickers_are_not_failures(handler, capsys):
    handler(_event("retrain-direct.json"))
    again = handler({"ticker": "BTC-USD"})  # no new data: skipped, not failed
    assert again["results"][0]["outcome"] == "skipped"
    *_, metrics = _emf_lines(capsys.readouterr().out)
    assert (metrics["TickersSkipped"], metrics["TickersFailed"]) == ([1], [0])


def _emf_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith('{"_aws"')]


def test_handler_logs_structured_json_lines(handler, capfd):
    """Powertools' Logger: every line of the invocation names its request and function."""
    handler(_event("retrain-direct.json"))
    # Native libraries' lines are wrapped only under a Lambda runtime (tests/e2e/infra).
    err = capfd.readouterr().err.splitlines()
    lines = [json.loads(line) for line in err if line.startswith("{")]
    ours = [line for line in lines if str(line.get("name")).startswith("cryptonic.")]
    assert {line["function_name"] for line in ours} == {"cryptonic-retrain"}
    assert len({line["function_request_id"] for line in ours}) == 1
    assert {line["service"] for line in ours} == {"cryptonic"}
    retrain = [line for line in ours if line["name"] == "cryptonic.retrain"]
    [ticker] = [line for line in retrain if "summary" in line]
    assert ticker["outcome"] == "promoted"
    assert ticker["summary"]["ticker"] == "BTC-USD"
    [run] = [line for line in retrain if "counts" in line]
    assert run["counts"]["TickersPromoted"] == 1
    assert run["ok"] is True
    assert "run_id" not in run  # a direct invoke is not a fanned-out run: no ledger, no run id
