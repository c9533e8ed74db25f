"""Serving-side forecasts with the LiteRT interpreter (never imports TensorFlow or pandas).

The serving Lambda cold-starts on this module: ai-edge-litert plus numpy import in ~0.1 s where
TensorFlow takes ~3 s. It shares its input shaping with the Keras model (``windows.model_inputs``),
so the two agree to float32 rounding (checked at export, see export.py).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cryptonic.config import Arch, is_arch
from cryptonic.errors import ModelError, PredictionError
from cryptonic.forecast import Calendar, Forecast, next_dates
from cryptonic.windows import DAYS_PER_WEEK, FloatArray, denormalize_relative, model_inputs


class Predictor:
    """A loaded ``.tflite`` forecaster: recent closes in, the next 7 closes out."""

    def __init__(self, tflite: bytes, *, arch: str = "default") -> None:
        from ai_edge_litert.interpreter import Interpreter

        if not is_arch(arch):
            raise ModelError(f"unknown arch {arch!r}")
        try:
            self._interpreter: Any = Interpreter(model_content=tflite, num_threads=1)
            self._interpreter.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"not a usable .tflite model: {exc}") from exc
        inp = self._interpreter.get_input_details()[0]
        out = self._interpreter.get_output_details()[0]
        shape = tuple(int(v) for v in inp["shape"])
        if len(shape) != 3 or shape[0] != 1 or shape[2] != DAYS_PER_WEEK:
            raise ModelError(f"unexpected model input shape {shape}: want (1, weeks, 7)")
        self.arch: Arch = arch
        self.weeks = shape[1]
        self.horizon = int(out["shape"][-1])
        self._in, self._out = inp["index"], out["index"]
        self._lock = threading.Lock()  # one interpreter, not re-entrant

    @property
    def lookback(self) -> int:
        """How many recent closes a forecast needs."""
        return self.weeks * DAYS_PER_WEEK

    def run(self, window: npt.NDArray[np.float32]) -> FloatArray:
        """Raw network output for one prepared (weeks, 7) input window."""
        batch = np.ascontiguousarray(window, dtype=np.float32).reshape(1, self.weeks, DAYS_PER_WEEK)
        with self._lock:
            self._interpreter.set_tensor(self._in, batch)
            self._interpreter.invoke()
            out = self._interpreter.get_tensor(self._out)
        return np.asarray(out[0], dtype=np.float64)

    def validate(self, closes: Sequence[float] | npt.ArrayLike) -> FloatArray:
        """The last ``lookback`` closes as floats, or a PredictionError saying what is wrong."""
        try:
            values = np.asarray(closes, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise PredictionError("closes must be a list of numbers") from exc
        if values.ndim != 1:
            raise PredictionError("closes must be a flat list of numbers")
        if values.size < self.lookback:
            raise PredictionError(
                f"need at least {self.lookback} daily closes (oldest first), got {values.size}"
            )
        values = values[-self.lookback :]
        if not np.all(np.isfinite(values)):
            raise PredictionError("closes must be finite numbers (no NaN or infinity)")
        if np.any(values <= 0):
            raise PredictionError("closes must be positive prices")
        return values

    def predict_closes(self, closes: Sequence[float] | npt.ArrayLike) -> FloatArray:
        """The next closes after the last one given, denormalized with that last known close."""
        values = self.validate(closes)
        window = model_inputs(values, [values.size - 1], self.arch, self.weeks)[0]
        prices = denormalize_relative(self.run(window), values[-1])
        if not np.all(np.isfinite(prices)):
            raise ModelError("the model produced a non-finite forecast")
        return prices

    def forecast(
        self,
        closes: Sequence[float] | npt.ArrayLike,
        last_date: dt.date,
        *,
        ticker: str,
        calendar: Calendar = "D",
        model_version: str | None = None,
        generated_at: str | None = None,
    ) -> Forecast:
        """A dated forecast for the days after ``last_date`` (the date of the last close)."""
        prices = self.predict_closes(closes)
        last_close = float(np.asarray(closes, dtype=np.float64)[-1])
        return Forecast(
            ticker=ticker,
            as_of=last_date,
            last_close=last_close,
            dates=next_dates(last_date, len(prices), calendar),
            values=[float(v) for v in prices],
            model_version=model_version,
            generated_at=generated_at,
        )
