"""Baseline forecasters: the bars every model is judged against.

They keep the forecaster contract like the model (``Forecaster`` and ``QuantileForecaster`` of
training/forecaster.py: ``fit`` on closes, ``predict_relative`` at origins), so the backtest
treats them exactly like the LSTM: same origins, same data cut-off.

Persistence also forecasts quantiles (``predict_quantiles``): the last close with the spread of
the h-day moves of the past year. That is the interval a model's has to beat, as the last close
is the point a model's median has to beat. The GARCH(1,1) interval baseline lives apart
(garch.py): it needs the ``arch`` package, which only the command line and the benchmarks install.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cryptonic.config import DEFAULT_QUANTILES, check_quantiles
from cryptonic.forecast.windows import FloatArray

EMPIRICAL_WINDOW = 365
"""Days of past moves behind persistence's quantiles: a year, long enough for the tails of a
7-day move, short enough to follow a change of regime."""
MIN_MOVES = 2
"""Fewer past moves than this at an origin and the spread is unknown: the interval is the point."""


def empirical_quantiles(
    closes: FloatArray,
    origins: npt.ArrayLike,
    horizon: int,
    levels: Sequence[float],
    window: int = EMPIRICAL_WINDOW,
) -> FloatArray:
    """(origins, horizon, Q) relative quantiles: the last close plus the past's h-day moves.

    For origin o and horizon h, the moves are ``c[t+h] / c[t] - 1`` for every t with
    ``o - window <= t`` and ``t + h <= o``: complete before the origin, so nothing after it is
    read. Their median is taken out (the distribution is centred on the last close), so the
    point of this forecaster stays persistence and its median quantile is the last close; only
    the spread comes from history.
    """
    idx = np.asarray(origins, dtype=np.int64)
    lv = np.asarray(levels, dtype=np.float64)
    out = np.zeros((idx.size, horizon, lv.size), dtype=np.float64)
    for h in range(1, horizon + 1):
        moves = np.full(closes.size, np.nan)
        moves[: closes.size - h] = closes[h:] / closes[:-h] - 1.0  # moves[t]: from t to t + h
        for i, origin in enumerate(idx):
            past = moves[max(0, origin - window) : max(0, origin - h + 1)]
            if past.size < MIN_MOVES:
                continue
            q = np.quantile(past, lv)
            out[i, h - 1] = q - np.quantile(past, 0.5)
    return out


class Persistence:
    """The last close, repeated: the naive forecast a model has to beat to be worth serving;
    its interval is the past year's moves around it (``empirical_quantiles``)."""

    name = "persistence"

    def __init__(
        self,
        horizon: int = 7,
        quantiles: Sequence[float] = DEFAULT_QUANTILES,
        window: int = EMPIRICAL_WINDOW,
    ) -> None:
        self.horizon = horizon
        self.quantiles = check_quantiles(quantiles)
        self.window = window

    @property
    def min_history(self) -> int:
        return 1

    def fit(self, closes: FloatArray) -> None:
        """Nothing to learn."""

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        idx = np.asarray(origins, dtype=np.int64)
        return np.zeros((idx.size, self.horizon), dtype=np.float64)

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return empirical_quantiles(closes, origins, self.horizon, self.quantiles, self.window)


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
