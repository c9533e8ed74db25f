"""The training side's charts are written as PNG files, folders made as needed."""

from __future__ import annotations

import datetime as dt

from cryptonic.training.baselines.naive import Drift
from cryptonic.training.evaluation.backtest import walk_forward
from cryptonic.training.plots import plot_backtest, plot_trials
from cryptonic.training.tuning.search import Trial, TuneResult
from tests.fixtures.prices import make_prices

PNG = b"\x89PNG\r\n\x1a\n"


def test_the_backtest_chart_is_a_png(tmp_path):
    closes = make_prices(120)["close"].to_numpy()
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(closes.size)]
    report = walk_forward(closes, dates, [Drift()], weeks=3, ticker="BTC-USD")
    path = tmp_path / "charts" / "backtest.png"
    plot_backtest(report, path)
    assert path.read_bytes()[:8] == PNG


def test_the_trials_chart_is_a_png(tmp_path):
    space = {"units": [4, 8], "dropout": [0.0, 0.1], "optimizer": ["adam"]}
    trials = [
        Trial(0, {"units": 4, "dropout": 0.1, "optimizer": "adam"}, 0.98, 1.0),
        Trial(1, {"units": 8, "dropout": 0.0, "optimizer": "adam"}, 1.02, 1.0),
        Trial(2, {"units": 8, "dropout": 0.1, "optimizer": "adam"}, None, 1.0, error="diverged"),
    ]
    result = TuneResult(
        ticker="BTC-USD",
        sampler="random",
        objective_name="mape",
        seed=1,
        space=space,
        trials=trials,
        best=trials[0],
        seconds=1.0,
        windows={},
        base={},
    )
    path = tmp_path / "charts" / "tune.png"
    plot_trials(result, path)
    assert path.read_bytes()[:8] == PNG


def test_the_backtest_chart_draws_the_adapted_band_too(tmp_path):
    closes = make_prices(600)["close"].to_numpy()
    dates = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(closes.size)]
    report = walk_forward(closes, dates, [], weeks=4, ticker="BTC-USD")
    assert report.bands[("persistence", "honest")].adapted is not None
    path = tmp_path / "backtest.png"
    plot_backtest(report, path)
    assert path.read_bytes()[:8] == PNG
