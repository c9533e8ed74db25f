"""The networks the Keras forecaster trains: one builder per network, chosen from the spec.

* ``book``: the textbook model, kept to reproduce its numbers. LSTM(7) -> Dense(7), rmsprop, MSE.
* the default point network (``quantiles=()``): the model published before intervals existed,
  one output per day relative to the last close, MAE loss. Its output starts at zero, so an
  untrained network *is* the persistence forecast and training has to earn every deviation.
* the default quantile network: the same LSTM under a ``QuantileHead`` (quantile_head.py), whose
  median starts at zero too, fitted with the pinball loss.

Every builder seeds Keras from the spec first, so one spec always starts from the same weights.
Every LSTM stack names its last layer ``lstm``: saved.py reads a saved network's knobs from it.
TensorFlow is imported on first use, and never on the serving path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from cryptonic.config import Optimizer
from cryptonic.forecast.windows import DAYS_PER_WEEK
from cryptonic.training.model.spec import ModelSpec

__all__ = [
    "BOOK_NAME",
    "DEFAULT_NAME",
    "INPUT_SCALE",
    "OUTPUT_SCALE",
    "book_network",
    "build_network",
    "keras_with_our_layers",
    "point_network",
    "quantile_network",
]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

INPUT_SCALE = 10.0
"""Relative inputs over weeks span about +-0.3; x10 puts them near unit scale for the LSTM."""
OUTPUT_SCALE = 0.05
"""Daily relative moves are a few percent: the dense layer works in units of 5%."""
BOOK_NAME = "cryptonic_book"
"""The book network's name: how a loaded network says which architecture it is."""
DEFAULT_NAME = "cryptonic_default"


def keras_with_our_layers() -> Any:
    """Keras, imported on first use, with our layer and loss registered for loading."""
    import keras

    import cryptonic.training.model.quantile_head  # noqa: F401  (registers QuantileHead and PinballLoss)

    return keras


def build_network(spec: ModelSpec) -> Any:
    """A fresh, compiled network for the spec, with seeded weights."""
    builder: Callable[[ModelSpec], Any]
    if spec.arch == "book":
        builder = book_network
    elif spec.quantiles:
        builder = quantile_network
    else:
        builder = point_network
    return builder(spec)


def book_network(spec: ModelSpec) -> Any:
    """The textbook's LSTM(7) -> Dense(7), rmsprop and MSE, on weeks normalized to their first
    close (the spec's knobs shape its LSTM; its optimizer is fixed)."""
    keras, inputs = _seeded_inputs(spec)
    hidden = _lstm_stack(keras, inputs, spec, DAYS_PER_WEEK)
    outputs = keras.layers.Dense(DAYS_PER_WEEK, activation="linear", name="next_week")(hidden)
    network = keras.Model(inputs, outputs, name=BOOK_NAME)
    network.compile(optimizer="rmsprop", loss="mse")
    return network


def point_network(spec: ModelSpec) -> Any:
    """The default point network: one relative change per day, starting at zero (persistence)."""
    keras, inputs = _seeded_inputs(spec)
    hidden = _default_lstm(keras, inputs, spec)
    delta = keras.layers.Dense(spec.horizon, kernel_initializer="zeros", name="delta")(hidden)
    outputs = keras.layers.Rescaling(OUTPUT_SCALE, name="next_week")(delta)
    network = keras.Model(inputs, outputs, name=DEFAULT_NAME)
    network.compile(optimizer=_optimizer(keras, spec), loss="mae")
    return network


def quantile_network(spec: ModelSpec) -> Any:
    """The default quantile network: ordered quantiles of each day under the pinball loss."""
    from cryptonic.training.model.quantile_head import PinballLoss, QuantileHead

    keras, inputs = _seeded_inputs(spec)
    hidden = _default_lstm(keras, inputs, spec)
    outputs = QuantileHead(spec.horizon, spec.quantiles, OUTPUT_SCALE, name="quantiles")(hidden)
    network = keras.Model(inputs, outputs, name=DEFAULT_NAME)
    network.compile(optimizer=_optimizer(keras, spec), loss=PinballLoss(spec.quantiles))
    return network


def _seeded_inputs(spec: ModelSpec) -> tuple[Any, Any]:
    """Keras seeded from the spec, and the (weeks, 7) input every network reads."""
    keras = keras_with_our_layers()
    keras.utils.set_random_seed(spec.seed)
    return keras, keras.Input((spec.weeks, DAYS_PER_WEEK), name="weeks")


def _default_lstm(keras: Any, inputs: Any, spec: ModelSpec) -> Any:
    """The default networks' LSTM stack of ``units``, on inputs brought near unit scale."""
    scaled = keras.layers.Rescaling(INPUT_SCALE, name="input_scale")(inputs)
    return _lstm_stack(keras, scaled, spec, spec.units)


def _lstm_stack(keras: Any, inputs: Any, spec: ModelSpec, units: int) -> Any:
    """``lstm_layers`` LSTMs with the spec's activation, dropouts and penalties; the last is
    named ``lstm`` (what saved.py reads), so the default is the single layer of old."""
    penalty = keras.regularizers.L1L2(l1=spec.l1, l2=spec.l2) if spec.l1 or spec.l2 else None
    hidden = inputs
    for index in range(spec.lstm_layers):
        last = index == spec.lstm_layers - 1
        hidden = keras.layers.LSTM(
            units,
            activation=spec.activation,
            dropout=spec.dropout,
            recurrent_dropout=spec.recurrent_dropout,
            kernel_regularizer=penalty,
            recurrent_regularizer=penalty,
            return_sequences=not last,
            name="lstm" if last else f"lstm_{index + 1}",
        )(hidden)
    return hidden


def _optimizer(keras: Any, spec: ModelSpec) -> Any:
    """A fresh Keras optimizer by name (sgd with Nesterov momentum: plain SGD barely moves an
    LSTM in 100 epochs)."""
    name: Optimizer = spec.optimizer
    if name == "rmsprop":
        return keras.optimizers.RMSprop(spec.learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(spec.learning_rate, momentum=0.9, nesterov=True)
    return keras.optimizers.Adam(spec.learning_rate)
