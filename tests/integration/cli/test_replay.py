"""`cryptonic replay` in-process (cryptonic.cli.replay), on fixture data."""

from __future__ import annotations

import pytest

from cryptonic.cli.main import main
from tests.fixtures.prices import make_prices
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


def test_replay_retrains_weekly_refreshes_daily_and_prints_the_record(
    prices_csv, local_store_uri, capsys, monkeypatch
):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("BACKTEST_WEEKS", "2")
    args = ["--store", local_store_uri, "--data", str(prices_csv), *TINY]
    assert main(["replay", "--weeks", "1", *args]) == 0
    out = capsys.readouterr().out
    dates = [ts.date() for ts in make_prices(300)["date"]]
    assert f"replayed {dates[-8]} .. {dates[-1]}: 2 weekly retrains, 8 daily refreshes" in out
    assert "| **all** | 8 | 28 |" in out  # 8 served forecasts, 7+6+...+1+0 days scored
    # the quantile model's interval, scored on the same 28 days, as fitted and as served
    # (adapted from the live record): two shares in whole percent
    assert "| coverage, fit-time band | coverage, adaptive band |" in out
    [total] = [line for line in out.splitlines() if line.startswith("| **all** |")]
    fit, adaptive = total.rstrip(" |").split(" | ")[-2:]
    assert fit.endswith("%")
    assert adaptive.endswith("%")
    assert main(["replay", "--weeks", "1", *args]) == 2  # never over an existing history
    assert "already has versions" in capsys.readouterr().err
