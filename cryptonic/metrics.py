"""Forecast error measures (numpy only), each with the textbook definition.

MAPE is the mean of |actual - forecast| / |actual| in percent, over every forecast point; the
book's version divided differently and reported a number that was not a MAPE.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def _pair(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64)
    f = np.asarray(forecast, dtype=np.float64)
    if a.shape != f.shape:
        raise ValueError(f"actual {a.shape} and forecast {f.shape} differ in shape")
    if a.size == 0:
        raise ValueError("no forecast points to score")
    return a, f


def mape(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Mean absolute percentage error, in percent."""
    a, f = _pair(actual, forecast)
    if np.any(a == 0):
        raise ValueError("MAPE is undefined when an actual value is zero")
    return float(np.mean(np.abs((a - f) / a)) * 100.0)


def mape_by_horizon(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> list[float]:
    """MAPE of each horizon step (column) of a (origins, horizon) array, in percent."""
    a, f = _pair(actual, forecast)
    return [float(v) for v in np.mean(np.abs((a - f) / a), axis=0) * 100.0]


def rmse(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Root mean squared error, in price units."""
    a, f = _pair(actual, forecast)
    return float(np.sqrt(np.mean((a - f) ** 2)))


def mae(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float:
    """Mean absolute error, in price units."""
    a, f = _pair(actual, forecast)
    return float(np.mean(np.abs(a - f)))


def naive_scale(insample: npt.ArrayLike) -> float:
    """MASE denominator: in-sample MAE of the one-step naive forecast (Hyndman & Koehler)."""
    x = np.asarray(insample, dtype=np.float64)
    if x.size < 2:
        raise ValueError("MASE needs at least two in-sample points")
    scale = float(np.mean(np.abs(np.diff(x))))
    if scale == 0:
        raise ValueError("MASE is undefined for a constant in-sample series")
    return scale


def mase(actual: npt.ArrayLike, forecast: npt.ArrayLike, insample: npt.ArrayLike) -> float:
    """Mean absolute scaled error: below 1 beats the in-sample one-step naive forecast."""
    return mae(actual, forecast) / naive_scale(insample)


def skill(model_mape: float, persistence_mape: float) -> float:
    """1 - MAPE_model / MAPE_persistence: positive beats the last close, 0 ties, negative loses."""
    if persistence_mape <= 0:
        raise ValueError("skill is undefined when persistence is perfect")
    return 1.0 - model_mape / persistence_mape
