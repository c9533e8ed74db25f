"""The runner of a whole invocation, with a stand-in job: each ticker runs whatever the others
did, the outcomes are counted as metrics, and the invocation fails at the end naming each failed
ticker."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pydantic import BaseModel

from cryptonic.config import Settings, get_settings
from cryptonic.errors import ConfigError, RetrainFailedError
from cryptonic.jobs.runner import JobRunner, outcome_said
from cryptonic.jobs.runs.metrics import JobMetrics
from cryptonic.jobs.ticker_list import TICKERS_FILE
from cryptonic.store.contract import ArtifactStore


class Request(BaseModel):
    tickers: list[str] | None = None


def parse(event: Any) -> Request:
    if event == "bad":
        raise ConfigError("a bad request")
    return Request.model_validate(event or {})


def run_ticker(settings: Settings, store: ArtifactStore, ticker: str, request: Request) -> dict:
    error = {"code": "bad_data", "message": "a zero close"} if ticker.startswith("BAD") else None
    outcome = "failed" if error else "done"
    reason = f"failed: {error['message']}" if error else "all fine"
    return {"ticker": ticker, "outcome": outcome, "reason": reason, "error": error}


def extras(results: list[dict]) -> tuple[dict[str, float], dict[str, Any]]:
    return {"Extra": len(results)}, {"seen": [r["ticker"] for r in results]}


QUEUED: list[tuple[dict, Any]] = []


def queue(event: dict, *, context: Any = None) -> dict:
    QUEUED.append((event, context))
    return {"batchItemFailures": []}


class Context:
    """Lambda's context, as much of it as the runner reads: the time left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


RUNNER = JobRunner(
    job="retrain",
    log=logging.getLogger("cryptonic.test-runner"),
    parse=parse,
    run_ticker=run_ticker,
    queue=queue,
    metrics=JobMetrics({"done": "TickersDone", "failed": "TickersFailed"}, "TestRefused", extras),
    failure=RetrainFailedError,
)


@pytest.fixture
def env(monkeypatch, local_store):
    monkeypatch.setenv("STORE_URI", local_store.uri)
    monkeypatch.setenv("TICKERS", "BAD-USD,BTC-USD")
    get_settings.cache_clear()
    yield local_store
    get_settings.cache_clear()


def _emf(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_every_ticker_runs_and_the_summary_says_which_failed(local_store):
    settings = Settings(store_uri=local_store.uri, tickers=["BAD-USD", "BTC-USD"])
    summary = RUNNER.run({}, settings)
    assert summary["ok"] is False
    assert [r["ticker"] for r in summary["results"]] == ["BAD-USD", "BTC-USD"]
    assert RUNNER.run({"tickers": ["BTC-USD"]}, settings)["ok"] is True


def test_the_cli_way_never_raises_for_a_refused_request(local_store, caplog):
    settings = Settings(store_uri=local_store.uri)
    summary = RUNNER.run_reported("bad", settings)
    assert summary == {
        "ok": False,
        "error": {"code": "bad_config", "message": "a bad request"},
        "results": [],
    }
    assert "retrain request refused: a bad request" in caplog.text


def test_the_lambda_way_counts_then_raises_naming_each_failed_ticker(env, capsys, caplog):
    caplog.set_level(logging.INFO, "cryptonic.test-runner")
    with pytest.raises(RetrainFailedError) as caught:
        RUNNER.invoke(None)
    assert str(caught.value) == "1 of 2 tickers failed: BAD-USD: [bad_data] a zero close"
    [metrics] = _emf(capsys.readouterr().out)
    assert (metrics["TickersDone"], metrics["TickersFailed"], metrics["Extra"]) == ([1], [1], [2])
    assert metrics["failed_tickers"] == ["BAD-USD"]
    assert metrics["seen"] == ["BAD-USD", "BTC-USD"]
    [line] = [r for r in caplog.records if getattr(r, "counts", None)]
    assert line.getMessage() == "retrain run: {'TickersDone': 1, 'TickersFailed': 1, 'Extra': 2}"
    assert "retrain BTC-USD done: all fine" in caplog.text
    assert "retrain BAD-USD failed: a zero close" in caplog.text  # the outcome said once


def test_an_unusable_ticker_file_fails_the_invocation_after_the_tickers_ran(env, capsys):
    env.put_json(TICKERS_FILE, {"tickers": "not a list"})
    with pytest.raises(RetrainFailedError, match=f"{TICKERS_FILE} is not usable") as caught:
        RUNNER.invoke({"tickers": None})
    assert "1 of 2 tickers failed" in str(caught.value)
    [metrics] = _emf(capsys.readouterr().out)
    assert metrics["TickersDone"] == [1]


def test_a_refused_request_is_counted_and_raised_before_any_ticker(env, capsys):
    with pytest.raises(ConfigError, match="a bad request"):
        RUNNER.invoke("bad")
    [metrics] = _emf(capsys.readouterr().out)
    assert metrics["TestRefused"] == [1]
    assert "TickersDone" not in metrics


def test_sqs_records_go_to_the_queue_consumer_with_the_context(env):
    event = {"Records": [{"eventSource": "aws:sqs", "messageId": "m", "body": "{}"}]}
    context = Context(60)
    assert RUNNER.invoke(event, context) == {"batchItemFailures": []}
    assert QUEUED[-1] == (event, context)


def test_a_ticker_starts_only_if_the_time_left_can_hold_it(env, capsys):
    """Too little time left: not started (``no_time``), and the invocation fails so that
    Lambda's retry runs it; nothing is half done."""
    with pytest.raises(RetrainFailedError, match="no_time"):
        RUNNER.invoke({"tickers": ["BTC-USD"]}, Context(30))  # the retrain needs 120 s
    [metrics] = _emf(capsys.readouterr().out)
    assert (metrics["TickersDone"], metrics["TickersFailed"]) == ([0], [1])


@pytest.mark.parametrize(
    ("outcome", "reason", "said"),
    [
        ("failed", "failed: a zero close", "failed: a zero close"),
        (
            "kept",
            "not promoted: worse than the champion",
            "kept: not promoted: worse than the champion",
        ),
        ("done", "done", "done"),
        ("done", "", "done"),
    ],
)
def test_the_log_line_says_the_outcome_once(outcome, reason, said):
    assert outcome_said(outcome, reason) == said
