"""Keras -> ``.tflite`` export with a parity check (training side; imports TensorFlow).

The recipe that works for the LSTM with TF 2.21 / Keras 3: export a SavedModel with a fixed
(1, weeks, 7) input signature, then convert that with built-in ops only. ``from_keras_model`` and a
dynamic batch dimension both leave TensorList ops the plain LiteRT interpreter cannot run.

A model whose ``.tflite`` disagrees with Keras on real windows is refused: serving it would make
the API answer something the backtest never scored. For a quantile model the check covers every
quantile (the whole (7, Q) output), calibrated as it will serve, and the file records its levels
in its metadata (tflite_metadata.py).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cryptonic.errors import ModelError
from cryptonic.forecast.tflite_metadata import with_metadata
from cryptonic.forecast.windows import DAYS_PER_WEEK
from cryptonic.training.model.keras_model import Model

PARITY_TOLERANCE = 1e-5
"""Max abs difference allowed between Keras and LiteRT outputs (relative-change units)."""


class ExportError(ModelError):
    """The model could not be converted, or its converted form disagrees with Keras."""

    code = "export_error"


@dataclass(frozen=True)
class ExportResult:
    """The serving model and the evidence that it computes what Keras computes."""

    tflite: bytes
    max_abs_diff: float
    windows_checked: int


def convert_to_tflite(model: Model) -> bytes:
    """The ``.tflite`` flatbuffer of a trained model (built-in ops only, batch of one), with its
    output levels in the metadata."""
    import tensorflow as tf

    if model.network is None:
        raise ExportError("cannot export an untrained model")
    shape = (1, model.spec.weeks, DAYS_PER_WEEK)
    with tempfile.TemporaryDirectory(prefix="cryptonic-export-") as tmp:
        saved = Path(tmp) / "saved_model"
        try:
            model.network.export(
                str(saved), input_signature=[tf.TensorSpec(shape, tf.float32)], verbose=False
            )
            converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
            flatbuffer = bytes(converter.convert())
        except Exception as exc:  # the converter raises a zoo of types
            raise ExportError(f"TFLite conversion failed: {exc}") from exc
    quantiles = list(model.quantiles) or None
    return with_metadata(
        flatbuffer, {"quantiles": quantiles, "interval_level": model.spec.interval_level}
    )


def parity(model: Model, tflite: bytes, inputs: npt.NDArray[np.float32]) -> float:
    """Max abs difference between Keras and LiteRT outputs over the given input windows (every
    quantile of a quantile model)."""
    from cryptonic.forecast.predictor import Predictor

    if model.network is None:
        raise ExportError("cannot check parity of an untrained model")
    runtime = Predictor(tflite, arch=model.spec.arch)  # levels from the file, as exported
    if runtime.quantiles != (model.quantiles or None):
        raise ExportError(
            f"the .tflite says quantiles {runtime.quantiles}, the model {model.quantiles}"
        )
    expected = np.asarray(model.network.predict(inputs, verbose=0), dtype=np.float64)
    actual = np.stack([runtime.run(window) for window in inputs])
    if expected.shape != actual.shape:
        raise ExportError(f"LiteRT outputs {actual.shape[1:]}, Keras {expected.shape[1:]}")
    return float(np.max(np.abs(expected - actual)))


def export_tflite(
    model: Model,
    closes: npt.ArrayLike,
    *,
    windows: int = 64,
    tolerance: float = PARITY_TOLERANCE,
) -> ExportResult:
    """Convert, then check parity on the last ``windows`` real origins of ``closes``."""
    values = np.asarray(closes, dtype=np.float64)
    lookback = model.spec.lookback
    if values.size < lookback:
        raise ExportError(f"parity check needs at least {lookback} closes, got {values.size}")
    first = max(lookback - 1, values.size - windows)
    origins = np.arange(first, values.size, dtype=np.int64)
    inputs = model.inputs_at(values, origins)
    flatbuffer = convert_to_tflite(model)
    diff = parity(model, flatbuffer, inputs)
    if not np.isfinite(diff) or diff > tolerance:
        raise ExportError(
            f"LiteRT output differs from Keras by {diff:.3g} (> {tolerance:g}) on "
            f"{len(origins)} windows: refusing to publish this model"
        )
    return ExportResult(tflite=flatbuffer, max_abs_diff=diff, windows_checked=len(origins))
