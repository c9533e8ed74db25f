"""The search's own arithmetic, without training: the final backtest's means over seeds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cryptonic.config import Settings
from cryptonic.errors import ConfigError
from cryptonic.forecast.scores import Scores
from cryptonic.training.evaluation.backtest import BacktestReport
from cryptonic.training.tuning.search import Trial, _scored, seed_means, tune


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


@pytest.mark.parametrize(
    ("settings", "trials", "message"),
    [
        (Settings(arch="book"), 5, "default architecture"),
        (Settings(), 0, "--trials must be at least 1"),
    ],
)
def test_a_request_the_search_cannot_serve_fails_before_any_fit(settings, trials, message):
    with pytest.raises(ConfigError, match=message):
        tune([1.0] * 10, [], settings, space={"units": [4]}, trials=trials)


def test_a_trial_is_judged_on_the_band_users_are_served_after_adaptation():
    row = Scores(
        model="default",
        protocol="honest",
        mape=3.0,
        rmse=1.0,
        mae=1.0,
        mase=1.0,
        skill=0.1,
        mape_by_horizon=[3.0] * 7,
        coverage=0.6,
        pinball=1.2,
        pinball_skill=-0.2,
        adaptive_coverage=0.79,
        adaptive_pinball=1.0,
        adaptive_pinball_skill=0.05,
    )
    day = dt.date(2026, 1, 5)
    report = BacktestReport("X", [day], day, day, [row], np.zeros((1, 7)))
    trial = _scored(Trial(0, {}, None, 1.0), report, "default", "mape+pinball")
    assert trial.pinball_ratio == pytest.approx(0.95)
    assert trial.coverage == pytest.approx(0.79)
    assert trial.objective == pytest.approx((0.9 + 0.95) / 2)
    # persistence's pinball of zero leaves no adaptive skill: the fit-time one, the coverage
    # still the served band's
    unscaled = row.model_copy(update={"adaptive_pinball_skill": None})
    report = BacktestReport("X", [day], day, day, [unscaled], np.zeros((1, 7)))
    trial = _scored(Trial(0, {}, None, 1.0), report, "default", "mape+pinball")
    assert trial.pinball_ratio == pytest.approx(1.2)
    assert trial.coverage == pytest.approx(0.79)
