"""The Keras forecaster: build, train, predict, save and load (training side only).

Two architectures:

* ``default`` (ours): every day is a training origin (thousands of sliding windows instead of
  the book's single sample). Input: the last ``weeks`` x 7 closes relative to the last close,
  shaped (weeks, 7). Output: quantiles (``ModelSpec.quantiles``, 0.1 / 0.5 / 0.9 by default) of
  each of the next 7 closes relative to the last close, ordered by construction (quantiles.py),
  fitted with the pinball loss; the median is the point forecast. The median starts at zero, so
  an untrained model *is* the persistence forecast and training has to earn every deviation from
  it; a chronological validation tail with early stopping picks the epoch, then calibrates the
  interval (calibration.py) on those windows, which no gradient step used. With ``quantiles=()``
  it is the point model published before intervals existed (one output per day, MAE loss).
  Log-return inputs, daily LSTM steps, high/low range and volume inputs and a seed ensemble were
  tried against it (issue 13, bench/EXPERIMENTS.md): none beat it beyond seed noise.
* ``book``: the textbook model, kept to reproduce its numbers. LSTM(7) -> Dense(7), rmsprop, MSE,
  fitted on ONE sample: N weeks (each normalized to its own first close) -> the next week.

TensorFlow is imported here and nowhere on the serving path.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from cryptonic.config import (
    ACTIVATIONS,
    OPTIMIZERS,
    Arch,
    Optimizer,
)
from cryptonic.errors import DataError, ModelError
from cryptonic.forecast.windows import (
    DAYS_PER_WEEK,
    FloatArray,
    denormalize_relative,
    model_inputs,
    normalize_weeks,
    target_windows,
    training_origins,
)
from cryptonic.training.model.calibration import IntervalCalibration, calibrate
from cryptonic.training.model.spec import ModelSpec

if TYPE_CHECKING:
    from cryptonic.training.model.quantile_head import QuantileHead

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

log = logging.getLogger("cryptonic.model")

INPUT_SCALE = 10.0
"""Relative inputs over weeks span about +-0.3; x10 puts them near unit scale for the LSTM."""
OUTPUT_SCALE = 0.05
"""Daily relative moves are a few percent: the dense layer works in units of 5%."""


def _optimizer(keras: Any, name: Optimizer, learning_rate: float) -> Any:
    """A fresh Keras optimizer by name (sgd with Nesterov momentum: plain SGD barely moves an
    LSTM in 100 epochs)."""
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True)
    return keras.optimizers.Adam(learning_rate)


@dataclass(frozen=True)
class TrainReport:
    """What a fit did, for logs and manifests."""

    samples: int
    validation_samples: int
    epochs_run: int
    best_epoch: int
    loss: float
    val_loss: float | None
    seconds: float
    warm_start: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _keras() -> Any:
    """Keras, imported on first use, with our layer and loss registered for loading."""
    import keras

    import cryptonic.training.model.quantile_head  # noqa: F401  (registers QuantileHead and PinballLoss)

    return keras


def _verbosity(verbose: bool | None) -> int:
    """Progress bar on a terminal, silence in logs, one line per epoch when asked explicitly."""
    if verbose is None:
        return 1 if sys.stderr.isatty() else 0
    return 2 if verbose else 0


class Model:
    """A Keras forecaster behind the same interface as the baselines (see backtest.Forecaster)."""

    horizon = DAYS_PER_WEEK

    def __init__(self, spec: ModelSpec | None = None, network: Any = None) -> None:
        self.spec = spec or ModelSpec()
        self.network = network
        self.report: TrainReport | None = None
        self.calibration: IntervalCalibration | None = None
        self.log_dir: Path | None = None
        """Set: every fit writes TensorBoard logs (loss, val loss, learning rate) there."""

    @property
    def name(self) -> str:
        return self.spec.arch

    @property
    def quantiles(self) -> tuple[float, ...]:
        """The levels of :meth:`predict_quantiles`; empty for a point model."""
        return self.spec.quantiles

    @property
    def min_history(self) -> int:
        return self.spec.lookback

    # -- build -------------------------------------------------------------------------------
    def build(self) -> Any:
        """A fresh, compiled network for the spec, with seeded weights."""
        keras = _keras()
        keras.utils.set_random_seed(self.spec.seed)
        inputs = keras.Input((self.spec.weeks, DAYS_PER_WEEK), name="weeks")
        if self.spec.arch == "book":
            hidden = self._lstm_stack(keras, inputs, DAYS_PER_WEEK)
            outputs = keras.layers.Dense(DAYS_PER_WEEK, activation="linear", name="next_week")(
                hidden
            )
            network = keras.Model(inputs, outputs, name="cryptonic_book")
            network.compile(optimizer="rmsprop", loss="mse")
        else:
            scaled = keras.layers.Rescaling(INPUT_SCALE, name="input_scale")(inputs)
            hidden = self._lstm_stack(keras, scaled, self.spec.units)
            optimizer = _optimizer(keras, self.spec.optimizer, self.spec.learning_rate)
            if self.spec.quantiles:
                from cryptonic.training.model.quantile_head import PinballLoss, QuantileHead

                outputs = QuantileHead(
                    self.spec.horizon, self.spec.quantiles, OUTPUT_SCALE, name="quantiles"
                )(hidden)
                network = keras.Model(inputs, outputs, name="cryptonic_default")
                network.compile(optimizer=optimizer, loss=PinballLoss(self.spec.quantiles))
            else:
                delta = keras.layers.Dense(
                    self.spec.horizon, kernel_initializer="zeros", name="delta"
                )(hidden)
                outputs = keras.layers.Rescaling(OUTPUT_SCALE, name="next_week")(delta)
                network = keras.Model(inputs, outputs, name="cryptonic_default")
                network.compile(optimizer=optimizer, loss="mae")
        self.network = network
        return network

    def _lstm_stack(self, keras: Any, inputs: Any, units: int) -> Any:
        """``lstm_layers`` LSTMs with the spec's activation, dropouts and penalties; the last is
        named ``lstm`` (what :meth:`load` reads), so the default is the single layer of old."""
        spec = self.spec
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

    # -- data shaping ------------------------------------------------------------------------
    def inputs_at(self, closes: FloatArray, origins: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Network inputs for each origin, built from closes up to that origin only."""
        return model_inputs(closes, origins, self.spec.arch, self.spec.weeks)

    def training_set(
        self, closes: FloatArray
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(X, y) for a fit: the book's single sample, or every sliding window for ours."""
        if closes.size < self.spec.min_training_closes:
            raise DataError(
                f"{self.spec.arch} model needs at least {self.spec.min_training_closes} "
                f"daily closes, "
                f"got {closes.size}"
            )
        if self.spec.arch == "book":
            origin = closes.size - 1 - DAYS_PER_WEEK
            x = self.inputs_at(closes, [origin])
            week = closes[origin + 1 : origin + 1 + DAYS_PER_WEEK][None, :]
            return x, normalize_weeks(week).astype(np.float32)
        origins = training_origins(closes.size, self.spec.lookback, self.spec.horizon)
        x = self.inputs_at(closes, origins)
        y = target_windows(closes, origins, self.spec.horizon).astype(np.float32)
        return x, y

    # -- train -------------------------------------------------------------------------------
    def fit(self, closes: FloatArray) -> None:
        """Forecaster interface: train from scratch on these closes."""
        self.train(closes, warm_start=False)

    def train(
        self,
        closes: npt.ArrayLike,
        *,
        warm_start: bool = False,
        epochs: int | None = None,
        verbose: bool | None = None,
    ) -> TrainReport:
        """Fit on closes; ``warm_start`` continues from the current weights (strategy continue)."""
        keras = _keras()
        values = np.asarray(closes, dtype=np.float64)
        x, y = self.training_set(values)
        fresh = not warm_start or self.network is None
        if fresh:
            self.build()
            warm_start = False
        else:
            keras.utils.set_random_seed(self.spec.seed)
        network = self.network
        head = self._head()
        epochs = epochs or self.spec.epochs
        start = time.perf_counter()
        callbacks: list[Any] = []
        n_val = 0
        if self.spec.arch == "book" or self.spec.validation_fraction == 0:
            x_fit, y_fit, validation = x, y, None
        else:
            n_val = max(1, int(len(x) * self.spec.validation_fraction))
            gap = self.spec.horizon  # targets of the last training windows overlap validation
            x_fit, y_fit = x[: -(n_val + gap)], y[: -(n_val + gap)]
            validation = (x[-n_val:], y[-n_val:])
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=self.spec.patience, restore_best_weights=True
                )
            )
        if self.log_dir is not None:
            callbacks.append(
                keras.callbacks.TensorBoard(log_dir=str(self.log_dir), write_graph=False)
            )
        if head is not None:
            # Training fits raw quantiles; the spread is calibrated afresh after every fit, a
            # warm start's included (its parent's factors were fitted to older windows).
            head.set_spread_scale(np.ones(self.spec.horizon))
            if fresh:
                head.set_initial_spread(y_fit)
        history = network.fit(
            x_fit,
            y_fit,
            epochs=epochs,
            batch_size=self.spec.batch_size,
            validation_data=validation,
            shuffle=True,
            callbacks=callbacks,
            verbose=_verbosity(verbose),
        )
        losses = [float(v) for v in history.history["loss"]]
        val_losses = [float(v) for v in history.history.get("val_loss", [])]
        if not np.all(np.isfinite(losses)):
            raise ModelError("training diverged: the loss is not finite")
        best = int(np.argmin(val_losses)) if val_losses else len(losses) - 1
        self.calibration = None
        if head is not None and validation is not None:
            self.calibration = self._calibrate(head, *validation)
        self.report = TrainReport(
            samples=len(x_fit),
            validation_samples=n_val,
            epochs_run=len(losses),
            best_epoch=best + 1,
            loss=losses[best],
            val_loss=val_losses[best] if val_losses else None,
            seconds=time.perf_counter() - start,
            warm_start=warm_start,
        )
        log.info("trained %s model: %s", self.spec.arch, self.report.to_dict())
        if self.calibration is not None:
            log.info("calibrated its interval: %s", self.calibration.to_dict())
        return self.report

    def _head(self) -> QuantileHead | None:
        if not self.spec.quantiles or self.network is None:
            return None
        head: QuantileHead = self.network.get_layer("quantiles")
        return head

    def _calibrate(
        self, head: QuantileHead, x_cal: npt.NDArray[np.float32], y_cal: npt.NDArray[np.float32]
    ) -> IntervalCalibration:
        """Conformal factors on the validation tail (see calibration.py), set into the head."""
        raw = self._run(x_cal)
        level = self.spec.interval_level
        assert level is not None  # a head means quantiles
        result = calibrate(y_cal, raw, self.spec.median_index, level)
        head.set_spread_scale(result.factors)
        return result

    # -- predict -----------------------------------------------------------------------------
    def _run(self, x: npt.NDArray[np.float32]) -> FloatArray:
        if self.network is None:
            raise ModelError("the model is not trained: call train() or load() first")
        # A direct call, not network.predict(): backtests and forecasts are small batches of
        # varying size, and predict() builds (and retraces) a tf.function for each new size.
        out = _keras().ops.convert_to_numpy(self.network(x, training=False))
        return np.asarray(out, dtype=np.float64)

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """(origins, horizon, Q) calibrated quantiles relative to each origin's last close."""
        if not self.spec.quantiles:
            raise ModelError(f"the {self.spec.arch} model here forecasts points, not quantiles")
        return self._run(self.inputs_at(np.asarray(closes, dtype=np.float64), origins))

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """Forecasts relative to each origin's base: last close (default) or week start (book);
        the median of a quantile model."""
        out = self._run(self.inputs_at(np.asarray(closes, dtype=np.float64), origins))
        if self.spec.quantiles:
            return np.asarray(out[..., self.spec.median_index], dtype=np.float64)
        return out

    def predict_closes(self, closes: npt.ArrayLike) -> FloatArray:
        """The next 7 closes after the last one given, denormalized with the last known close."""
        values = np.asarray(closes, dtype=np.float64)
        if values.size < self.spec.lookback:
            raise DataError(
                f"need the last {self.spec.lookback} closes to forecast, got {values.size}"
            )
        rel = self.predict_relative(values, [values.size - 1])[0]
        return denormalize_relative(rel, values[-1])

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Keras 3 ``.keras`` file (weights, architecture and optimizer state for warm starts)."""
        if self.network is None:
            raise ModelError("nothing to save: the model is not trained")
        target = Path(path)
        if target.suffix != ".keras":
            raise ModelError(f"model files end in .keras, got {target.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.network.save(target)
        return target

    def keras_bytes(self) -> bytes:
        """The ``.keras`` file as bytes: what the registry stores (Keras only saves to paths)."""
        with tempfile.TemporaryDirectory(prefix="cryptonic-save-") as tmp:
            return self.save(Path(tmp) / "model.keras").read_bytes()

    @classmethod
    def from_keras_bytes(cls, data: bytes, spec: ModelSpec | None = None) -> Model:
        """A model from a stored ``.keras`` file's bytes (Keras only loads from paths)."""
        with tempfile.TemporaryDirectory(prefix="cryptonic-load-") as tmp:
            path = Path(tmp) / "model.keras"
            path.write_bytes(data)
            return cls.load(path, spec)

    @classmethod
    def load(cls, path: str | Path, spec: ModelSpec | None = None) -> Model:
        """Load a ``.keras`` file; its input shape must match ``spec`` when one is given."""
        keras = _keras()
        source = Path(path)
        try:
            network = keras.models.load_model(source)
        except Exception as exc:  # keras raises ValueError, OSError, zipfile errors...
            raise ModelError(f"cannot load model from {source}: {exc}") from exc
        arch: Arch = "book" if network.name == "cryptonic_book" else "default"
        weeks = int(network.input_shape[1])
        names = {layer.name for layer in network.layers}
        quantiles = tuple(network.get_layer("quantiles").quantiles) if "quantiles" in names else ()
        loaded = ModelSpec(
            arch=arch,
            weeks=weeks,
            units=int(network.get_layer("lstm").units),
            quantiles=quantiles,
            **_saved_knobs(network, arch),
        )
        if spec is not None:
            mismatch = loaded.shape_mismatch(spec)
            if mismatch:
                raise ModelError(mismatch)
            loaded = spec
        return cls(loaded, network)


def _saved_knobs(network: Any, arch: Arch) -> dict[str, Any]:
    """The tuning knobs a loaded network was built with, read from its layers and optimizer, so
    that a warm start under other knobs is refused rather than silently trained as saved."""
    lstm = network.get_layer("lstm")
    layers = sum(1 for layer in network.layers if type(layer).__name__ == "LSTM")
    penalty = lstm.kernel_regularizer
    activation = getattr(lstm.activation, "__name__", "tanh")
    optimizer = type(network.optimizer).__name__.lower()
    knobs: dict[str, Any] = {
        "lstm_layers": layers,
        "activation": activation if activation in ACTIVATIONS else "tanh",
        "dropout": float(lstm.dropout),
        "recurrent_dropout": float(lstm.recurrent_dropout),
        "l1": float(getattr(penalty, "l1", 0.0)),
        "l2": float(getattr(penalty, "l2", 0.0)),
    }
    if arch == "default" and optimizer in OPTIMIZERS:
        knobs["optimizer"] = optimizer
    return knobs
