"""Baseline forecasters: the bars every model is judged against.

They are ``backtest.Forecaster``s like the model (``fit`` on closes, ``predict_relative`` at
origins), so the backtest treats them exactly like the LSTM: same origins, same data cut-off.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cryptonic.windows import FloatArray


class Persistence:
    """The last close, repeated: the naive forecast a model has to beat to be worth serving."""

    name = "persistence"

    def __init__(self, horizon: int = 7) -> None:
        self.horizon = horizon

    @property
    def min_history(self) -> int:
        return 1

    def fit(self, closes: FloatArray) -> None:
        """Nothing to learn."""

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        idx = np.asarray(origins, dtype=np.int64)
        return np.zeros((idx.size, self.horizon), dtype=np.float64)


class Drift:
    """The last close moved along the average daily log-return of the history up to the origin.

    ``window`` days of history (None: all of it) set the slope, as darts' NaiveDrift draws a line
    from the first to the last known point.
    """

    name = "drift"

    def __init__(self, horizon: int = 7, window: int | None = None) -> None:
        self.horizon = horizon
        self.window = window

    @property
    def min_history(self) -> int:
        return 2 if self.window is None else self.window + 1

    def fit(self, closes: FloatArray) -> None:
        """Nothing to learn: the slope is re-read at each origin from the past alone."""

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        idx = np.asarray(origins, dtype=np.int64)
        start = np.zeros_like(idx) if self.window is None else idx - self.window
        if np.any(start < 0) or np.any(idx - start < 1):
            raise ValueError("drift needs at least two closes before each origin")
        logs = np.log(closes)
        slope = (logs[idx] - logs[start]) / (idx - start)
        steps = np.arange(1, self.horizon + 1, dtype=np.float64)
        return np.asarray(np.expm1(slope[:, None] * steps[None, :]), dtype=np.float64)
