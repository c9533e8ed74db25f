"""What ``cryptonic tune`` prints: the leaderboard, the best configuration as env lines and SAM
arguments, the terminal report, the per-trial log line and the ``--json`` document."""

from __future__ import annotations

import io
import json

from cryptonic.config import Settings
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.tuning.report import (
    env_lines,
    leaderboard,
    parameter_overrides,
    print_trial,
    report_text,
    to_json,
)
from cryptonic.training.tuning.search import Trial, TuneResult
from cryptonic.training.tuning.space import spec_for

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
WINDOWS = {
    "tune": {"first_origin": "2024-01-07", "last_day": "2024-01-28", "weeks": 3},
    "backtest": {"first_origin": "2024-01-28", "last_day": "2024-02-18", "weeks": 3},
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
        windows=WINDOWS,
        base={},
    )


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
    assert [line.split()[1] for line in leaderboard(_result(trials), top=1).splitlines()[1:]] == [
        "2"
    ]


def test_the_report_says_the_windows_the_best_the_backtest_and_how_to_deploy_it():
    result = _result([Trial(0, dict(BEST), 0.97, 1.0), Trial(1, dict(BEST), 1.1, 1.0)])
    result.default = Trial(-1, dict(BEST), 1.0, 1.0)
    row = {"model": "tuned", "seeds": 2, "mape": 3.3, "mape_min": 3.0, "mape_max": 3.6}
    scores = {"rmse": 1234.5, "skill": 0.1, "coverage": 0.8, "pinball": None}
    served = {"adaptive_coverage": 0.79, "adaptive_pinball_skill": -0.012}
    result.backtest = [{**row, **scores, **served}]
    result.backtest_by_seed = {"1": [], "2": []}
    text = report_text(result)
    header, tuned = next(
        (line, following)
        for line, following in zip(text.splitlines(), text.splitlines()[1:], strict=False)
        if "A-COVER" in line
    )
    assert header.split()[-2:] == ["A-COVER", "A-P-SKILL"]
    assert tuned.split()[-2:] == ["79%", "-0.012"]
    assert "BTC-USD: 2 trials (0 failed) of random search" in text
    assert "tuning window: 3 weeks from 2024-01-07 to 2024-01-28" in text
    assert "best: trial 0, objective 0.9700" in text
    assert "today's default on the same tuning window: objective 1.0000" in text
    assert "(seeds 1, 2; means)" in text
    assert "3.000..3.600" in text
    assert "LOOKBACK_WEEKS=12" in text
    assert text.endswith(parameter_overrides(result))


def test_a_search_without_a_finished_trial_recommends_nothing():
    text = report_text(_result([Trial(0, dict(BEST), None, 1.0, error="diverged")]))
    assert "(1 failed)" in text
    assert text.endswith("no trial finished: nothing to recommend")


def test_one_line_per_trial_for_the_logs():
    stream = io.StringIO()
    print_trial(Trial(0, dict(BEST), 0.97, 1.25), 20, stream)
    print_trial(Trial(1, dict(BEST), None, 0.5, error="diverged"), 20, stream)
    assert stream.getvalue().splitlines() == [
        "trial 1/20: objective 0.9700 (1.2 s)",
        "trial 2/20: failed: diverged (0.5 s)",
    ]


def test_the_json_document_holds_every_trial_and_the_best():
    result = _result([Trial(0, dict(BEST), 0.97, 1.0), Trial(1, dict(BEST), 1.1, 1.0)])
    document = json.loads(to_json(result))
    assert [t["number"] for t in document["trials"]] == [0, 1]
    assert document["best"] == document["trials"][0]
    assert document["windows"] == WINDOWS
    assert document["default"] is None
