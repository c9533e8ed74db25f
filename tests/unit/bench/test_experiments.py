"""bench/experiments.py's variants build the inputs they claim, from the past only (no training)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.experiments import (
    LOG_RETURN_SCALE,
    RANGE_SCALE,
    Daily,
    LogReturns,
    Ohlcv,
    SeedEnsemble,
)
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.networks import INPUT_SCALE
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.prices import make_prices

SPEC = ModelSpec(weeks=2)


def test_log_return_inputs_are_the_daily_log_returns_up_to_the_origin():
    closes = make_prices(60)["close"].to_numpy()
    model = LogReturns(SPEC, "log returns")
    x = model.inputs_at(closes, [30])
    assert x.shape == (1, 2, 7)
    expected = np.diff(np.log(closes[16:31])) * LOG_RETURN_SCALE
    np.testing.assert_allclose(x[0].ravel(), expected, rtol=1e-5)
    assert model.min_history == 15
    with pytest.raises(ValueError, match="15 closes"):
        model.inputs_at(closes, [13])


def test_log_return_training_set_starts_one_day_later_than_the_default():
    closes = make_prices(120)["close"].to_numpy()
    x, y = LogReturns(SPEC, "log returns").training_set(closes)
    x_default, y_default = Model(SPEC).training_set(closes)
    assert len(x) == len(x_default) - 1
    np.testing.assert_array_equal(y, y_default[1:])


def test_daily_inputs_are_the_default_inputs_one_day_per_step():
    closes = make_prices(60)["close"].to_numpy()
    x = Daily(SPEC, "daily closes").inputs_at(closes, [20, 40])
    default = Model(SPEC).inputs_at(closes, [20, 40])
    assert x.shape == (2, 14, 1)
    np.testing.assert_allclose(x[..., 0], default.reshape(2, 14) * INPUT_SCALE, rtol=1e-5)


def test_ohlcv_inputs_add_the_range_and_the_volume_and_read_no_future_row():
    frame = make_prices(60)
    closes = frame["close"].to_numpy()
    model = Ohlcv(SPEC, "ohlcv", frame)
    x = model.inputs_at(closes[:31], [30])
    assert x.shape == (1, 14, 3)
    days = slice(17, 31)
    rng = np.log(frame["high"].to_numpy()[days] / frame["low"].to_numpy()[days]) * RANGE_SCALE
    np.testing.assert_allclose(x[0, :, 1], rng, rtol=1e-5)
    volume = np.log(frame["volume"].to_numpy()[days].astype(float))
    np.testing.assert_allclose(x[0, :, 2], volume - volume.mean(), rtol=1e-4, atol=1e-5)
    changed = frame.copy()
    changed.loc[31:, ["high", "low", "volume"]] *= 2.0
    np.testing.assert_array_equal(Ohlcv(SPEC, "ohlcv", changed).inputs_at(closes[:31], [30]), x)
    with pytest.raises(ValueError, match="prefix"):
        model.inputs_at(closes[:31] * 2.0, [30])


class _Fixed:
    def __init__(self, quantiles: np.ndarray) -> None:
        self.q = quantiles

    def predict_quantiles(self, closes, origins):
        return np.broadcast_to(self.q, (len(origins), *self.q.shape))


def test_ensemble_averages_the_members_quantiles_in_order():
    ensemble = SeedEnsemble(SPEC, members=2)
    assert [m.spec.seed for m in ensemble.members] == [SPEC.seed, SPEC.seed + 100]
    a = np.tile([-0.02, 0.0, 0.02], (7, 1))
    b = np.tile([-0.04, 0.01, 0.03], (7, 1))
    ensemble.members = [_Fixed(a), _Fixed(b)]  # type: ignore[list-item]
    q = ensemble.predict_quantiles(np.ones(30), [20, 21])
    assert q.shape == (2, 7, 3)
    np.testing.assert_allclose(q[0, 0], [-0.03, 0.005, 0.025])
    np.testing.assert_allclose(ensemble.predict_relative(np.ones(30), [20]), [[0.005] * 7])
