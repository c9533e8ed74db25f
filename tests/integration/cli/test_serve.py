"""`cryptonic run` in-process (cryptonic.cli.serve) with a real first training: a ticker it cannot
train is named with its error's code and the others are served (the server is not started)."""

from __future__ import annotations

from typing import Any

import pytest

from cryptonic.cli.main import main
from cryptonic.config import Settings
from cryptonic.data import to_yahoo_csv
from tests.fixtures.prices import make_prices
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


def test_run_serves_the_tickers_it_could_train(tmp_path, local_store_uri, capsys, monkeypatch):
    import cryptonic.api.local_server

    served: list[Any] = []

    def serve(settings: Settings, host: str, port: int) -> None:
        served.append((settings.tickers, port))

    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "BTC-USD.csv").write_bytes(to_yahoo_csv(make_prices(300)))  # AAPL has none
    monkeypatch.setattr(cryptonic.api.local_server, "serve", serve)
    monkeypatch.setenv("CRYPTONIC_OFFLINE", "1")
    monkeypatch.setenv("TICKERS", "BTC-USD,AAPL")
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    args = ["run", "--store", local_store_uri, "--data", f"{folder}/", "--port", "8150", *TINY]
    assert main(args) == 0
    assert served == [(["BTC-USD", "AAPL"], 8150)]
    out = capsys.readouterr().out
    assert "BTC-USD: promoted " in out
    assert "AAPL: failed in " in out
    assert "  error [data_unavailable]: " in out
    assert out.splitlines()[-1] == "serving without a model for AAPL (503 no_model)"
