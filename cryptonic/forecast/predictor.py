"""Serving-side forecasts with the LiteRT interpreter (never imports TensorFlow or pandas).

The serving Lambda cold-starts on this module: ai-edge-litert plus numpy import in ~0.1 s where
TensorFlow takes ~3 s. It shares its input shaping with the Keras model (``windows.model_inputs``),
so the two agree to float32 rounding (checked at export, see export.py).

Two kinds of ``.tflite`` serve here, told apart by their output shape:

* (1, 7): a point model (the book architecture, and every model published before intervals).
  Forecasts carry no band.
* (1, 7, Q): a quantile model, its columns ascending quantile levels, already calibrated by the
  export (the spread factors are weights). The median is the point forecast, the lowest and
  highest quantiles bound the interval. The levels come from the ``quantiles`` argument (the
  manifest's), else from the model file's own metadata (tflite_metadata.py), else, for Q = 3 only,
  the default 0.1 / 0.5 / 0.9.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from cryptonic.config import DEFAULT_QUANTILES, Arch, check_quantiles, is_arch
from cryptonic.errors import ModelError, PredictionError
from cryptonic.forecast.calendar import TradingDays, next_dates
from cryptonic.forecast.value import Forecast
from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray, denormalize_relative, model_inputs


class Predictor:
    """A loaded ``.tflite`` forecaster: recent closes in, the next 7 closes out (with their
    interval, for a quantile model)."""

    def __init__(
        self, tflite: bytes, *, arch: str = "default", quantiles: Sequence[float] | None = None
    ) -> None:
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
        out_shape = tuple(int(v) for v in out["shape"])
        if len(out_shape) == 2 and out_shape[0] == 1:
            self.quantiles: tuple[float, ...] | None = None
        elif len(out_shape) == 3 and out_shape[0] == 1:
            self.quantiles = _levels(tflite, out_shape[2], quantiles)
        else:
            raise ModelError(
                f"unexpected model output shape {out_shape}: want (1, 7) or (1, 7, quantiles)"
            )
        self.horizon = out_shape[1]
        self.interval_level: float | None = (
            None if self.quantiles is None else round(self.quantiles[-1] - self.quantiles[0], 12)
        )
        self._median = 0 if self.quantiles is None else self.quantiles.index(0.5)
        self._in, self._out = inp["index"], out["index"]
        self._lock = threading.Lock()  # one interpreter, not re-entrant

    @property
    def lookback(self) -> int:
        """How many recent closes a forecast needs."""
        return self.weeks * DAYS_PER_WEEK

    def run(self, window: npt.NDArray[np.float32]) -> FloatArray:
        """Raw network output for one prepared (weeks, 7) input window: (7,) or (7, Q)."""
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

    def _prices(self, closes: Sequence[float] | npt.ArrayLike) -> FloatArray:
        """Every output as prices: (7,) for a point model, (7, Q) for a quantile model."""
        values = self.validate(closes)
        window = model_inputs(values, [values.size - 1], self.arch, self.weeks)[0]
        prices = denormalize_relative(self.run(window), values[-1])
        if not np.all(np.isfinite(prices)):
            raise ModelError("the model produced a non-finite forecast")
        return prices

    def predict_closes(self, closes: Sequence[float] | npt.ArrayLike) -> FloatArray:
        """The next closes after the last one given, denormalized with that last known close
        (the median of a quantile model)."""
        prices = self._prices(closes)
        return prices if self.quantiles is None else prices[:, self._median]

    def predict_quantile_closes(self, closes: Sequence[float] | npt.ArrayLike) -> FloatArray:
        """(7, Q) prices at each level of :attr:`quantiles` (ModelError for a point model)."""
        if self.quantiles is None:
            raise ModelError("this model forecasts points, not quantiles")
        return self._prices(closes)

    def forecast(
        self,
        closes: Sequence[float] | npt.ArrayLike,
        last_date: dt.date,
        *,
        ticker: str,
        calendar: TradingDays = "D",
        model_version: str | None = None,
        generated_at: str | None = None,
    ) -> Forecast:
        """A dated forecast for the days after ``last_date`` (the date of the last close), with
        the interval of a quantile model (lower and upper: its lowest and highest quantile)."""
        prices = self._prices(closes)
        last_close = float(np.asarray(closes, dtype=np.float64)[-1])
        bands: dict[str, Any] = {}
        if self.quantiles is not None:
            bands = {
                "lower": [float(v) for v in prices[:, 0]],
                "upper": [float(v) for v in prices[:, -1]],
                "interval_level": self.interval_level,
            }
            prices = prices[:, self._median]
        return Forecast(
            ticker=ticker,
            as_of=last_date,
            last_close=last_close,
            dates=next_dates(last_date, len(prices), calendar),
            values=[float(v) for v in prices],
            model_version=model_version,
            generated_at=generated_at,
            **bands,
        )


def _levels(tflite: bytes, count: int, given: Sequence[float] | None) -> tuple[float, ...]:
    """The quantile levels of a (1, 7, count) output: given, else the file's, else the default."""
    source = "given"
    levels: Sequence[float] | None = given
    if levels is None:
        from cryptonic.forecast.tflite_metadata import read_metadata

        record = read_metadata(tflite) or {}
        levels, source = record.get("quantiles"), "in the model's metadata"
    if levels is None:
        if count != len(DEFAULT_QUANTILES):
            raise ModelError(
                f"the model forecasts {count} quantiles but neither its metadata nor the "
                "manifest says which: pass quantiles="
            )
        levels, source = DEFAULT_QUANTILES, "default"
    try:
        checked = check_quantiles(levels)
    except ValueError as exc:
        raise ModelError(f"quantiles {source}: {exc}") from exc
    if len(checked) != count:
        raise ModelError(
            f"{len(checked)} quantiles {source} ({list(checked)}) for a model with {count} outputs"
        )
    return checked
