"""``cryptonic tune`` on fixture prices with tiny models: the command's outputs, the grid and
the budgets, and reproducibility (same seed, same trials, same best)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cryptonic.cli.main import main
from cryptonic.config import Settings
from cryptonic.training.tuning.search import tune
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow

SMALL = ["--param", "units=4", "--param", "lookback_weeks=2", "--param", "lstm_layers=1"]
SMALL += ["--param", "batch_size=128", "--param", "recurrent_dropout=0"]


def test_tune_prints_the_leaderboard_the_config_and_the_nested_backtest(
    prices_csv, tmp_path, capsys
):
    saved, plot, board = tmp_path / "tune.json", tmp_path / "tune.png", tmp_path / "tb"
    argv = ["tune", "--data", str(prices_csv), "--trials", "2", "--epochs", "2", *SMALL]
    argv += ["--weeks", "3", "--tune-weeks", "3", "--seed", "5"]
    argv += ["--save", str(saved), "--plot", str(plot), "--tensorboard", str(board)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    result = json.loads(saved.read_text())
    # --json's document: every trial with its params, objective and seconds, and the best
    assert len(result["trials"]) == 2
    for trial in result["trials"]:
        assert set(trial) >= {"params", "objective", "seconds"}
        assert set(trial["params"]) >= {"dropout", "learning_rate", "optimizer", "units"}
        assert trial["objective"] > 0
        assert trial["seconds"] > 0
    best = min(result["trials"], key=lambda t: t["objective"])
    assert result["best"] == best
    # today's default, scored on the same tuning window, is the bar (not a trial)
    assert result["default"]["number"] == -1
    assert result["default"]["params"]["units"] == 32
    assert result["default"]["objective"] > 0
    # The nested report: the tuned and the default on the backtest window, after it
    assert result["windows"]["tune"]["last_day"] <= result["windows"]["backtest"]["first_origin"]
    assert [r["model"] for r in result["backtest"]] == ["persistence", "default", "tuned"]
    assert list(result["backtest_by_seed"]) == ["5"]
    assert result["backtest"][2]["mape"] == result["backtest_by_seed"]["5"][2]["mape"]
    # The terminal: leaderboard, backtest table, env lines, sam arguments
    assert "OBJECTIVE" in out
    assert "tuned" in out
    assert f"LEARNING_RATE={best['params']['learning_rate']:g}" in out
    assert "sam deploy --parameter-overrides LookbackWeeks=2 LstmUnits=4 LstmLayers=1 " in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # TensorBoard: one run per trial, and the two fits of the final backtest
    [run] = list(board.iterdir())
    fits = {p.relative_to(run).parts[0] for p in run.rglob("events.out.tfevents.*")}
    trials = {"trial-000", "trial-001", "tune-default"}
    assert fits == {*trials, "final-default", "final-tuned"}


def _tune(**kwargs):
    frame = make_prices(300, seed=2)
    settings = Settings(epochs=1, backtest_weeks=3, seed=kwargs.pop("seed", 9))
    space = kwargs.pop(
        "space",
        {
            "units": [4],
            "lookback_weeks": [2],
            "dropout": [0.0, 0.1, 0.2],
            "learning_rate": [1e-4, 3e-4, 1e-3],
        },
    )
    return tune(
        frame["close"].to_numpy(dtype=np.float64),
        [d.date() for d in frame["date"]],
        settings,
        space=space,
        tune_weeks=3,
        final_backtest=False,
        include_default=False,
        **kwargs,
    )


def test_same_seed_same_trials_and_best():
    first, second = _tune(trials=2), _tune(trials=2)
    assert [t.params for t in first.trials] == [t.params for t in second.trials]
    assert [t.objective for t in first.trials] == [t.objective for t in second.trials]
    assert first.best is not None
    assert second.best is not None
    assert (first.best.params, first.best.objective) == (second.best.params, second.best.objective)


def test_grid_search_tries_each_point_once_and_stops_when_done():
    result = _tune(trials=10, sampler="grid", space={"units": [4], "lookback_weeks": [2, 3]})
    assert result.sampler == "grid"
    assert sorted(t.params["lookback_weeks"] for t in result.trials) == [2, 3]


def test_the_wall_time_budget_stops_starting_trials():
    result = _tune(trials=50, timeout=0.01)
    assert len(result.trials) == 1
