"""`cryptonic retrain`: the request it makes of the retrain job and how it prints each outcome
(the job itself is replaced: tests/integration/cli/test_retrain.py runs it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cryptonic.cli.main import main
from cryptonic.config import Settings
from cryptonic.errors import ConfigError
from cryptonic.jobs.retrain.one_ticker import RetrainResult
from cryptonic.jobs.runner import JobRunner


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The retrain's events, answered with one result of each outcome, instead of run."""
    seen: list[dict[str, Any]] = []
    error = {"code": "data_unavailable", "message": "'AAPL' is not bundled"}
    results = [
        RetrainResult("BTC-USD", version="v2", promoted=True, reason="beats it", seconds=3.0),
        RetrainResult("ETH-USD", version="v3", reason="worse than the champion", seconds=2.0),
        RetrainResult("SOL-USD", skipped=True, reason="no new data", seconds=0.5),
        RetrainResult("AAPL", error=error, reason=f"failed: {error['message']}"),
    ]

    def run(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
        seen.append(event)
        return {"ok": False, "results": [r.to_dict() for r in results]}

    monkeypatch.setattr("cryptonic.cli.main.configure_logging", lambda **kw: None)
    monkeypatch.setattr(JobRunner, "run", lambda self, event, settings=None: run(event, settings))
    return seen


def test_each_ticker_is_printed_with_its_real_outcome(events, capsys) -> None:
    assert main(["retrain"]) == 1
    heads = [line for line in capsys.readouterr().out.splitlines() if not line.startswith(" ")]
    assert heads == [
        "BTC-USD: promoted v2 in 3.0 s",
        "ETH-USD: rejected v3 in 2.0 s",
        "SOL-USD: skipped in 0.5 s",
        "AAPL: failed in 0.0 s",
    ]


def test_a_failed_ticker_shows_its_reason_and_error_code(events, capsys) -> None:
    main(["retrain"])
    out = capsys.readouterr().out
    assert "  failed: 'AAPL' is not bundled\n" in out
    assert "  error [data_unavailable]: 'AAPL' is not bundled\n" in out


def test_without_ticker_every_ticker_of_tickers_runs(events, monkeypatch) -> None:
    monkeypatch.setenv("TICKERS", "BTC-USD,AAPL")
    main(["retrain"])
    main(["retrain", "--ticker", "ETH-USD", "--force"])
    assert events == [
        {"tickers": ["BTC-USD", "AAPL"], "force": False},
        {"tickers": ["ETH-USD"], "force": True},
    ]


def test_a_refused_request_is_our_one_line_error(monkeypatch, capsys) -> None:
    def refuse(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
        raise ConfigError("STORE_URI: 'ftp://x' is not a store this service can use")

    monkeypatch.setattr("cryptonic.cli.main.configure_logging", lambda **kw: None)
    monkeypatch.setattr(
        JobRunner, "run", lambda self, event, settings=None: refuse(event, settings)
    )
    assert main(["retrain"]) == 2
    assert capsys.readouterr().err == (
        "cryptonic: error [bad_config]: STORE_URI: 'ftp://x' is not a store this service can use\n"
    )
    assert main(["retrain", "--json"]) == 1  # the JSON reader gets the refusal in the summary
    summary = json.loads(capsys.readouterr().out)
    assert summary["error"]["code"] == "bad_config"
    assert summary["results"] == []
