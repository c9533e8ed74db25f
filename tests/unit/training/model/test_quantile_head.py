"""The quantile head and the pinball loss: ordering by construction, the loss by hand, saving."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.training.model.quantile_head import PinballLoss, QuantileHead

pytestmark = pytest.mark.slow

LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


def _network(levels=LEVELS, units=5):
    import keras

    inputs = keras.Input((units,))
    head = QuantileHead(7, levels, name="quantiles")
    return keras.Model(inputs, head(inputs)), head


def test_quantiles_never_cross_whatever_the_weights():
    network, head = _network()
    rng = np.random.default_rng(0)
    for _ in range(5):
        network.set_weights(
            [rng.normal(0, 3, w.shape).astype("float32") for w in network.get_weights()]
        )
        head.set_spread_scale(rng.uniform(0.1, 5.0, 7))
        out = np.asarray(network(rng.normal(0, 5, (64, 5)).astype("float32")))
        assert out.shape == (64, 7, len(LEVELS))
        assert (np.diff(out, axis=-1) >= 0).all()


def test_untrained_head_is_persistence_with_the_targets_spread():
    network, head = _network()
    rng = np.random.default_rng(1)
    targets = rng.normal(0.001, 0.02, (2000, 7)) * np.sqrt(np.arange(1, 8))
    head.set_initial_spread(targets)
    out = np.asarray(network(rng.normal(size=(3, 5)).astype("float32")))
    np.testing.assert_array_equal(out[..., 3], 0.0)  # the median is the last close
    empirical = np.quantile(targets, LEVELS, axis=0).T
    centred = empirical - empirical[:, [3]]
    np.testing.assert_allclose(out[0], centred, atol=1e-5)


def test_spread_scale_multiplies_the_distance_to_the_median_per_day():
    network, head = _network(levels=(0.1, 0.5, 0.9))
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    network.set_weights(
        [
            np.random.default_rng(3).normal(0, 1, w.shape).astype("float32")
            for w in network.get_weights()
        ]
    )
    head.set_spread_scale(np.ones(7))
    before = np.asarray(network(x))
    factors = np.array([0.5, 1.0, 2.0, 3.0, 1.0, 1.0, 0.25])
    head.set_spread_scale(factors)
    after = np.asarray(network(x))
    np.testing.assert_allclose(after[..., 1], before[..., 1], rtol=1e-6)
    np.testing.assert_allclose(
        after - after[..., 1:2], (before - before[..., 1:2]) * factors[None, :, None], atol=1e-6
    )
    np.testing.assert_allclose(head.get_spread_scale(), factors)
    with pytest.raises(ValueError, match="finite and positive"):
        head.set_spread_scale(np.zeros(7))


def test_pinball_loss_matches_a_hand_computation():
    loss = PinballLoss((0.1, 0.5, 0.9))
    y_true = np.array([[0.04, -0.10]], dtype="float32")
    y_pred = np.array([[[-0.05, 0.0, 0.02], [-0.05, 0.0, 0.02]]], dtype="float32")
    # day 1, y = 0.04 above all: 0.1*0.09 + 0.5*0.04 + 0.9*0.02 = 0.047
    # day 2, y = -0.10 below all: 0.9*0.05 + 0.5*0.10 + 0.1*0.12 = 0.107
    expected = (0.047 + 0.107) / 6
    assert float(loss(y_true, y_pred)) == pytest.approx(expected, rel=1e-5)
    median_only = PinballLoss((0.5,))
    assert float(median_only(y_true, y_pred[..., 1:2])) == pytest.approx((0.04 + 0.10) / 4)


def test_pinball_loss_is_smallest_at_the_true_quantiles():
    rng = np.random.default_rng(4)
    y = rng.normal(0, 1, (20000, 1)).astype("float32")
    loss = PinballLoss((0.1, 0.5, 0.9))
    z = 1.2815515655446004
    at_truth = float(loss(y, np.broadcast_to([[[-z, 0.0, z]]], (20000, 1, 3)).astype("float32")))
    for wrong in ([-2 * z, 0, 2 * z], [-z / 2, 0, z / 2], [-z, 0.5, z]):
        shifted = np.broadcast_to([[wrong]], (20000, 1, 3)).astype("float32")
        assert float(loss(y, shifted)) > at_truth


def test_head_and_loss_round_trip_through_a_keras_file(tmp_path):
    import keras

    network, head = _network()
    network.compile(optimizer="adam", loss=PinballLoss(LEVELS))
    head.set_spread_scale(np.linspace(0.5, 2.0, 7))
    path = tmp_path / "head.keras"
    network.save(path)
    loaded = keras.models.load_model(path)  # safe mode: the classes are registered
    x = np.random.default_rng(5).normal(size=(2, 5)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(network(x)), rtol=1e-6)
    assert loaded.get_layer("quantiles").quantiles == list(LEVELS)
    assert loaded.loss.quantiles == list(LEVELS)
