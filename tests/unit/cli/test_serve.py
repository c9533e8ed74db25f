"""`cryptonic serve` and `cryptonic run`: what they hand the local server (not started here), the
ports they refuse, and which first models `run` trains (the registry and the retrain faked)."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.cli.main import main
from cryptonic.config import Settings
from cryptonic.errors import NoModelError

UNTRAINABLE = {"AAPL": {"code": "data_unavailable", "message": "'AAPL' is not bundled"}}
"""Tickers the fake retrain fails, with the error it reports."""


class FakeRegistry:
    """The tickers that have a model: what ``resolve_version`` answers."""

    def __init__(self) -> None:
        self.models: set[str] = set()

    def resolve_version(self, ticker: str, pinned: str | None = None) -> str:
        if ticker not in self.models:
            raise NoModelError(f"no model for {ticker}")
        return f"{ticker}-v1"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    import cryptonic.jobs.retrain.first_models

    fake = FakeRegistry()
    monkeypatch.setattr(cryptonic.jobs.retrain.first_models, "open_registry", lambda uri: fake)
    return fake


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch, registry: FakeRegistry) -> list[tuple[Any, ...]]:
    """The server and the retrain, recorded instead of run; the retrain promotes a first model
    for every ticker but the UNTRAINABLE ones."""
    import cryptonic.api.local_server
    import cryptonic.jobs.retrain.first_models

    seen: list[tuple[Any, ...]] = []

    def serve(settings: Settings, host: str, port: int) -> None:
        seen.append(("serve", settings.store_uri, host, port))

    def run_retrain_event(event: dict[str, Any], settings: Settings) -> dict[str, Any]:
        seen.append(("retrain", event))
        results = []
        for ticker in event["tickers"]:
            error = UNTRAINABLE.get(ticker)
            if error is None:
                registry.models.add(ticker)
            results.append(
                {
                    "ticker": ticker,
                    "outcome": "failed" if error else "promoted",
                    "version": None if error else f"{ticker}-v1",
                    "reason": f"failed: {error['message']}" if error else "first model",
                    "error": error,
                    "seconds": 1.0,
                }
            )
        return {"ok": not any(r["error"] for r in results), "results": results}

    monkeypatch.setattr("cryptonic.cli.main.configure_logging", lambda **kw: None)
    monkeypatch.setattr(cryptonic.api.local_server, "serve", serve)
    monkeypatch.setattr(cryptonic.jobs.retrain.first_models, "run_retrain_event", run_retrain_event)
    return seen


def test_serve_serves_the_store_named_on_host_and_port(calls) -> None:
    assert main(["serve", "--store", "file:///tmp/models", "--port", "8123"]) == 0
    assert calls == [("serve", "file:///tmp/models", "127.0.0.1", 8123)]


@pytest.mark.parametrize("command", ["serve", "run"])
@pytest.mark.parametrize("port", ["0", "65536", "70000", "-1", "http"])
def test_a_port_outside_1_to_65535_is_a_usage_error(calls, capsys, command, port) -> None:
    """uvicorn would bind 70000 as 4464 after printing 70000, and 0 as a port the OS picks."""
    with pytest.raises(SystemExit) as exited:
        main([command, "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == (
        f"cryptonic {command}: error: argument --port: "
        f"expected a whole number from 1 to 65535, got '{port}'"
    )
    assert calls == []


def test_run_trains_only_the_tickers_without_a_model_then_serves(calls, registry, monkeypatch):
    monkeypatch.setenv("TICKERS", "BTC-USD,ETH-USD")
    registry.models.add("BTC-USD")
    assert main(["run", "--store", "file:///tmp/models", "--host", "0.0.0.0"]) == 0
    assert calls == [
        ("retrain", {"tickers": ["ETH-USD"], "force": True}),
        ("serve", "file:///tmp/models", "0.0.0.0", 8000),
    ]
    assert main(["run", "--store", "file:///tmp/models", "--port", "65535"]) == 0
    assert calls[2:] == [("serve", "file:///tmp/models", "127.0.0.1", 65535)]  # nothing to train


def test_run_serves_what_it_could_train_and_names_what_it_could_not(calls, monkeypatch, capsys):
    monkeypatch.setenv("TICKERS", "BTC-USD,AAPL")
    assert main(["run", "--port", "8150"]) == 0
    assert calls[-1][0] == "serve"
    out = capsys.readouterr().out
    assert "BTC-USD: promoted BTC-USD-v1 in 1.0 s" in out
    assert "AAPL: failed in 1.0 s\n" in out
    assert "  error [data_unavailable]: 'AAPL' is not bundled\n" in out
    assert out.splitlines()[-1] == "serving without a model for AAPL (503 no_model)"


def test_run_refuses_only_when_no_ticker_has_a_model(calls, monkeypatch, capsys):
    monkeypatch.setenv("TICKERS", "AAPL")
    assert main(["run", "--store", "file:///tmp/models"]) == 2
    assert [c[0] for c in calls] == ["retrain"]
    err = capsys.readouterr().err
    assert (
        err
        == "cryptonic: error [no_model]: nothing to serve: no model for AAPL in file:///tmp/models\n"
    )
