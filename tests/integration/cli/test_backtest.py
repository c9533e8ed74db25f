"""`cryptonic backtest` in-process (cryptonic.cli.backtest), on fixture data."""

from __future__ import annotations

import json

import pytest

from cryptonic.cli.main import main
from tests.integration.cli import TINY

pytestmark = pytest.mark.slow


def test_backtest_json_shape(prices_csv, capsys, monkeypatch):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    monkeypatch.setenv("CALIBRATION_STEP", "0.2")
    code = main(["backtest", "--data", str(prices_csv), "--weeks", "3", "--json", *TINY])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["window"]["weeks"] == 3
    assert report["ticker"] == "BTC-USD"
    models = {(r["model"], r["protocol"]) for r in report["rows"]}
    assert models == {
        ("persistence", "honest"),
        ("drift", "honest"),
        ("garch", "honest"),
        ("default", "honest"),
    }
    rows = {r["model"]: r for r in report["rows"]}
    for row in report["rows"]:
        assert set(row) >= {"model", "protocol", "mape", "rmse", "skill"}
        assert set(row) >= {"coverage", "interval_level", "pinball", "pinball_skill"}
    for name in ("persistence", "garch", "default"):
        assert 0.0 <= rows[name]["coverage"] <= 1.0
        assert rows[name]["interval_level"] == pytest.approx(0.8)
        assert rows[name]["pinball"] > 0
        assert len(rows[name]["coverage_by_horizon"]) == 7
        assert 0.0 <= rows[name]["adaptive_coverage"] <= 1.0
        assert rows[name]["adaptive_step"] == 0.2  # CALIBRATION_STEP
        assert len(rows[name]["adaptive_scales"]) == 7
    assert rows["persistence"]["pinball_skill"] == 0.0
    assert rows["drift"]["coverage"] is None
    assert rows["drift"]["pinball_skill"] is None


def test_backtest_table_and_plot(prices_csv, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LOOKBACK_WEEKS", "2")
    plot = tmp_path / "bt.png"
    assert (
        main(["backtest", "--data", str(prices_csv), "--weeks", "2", "--plot", str(plot), *TINY])
        == 0
    )
    out = capsys.readouterr().out
    assert "persistence" in out
    assert "skill" in out
    assert "a-cover" in out
    assert "cover adaptive" in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
