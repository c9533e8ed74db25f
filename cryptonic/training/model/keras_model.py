"""The Keras forecaster: fit, train and predict (training side only), behind the same contract
as the baselines (training/forecaster.py).

Two architectures (their networks are built in networks.py):

* ``default`` (ours): every day is a training origin (thousands of sliding windows instead of
  the book's single sample). Input: the last ``weeks`` x 7 closes relative to the last close,
  shaped (weeks, 7). Output: quantiles (``ModelSpec.quantiles``, 0.1 / 0.5 / 0.9 by default) of
  each of the next 7 closes relative to the last close, ordered by construction (quantile_head.py),
  fitted with the pinball loss; the median is the point forecast. The median starts at zero, so
  an untrained model *is* the persistence forecast and training has to earn every deviation from
  it; a chronological validation tail with early stopping picks the epoch, then calibrates the
  interval (calibration.py) on those windows, which no gradient step used. With ``quantiles=()``
  it is the point model published before intervals existed (one output per day, MAE loss).
  Log-return inputs, daily LSTM steps, high/low range and volume inputs and a seed ensemble were
  tried against it (issue 13, bench/EXPERIMENTS.md): none beat it beyond seed noise.
* ``book``: the textbook model, kept to reproduce its numbers. LSTM(7) -> Dense(7), rmsprop, MSE,
  fitted on ONE sample: N weeks (each normalized to its own first close) -> the next week.

Saving and loading are saved.py's; ``Model`` keeps them as its entry points. TensorFlow is
imported on first use, and nowhere on the serving path.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

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
from cryptonic.training.model.networks import build_network, keras_with_our_layers
from cryptonic.training.model.saved import (
    network_bytes,
    read_network,
    read_network_bytes,
    save_network,
    saved_spec,
)
from cryptonic.training.model.spec import ModelSpec

if TYPE_CHECKING:
    from cryptonic.training.model.quantile_head import QuantileHead

__all__ = ["Model", "TrainReport"]

log = logging.getLogger("cryptonic.model")

Windows = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
"""Network inputs and targets, one row per window."""


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


def _verbosity(verbose: bool | None) -> int:
    """Progress bar on a terminal, silence in logs, one line per epoch when asked explicitly."""
    if verbose is None:
        return 1 if sys.stderr.isatty() else 0
    return 2 if verbose else 0


def _epoch_losses(history: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Training and validation loss per epoch; a diverged fit is refused before anything is
    calibrated or reported from it."""
    losses = [float(v) for v in history["loss"]]
    val_losses = [float(v) for v in history.get("val_loss", [])]
    if not np.all(np.isfinite(losses)):
        raise ModelError("training diverged: the loss is not finite")
    return losses, val_losses


class Model:
    """A Keras forecaster behind the same interface as the baselines (the Forecaster and
    QuantileForecaster of training/forecaster.py)."""

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

    def build(self) -> Any:
        """A fresh, compiled network for the spec, with seeded weights (networks.py)."""
        self.network = build_network(self.spec)
        return self.network

    # -- data shaping ------------------------------------------------------------------------
    def inputs_at(self, closes: FloatArray, origins: npt.ArrayLike) -> npt.NDArray[np.float32]:
        """Network inputs for each origin, built from closes up to that origin only."""
        return model_inputs(closes, origins, self.spec.arch, self.spec.weeks)

    def training_set(self, closes: FloatArray) -> Windows:
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

    def _validation_split(
        self, x: npt.NDArray[np.float32], y: npt.NDArray[np.float32]
    ) -> tuple[Windows, Windows | None]:
        """The windows a fit steps on and its chronological validation tail (none for the book's
        single sample). A horizon's gap between them: the targets of the last training windows
        would overlap the tail's."""
        if self.spec.arch == "book" or self.spec.validation_fraction == 0:
            return (x, y), None
        n_val = max(1, int(len(x) * self.spec.validation_fraction))
        cut = -(n_val + self.spec.horizon)
        return (x[:cut], y[:cut]), (x[-n_val:], y[-n_val:])

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
        x, y = self.training_set(np.asarray(closes, dtype=np.float64))
        fresh = not warm_start or self.network is None
        if fresh:
            self.build()
        else:
            keras_with_our_layers().utils.set_random_seed(self.spec.seed)
        start = time.perf_counter()
        (x_fit, y_fit), validation = self._validation_split(x, y)
        head = self._head()
        if head is not None:
            # Training fits raw quantiles; the spread is calibrated afresh after every fit, a
            # warm start's included (its parent's factors were fitted to older windows).
            head.set_spread_scale(np.ones(self.spec.horizon))
            if fresh:
                head.set_initial_spread(y_fit)
        history = self.network.fit(
            x_fit,
            y_fit,
            epochs=epochs or self.spec.epochs,
            batch_size=self.spec.batch_size,
            validation_data=validation,
            shuffle=True,
            callbacks=self._callbacks(validating=validation is not None),
            verbose=_verbosity(verbose),
        )
        losses, val_losses = _epoch_losses(history.history)
        best = int(np.argmin(val_losses)) if val_losses else len(losses) - 1
        self.calibration = None
        if head is not None and validation is not None:
            self.calibration = self._calibrate(head, *validation)
        self.report = TrainReport(
            samples=len(x_fit),
            validation_samples=0 if validation is None else len(validation[0]),
            epochs_run=len(losses),
            best_epoch=best + 1,
            loss=losses[best],
            val_loss=val_losses[best] if val_losses else None,
            seconds=time.perf_counter() - start,
            warm_start=not fresh,
        )
        log.info("trained %s model: %s", self.spec.arch, self.report.to_dict())
        if self.calibration is not None:
            log.info("calibrated its interval: %s", self.calibration.to_dict())
        return self.report

    def _callbacks(self, *, validating: bool) -> list[Any]:
        """Early stopping on the validation tail (its best weights kept), TensorBoard when
        :attr:`log_dir` is set."""
        keras = keras_with_our_layers()
        callbacks: list[Any] = []
        if validating:
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=self.spec.patience, restore_best_weights=True
                )
            )
        if self.log_dir is not None:
            callbacks.append(
                keras.callbacks.TensorBoard(log_dir=str(self.log_dir), write_graph=False)
            )
        return callbacks

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
        out = keras_with_our_layers().ops.convert_to_numpy(self.network(x, training=False))
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

    # -- persistence (saved.py) --------------------------------------------------------------
    def _trained_network(self) -> Any:
        if self.network is None:
            raise ModelError("nothing to save: the model is not trained")
        return self.network

    def save(self, path: str | Path) -> Path:
        """Keras 3 ``.keras`` file (weights, architecture and optimizer state for warm starts)."""
        return save_network(self._trained_network(), path)

    def keras_bytes(self) -> bytes:
        """The ``.keras`` file as bytes: what the registry stores."""
        return network_bytes(self._trained_network())

    @classmethod
    def from_keras_bytes(cls, data: bytes, spec: ModelSpec | None = None) -> Model:
        """A model from a stored ``.keras`` file's bytes (see :meth:`load` for ``spec``)."""
        network = read_network_bytes(data)
        return cls(saved_spec(network, spec), network)

    @classmethod
    def load(cls, path: str | Path, spec: ModelSpec | None = None) -> Model:
        """Load a ``.keras`` file; its input shape and knobs must match ``spec`` when one is
        given (the saved network is trained as it was built)."""
        network = read_network(path)
        return cls(saved_spec(network, spec), network)
