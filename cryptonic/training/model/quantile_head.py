"""The default model's quantile output and its loss (Keras, training side only).

``QuantileHead`` turns the LSTM's state into Q ordered quantiles of each of the 7 days, relative to
the last close. Ordering holds by construction, not by hope: the median is a plain linear output,
every other quantile is the median plus (or minus) a running sum of softplus gaps, and a sum of
positive gaps only grows outwards. Nothing can cross, whatever the weights.

* The median's weights start at zero: an untrained network forecasts the last close (persistence),
  as the point model always did, and training has to earn every deviation from it.
* The gaps start from the training targets' own unconditional quantiles (``set_initial_spread``):
  an untrained network is persistence with a historical spread; training makes it conditional on
  the inputs (recent volatility is visible in them).
* ``spread_scale`` (per horizon day, not trainable) multiplies every distance to the median.
  Training runs with it at 1; the conformal calibration (calibration.py) then sets it on windows
  the fit did not see. It is a weight, so the ``.keras`` file and the exported ``.tflite`` carry
  calibrated quantiles and serving has nothing to do.

Only Dense-like matmuls, reshape, softplus and concatenation: ops TFLite's builtins convert. The
running sums are products with constant triangular matrices rather than ``cumsum`` with a
reversal, which keeps the converted graph to the plainest ops.

Both classes are registered Keras serializables, so ``.keras`` files load without
``safe_mode=False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import numpy.typing as npt

PACKAGE = "cryptonic"
MIN_GAP = 1e-4
"""Smallest initial distance between neighbouring quantiles (relative units: 0.01%)."""


def _inverse_softplus(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(np.log(np.expm1(np.maximum(values, 1e-12))), dtype=np.float64)


@keras.saving.register_keras_serializable(package=PACKAGE)
class QuantileHead(keras.layers.Layer):  # type: ignore[misc]
    """(batch, units) -> (batch, horizon, len(quantiles)) ordered quantiles of relative changes."""

    def __init__(
        self,
        horizon: int,
        quantiles: Sequence[float],
        output_scale: float = 0.05,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.horizon = int(horizon)
        self.quantiles = [float(q) for q in quantiles]
        self.output_scale = float(output_scale)
        self.median_index = self.quantiles.index(0.5)
        self.below = self.median_index
        self.above = len(self.quantiles) - 1 - self.median_index

    def build(self, input_shape: Any) -> None:
        units = int(input_shape[-1])
        h = self.horizon
        self.median_kernel = self.add_weight(
            name="median_kernel", shape=(units, h), initializer="zeros"
        )
        self.median_bias = self.add_weight(name="median_bias", shape=(h,), initializer="zeros")
        self.gap_kernel = self.add_weight(
            name="gap_kernel", shape=(units, h * (self.below + self.above)), initializer="zeros"
        )
        start = float(_inverse_softplus(np.array([0.02 / self.output_scale]))[0])
        self.gap_bias = self.add_weight(
            name="gap_bias",
            shape=(h * (self.below + self.above),),
            initializer=keras.initializers.Constant(start),
        )
        self.spread_scale = self.add_weight(
            name="spread_scale", shape=(h,), initializer="ones", trainable=False
        )
        # Running sums outwards from the median. Below it the gaps are stored outermost first, so
        # quantile j's distance is the sum of gaps j.. (lower triangle); above it nearest first,
        # so it is the sum of gaps ..j (upper triangle).
        below, above = self.below, self.above
        self._lower_sum = np.tril(np.ones((below, below), dtype=np.float32))
        self._upper_sum = np.triu(np.ones((above, above), dtype=np.float32))
        super().build(input_shape)

    def call(self, hidden: Any) -> Any:
        ops = keras.ops
        h, below, above = self.horizon, self.below, self.above
        scale = self.output_scale
        median = (ops.matmul(hidden, self.median_kernel) + self.median_bias) * scale
        gaps = ops.softplus(ops.matmul(hidden, self.gap_kernel) + self.gap_bias) * scale
        gaps = ops.reshape(gaps, (-1, h, below + above))
        spread = ops.expand_dims(self.spread_scale, -1)  # (h, 1): one factor per horizon day
        centre = ops.expand_dims(median, -1)
        parts = []
        if below:
            lower = ops.matmul(gaps[:, :, :below], ops.convert_to_tensor(self._lower_sum))
            parts.append(centre - spread * lower)
        parts.append(centre)
        if above:
            upper = ops.matmul(gaps[:, :, below:], ops.convert_to_tensor(self._upper_sum))
            parts.append(centre + spread * upper)
        return ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return (input_shape[0], self.horizon, len(self.quantiles))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            horizon=self.horizon, quantiles=self.quantiles, output_scale=self.output_scale
        )
        return config

    # -- what the training code sets ------------------------------------------------------------
    def set_initial_spread(self, targets: npt.NDArray[np.floating[Any]]) -> None:
        """Start the gaps at the unconditional quantiles of ``targets`` (samples, horizon), each
        horizon day's distances to its median, so an untrained network is persistence with the
        training history's spread."""
        y = np.asarray(targets, dtype=np.float64)
        levels = np.quantile(y, self.quantiles, axis=0).T  # (horizon, Q)
        distance = np.abs(levels - levels[:, [self.median_index]])
        lower = distance[:, : self.below][:, ::-1]  # nearest to the median first
        upper = distance[:, self.median_index + 1 :]
        gaps_lower = np.diff(np.concatenate([np.zeros((self.horizon, 1)), lower], axis=1), axis=1)
        gaps_upper = np.diff(np.concatenate([np.zeros((self.horizon, 1)), upper], axis=1), axis=1)
        # Below the median the gaps are stored outermost first (see build).
        gaps = np.concatenate([gaps_lower[:, ::-1], gaps_upper], axis=1)
        gaps = np.maximum(gaps, MIN_GAP) / self.output_scale
        self.gap_bias.assign(_inverse_softplus(gaps).reshape(-1).astype(np.float32))

    def get_spread_scale(self) -> npt.NDArray[np.float64]:
        return np.asarray(keras.ops.convert_to_numpy(self.spread_scale), dtype=np.float64)

    def set_spread_scale(self, factors: Sequence[float] | npt.NDArray[np.float64]) -> None:
        values = np.asarray(factors, dtype=np.float32).reshape(self.horizon)
        if not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"spread factors must be finite and positive, got {values}")
        self.spread_scale.assign(values)


@keras.saving.register_keras_serializable(package=PACKAGE)
class PinballLoss(keras.losses.Loss):  # type: ignore[misc]
    """Mean pinball (quantile) loss over samples, horizon days and quantiles.

    For a level q and an error e = y - f, the loss is q * e when the close comes out above the
    forecast and (q - 1) * e below it: minimized in expectation by the true q-quantile, which is
    what makes the outputs quantiles rather than a spread of guesses. At q = 0.5 it is half the
    absolute error, the point model's MAE.
    """

    def __init__(self, quantiles: Sequence[float], name: str = "pinball", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true: Any, y_pred: Any) -> Any:
        ops = keras.ops
        levels = ops.convert_to_tensor(np.asarray(self.quantiles, dtype=np.float32))
        error = ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1) - y_pred
        loss = ops.maximum(levels * error, (levels - 1.0) * error)
        return ops.mean(loss, axis=(-2, -1))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(quantiles=self.quantiles)
        return config
