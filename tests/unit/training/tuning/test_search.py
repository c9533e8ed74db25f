"""The tuning search without training: the search space, the nested windows, what it prints."""

from __future__ import annotations

import pytest

from cryptonic.config import Settings
from cryptonic.errors import ConfigError, DataError
from cryptonic.training.evaluation.backtest import weekly_origins
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.tuning.search import (
    DEFAULT_SPACE,
    KNOBS,
    Trial,
    TuneResult,
    env_lines,
    leaderboard,
    parameter_overrides,
    parse_space,
    seed_means,
    spec_for,
    split_windows,
)

BEST = {
    "lookback_weeks": 12,
    "units": 64,
    "lstm_layers": 2,
    "activation": "relu",
    "dropout": 0.1,
    "recurrent_dropout": 0.0,
    "l1": 1e-5,
    "l2": 0.001,
    "learning_rate": 0.001,
    "batch_size": 128,
    "optimizer": "rmsprop",
    "epochs": 50,
}


def _result(trials: list[Trial]) -> TuneResult:
    done = [t for t in trials if t.objective is not None]
    return TuneResult(
        ticker="BTC-USD",
        sampler="random",
        objective_name="mape",
        seed=1,
        space={name: [value] for name, value in BEST.items()},
        trials=trials,
        best=min(done, key=lambda t: t.objective or 0.0) if done else None,
        seconds=1.0,
        windows={},
        base={},
    )


def test_the_default_space_searches_every_knob_but_epochs_and_holds_each_default():
    space = parse_space([])
    assert list(space) == list(DEFAULT_SPACE)
    assert "epochs" not in space
    default = ModelSpec()
    for name, values in space.items():
        assert getattr(default, KNOBS[name].spec_field) in values, name


def test_param_overrides_are_typed_and_can_add_epochs():
    space = parse_space(["units=4, 8", "activation=relu", "epochs=5,10", "learning-rate=1e-3"])
    assert space["units"] == [4, 8]
    assert space["activation"] == ["relu"]
    assert space["epochs"] == [5, 10]
    assert space["learning_rate"] == [0.001]


@pytest.mark.parametrize("bad", ["units", "units=", "neurons=4", "units=four"])
def test_bad_param_overrides_say_how(bad):
    with pytest.raises(ConfigError, match="--param"):
        parse_space([bad])


@pytest.mark.parametrize(("n", "backtest", "tune"), [(4400, 52, 52), (600, 3, 10), (300, 3, 3)])
def test_the_search_never_reads_a_close_of_the_backtest_window(n, backtest, tune):
    windows = split_windows(n, backtest, tune, min_history=100)
    # The backtest window is cryptonic backtest's (and the gate's) own.
    assert windows.backtest_origins == list(weekly_origins(n, backtest))
    assert len(windows.tune_origins) == tune
    # Every tuning forecast day, hence every close a trial reads, is at most the first
    # backtest origin: the last close the final backtest's fit is allowed to see.
    assert windows.tune_origins[-1] + 7 <= windows.backtest_origins[0] == windows.tune_end
    assert windows.tune_origins[0] >= 100 - 1


def test_windows_that_do_not_fit_are_a_data_error():
    with pytest.raises(DataError, match="tuning weeks"):
        split_windows(300, 10, 20, min_history=100)


def test_the_env_lines_mean_the_best_configuration(monkeypatch):
    result = _result([Trial(0, dict(BEST), 0.97, 1.0)])
    lines = env_lines(result)
    assert lines[0] == "LOOKBACK_WEEKS=12"
    for line in lines:
        name, value = line.split("=", 1)
        monkeypatch.setenv(name, value)
    assert ModelSpec.from_settings(Settings()) == spec_for(ModelSpec(), BEST)
    command = parameter_overrides(result)
    assert command.startswith("sam deploy --parameter-overrides LookbackWeeks=12 LstmUnits=64")
    assert "L1Penalty=1e-05" in command
    assert "Epochs=50" in command


def test_the_leaderboard_ranks_best_first_and_failures_last():
    trials = [
        Trial(0, dict(BEST), 1.02, 3.0),
        Trial(1, dict(BEST), None, 0.5, error="training diverged"),
        Trial(2, dict(BEST), 0.97, 2.0),
    ]
    table = leaderboard(_result(trials)).splitlines()
    assert table[0].split()[:3] == ["#", "TRIAL", "OBJECTIVE"]
    assert [line.split()[1] for line in table[1:]] == ["2", "0", "1"]
    assert "failed" in table[-1]
    with_default = _result(trials)
    with_default.default = Trial(-1, dict(BEST), 1.0, 2.5)
    table = leaderboard(with_default).splitlines()
    assert [line.split()[:2] for line in table[1:]] == [
        ["1", "2"],
        ["-", "default"],
        ["2", "0"],
        ["3", "1"],
    ]
    assert env_lines(_result([trials[1]])) == []


def test_the_final_backtest_reports_seed_means_and_the_mape_range():
    def row(model, mape, coverage):
        scores = {"mape": mape, "rmse": mape * 10, "skill": 1 - mape / 4, "width": None}
        return {"model": model, **scores, "coverage": coverage, "pinball": None}

    runs = [
        [row("persistence", 4.0, 0.8), row("tuned", 3.0, 0.7)],
        [row("persistence", 4.0, 0.8), row("tuned", 3.6, 0.9)],
    ]
    persistence, tuned = seed_means(runs)
    assert (persistence["model"], persistence["seeds"], persistence["mape"]) == (
        "persistence",
        2,
        4.0,
    )
    assert tuned["mape"] == pytest.approx(3.3)
    assert (tuned["mape_min"], tuned["mape_max"]) == (3.0, 3.6)
    assert tuned["coverage"] == pytest.approx(0.8)
    assert tuned["pinball"] is None  # not every seed has it: no mean
