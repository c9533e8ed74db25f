"""The networks: the spec picks one, the defaults build the network of old, every knob reaches
the network, and an untrained default network is the persistence forecast."""

from __future__ import annotations

import numpy as np
import pytest

from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.networks import BOOK_NAME, DEFAULT_NAME, build_network
from cryptonic.training.model.spec import ModelSpec
from tests.fixtures.models import KNOBBED, TINY
from tests.fixtures.prices import make_prices

pytestmark = pytest.mark.slow


def _lstm_configs(network):
    return [layer.get_config() for layer in network.layers if type(layer).__name__ == "LSTM"]


def _layer_names(network):
    return [layer.name for layer in network.layers]


def test_untrained_default_model_is_the_persistence_forecast():
    model = Model(TINY, build_network(TINY))
    closes = make_prices(100)["close"].to_numpy()
    np.testing.assert_allclose(model.predict_closes(closes), np.full(7, closes[-1]), rtol=1e-6)


def test_untrained_point_network_is_the_persistence_forecast_too():
    spec = ModelSpec(weeks=2, units=4, quantiles=())
    network = build_network(spec)
    assert network.name == DEFAULT_NAME
    assert _layer_names(network) == ["weeks", "input_scale", "lstm", "delta", "next_week"]
    assert network.loss == "mae"
    model = Model(spec, network)
    closes = make_prices(100)["close"].to_numpy()
    np.testing.assert_allclose(model.predict_closes(closes), np.full(7, closes[-1]), rtol=1e-6)


def test_the_default_spec_builds_the_single_plain_lstm_of_before():
    network = build_network(ModelSpec(weeks=2, units=4))
    assert network.name == DEFAULT_NAME
    assert _layer_names(network) == ["weeks", "input_scale", "lstm", "quantiles"]
    [config] = _lstm_configs(network)
    assert config["activation"] == "tanh"
    assert config["dropout"] == 0.0
    assert config["recurrent_dropout"] == 0.0
    assert config["kernel_regularizer"] is None
    assert config["return_sequences"] is False
    assert type(network.optimizer).__name__ == "Adam"
    assert type(network.loss).__name__ == "PinballLoss"
    assert network.losses == []  # no penalty term


def test_the_book_network_is_unchanged_by_default():
    network = build_network(ModelSpec(arch="book", weeks=3))
    assert network.name == BOOK_NAME
    assert _layer_names(network) == ["weeks", "lstm", "next_week"]
    [config] = _lstm_configs(network)
    assert config["units"] == 7
    assert config["kernel_regularizer"] is None
    assert type(network.optimizer).__name__ == "RMSprop"
    assert network.loss == "mse"


def test_every_knob_reaches_the_network():
    network = build_network(KNOBBED)
    first, last = _lstm_configs(network)
    assert (first["name"], first["return_sequences"]) == ("lstm_1", True)
    assert (last["name"], last["return_sequences"]) == ("lstm", False)
    for config in (first, last):
        assert config["units"] == 4
        assert config["activation"] == "relu"
        assert config["dropout"] == pytest.approx(0.2)
        assert config["recurrent_dropout"] == pytest.approx(0.1)
        penalty = config["kernel_regularizer"]["config"]
        assert penalty == pytest.approx({"l1": 1e-5, "l2": 1e-3})
        assert config["recurrent_regularizer"]["config"] == penalty
    assert len(network.losses) == 4  # kernel and recurrent penalties of two layers
    assert type(network.optimizer).__name__ == "RMSprop"
    assert float(network.optimizer.learning_rate) == pytest.approx(3e-4)


@pytest.mark.parametrize(
    ("name", "optimizer"), [("adam", "Adam"), ("rmsprop", "RMSprop"), ("sgd", "SGD")]
)
def test_the_optimizer_is_the_one_named(name, optimizer):
    network = build_network(ModelSpec(weeks=2, units=4, optimizer=name, learning_rate=1e-3))
    assert type(network.optimizer).__name__ == optimizer
    assert float(network.optimizer.learning_rate) == pytest.approx(1e-3)


def test_the_same_spec_builds_the_same_weights():
    first, second = build_network(KNOBBED), build_network(KNOBBED)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
