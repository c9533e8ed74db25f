from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cryptonic.training.evaluation.backtest import walk_forward
from cryptonic.training.model.stored import FrozenModel, WarmStartModel
from tests.fixtures.models import TINY
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def _dates(n):
    return [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)]


def test_frozen_model_is_scored_as_it_serves(trained_tiny_model):
    closes = make_prices(300, seed=4)["close"].to_numpy()
    before = [w.copy() for w in trained_tiny_model.network.get_weights()]
    report = walk_forward(closes, _dates(300), [FrozenModel(trained_tiny_model)], weeks=3)
    after = trained_tiny_model.network.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    origins = [closes.size - 1 - 7 - 7 * k for k in (2, 1, 0)]
    np.testing.assert_allclose(
        report.forecasts[("champion", "honest")],
        closes[origins][:, None] * (1.0 + trained_tiny_model.predict_relative(closes, origins)),
    )


def test_warm_start_fits_from_the_parents_weights_every_time(trained_tiny_model):
    parent = trained_tiny_model.keras_bytes()
    forecaster = WarmStartModel(parent, TINY)
    assert forecaster.name == "default"
    assert forecaster.min_history == TINY.lookback
    with pytest.raises(RuntimeError, match="before fit"):
        forecaster.predict_relative(np.ones(30), [29])
    closes = make_prices(300, seed=5)["close"].to_numpy()
    forecaster.fit(closes[:250])
    first = forecaster.model
    assert first is not None
    assert first.report is not None
    assert first.report.warm_start
    forecaster.fit(closes[:250])
    assert forecaster.model is not first  # a fresh copy of the parent, not a second round
    np.testing.assert_allclose(
        forecaster.predict_relative(closes, [260]), first.predict_relative(closes, [260]), rtol=1e-5
    )
