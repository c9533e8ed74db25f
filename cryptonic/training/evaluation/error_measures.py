"""Forecast error measures (numpy only), each with the textbook definition.

MAPE is the mean of |actual - forecast| / |actual| in percent, over every forecast point; the
book's version divided differently and reported a number that was not a MAPE.

Interval measures (coverage, width, pinball) score quantile forecasts: (origins, horizon, Q)
arrays ascending along the last axis, with the close each origin's forecast was made from
(``base``) to express width and pinball in percent of it, so that weeks at $10k and at $100k
weigh the same.
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


# -- intervals -------------------------------------------------------------------------------
def _bands(actual: npt.ArrayLike, quantiles: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    if q.ndim != a.ndim + 1 or q.shape[:-1] != a.shape:
        raise ValueError(f"actual {a.shape} and quantiles {q.shape} do not match")
    if a.size == 0:
        raise ValueError("no forecast points to score")
    return a, q


def _inside(actual: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> np.ndarray:
    a = np.asarray(actual, dtype=np.float64)
    return (a >= np.asarray(lower, dtype=np.float64)) & (a <= np.asarray(upper, dtype=np.float64))


def coverage(actual: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> float:
    """Share of realized values inside [lower, upper], bounds included (0..1)."""
    inside = _inside(actual, lower, upper)
    if inside.size == 0:
        raise ValueError("no forecast points to score")
    return float(np.mean(inside))


def coverage_by_horizon(
    actual: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike
) -> list[float]:
    """Coverage of each horizon step (column) of (origins, horizon) arrays."""
    return [float(v) for v in np.mean(_inside(actual, lower, upper), axis=0)]


def width(lower: npt.ArrayLike, upper: npt.ArrayLike, base: npt.ArrayLike) -> float:
    """Mean interval width in percent of each origin's close (``base``: one per row)."""
    lo = np.asarray(lower, dtype=np.float64)
    hi = np.asarray(upper, dtype=np.float64)
    b = np.asarray(base, dtype=np.float64).reshape(-1, *([1] * (lo.ndim - 1)))
    return float(np.mean((hi - lo) / b) * 100.0)


def _pinball_points(
    actual: npt.ArrayLike, quantiles: npt.ArrayLike, levels: npt.ArrayLike, base: npt.ArrayLike
) -> np.ndarray:
    """(origins, horizon) pinball loss averaged over the levels, in percent of ``base``."""
    a, q = _bands(actual, quantiles)
    lv = np.asarray(levels, dtype=np.float64)
    if lv.shape != q.shape[-1:]:
        raise ValueError(f"{lv.size} levels for {q.shape[-1]} quantiles")
    error = a[..., None] - q
    loss = np.maximum(lv * error, (lv - 1.0) * error).mean(axis=-1)
    b = np.asarray(base, dtype=np.float64).reshape(-1, *([1] * (a.ndim - 1)))
    return np.asarray(loss / b * 100.0)


def pinball(
    actual: npt.ArrayLike, quantiles: npt.ArrayLike, levels: npt.ArrayLike, base: npt.ArrayLike
) -> float:
    """Mean pinball (quantile) loss over points and levels, in percent of each origin's close.

    For level q and error e = actual - forecast: q * e if e >= 0, else (q - 1) * e. Lower is
    better; it rewards both coverage and narrowness, so it ranks intervals that coverage alone
    cannot (an absurdly wide band covers everything).
    """
    return float(np.mean(_pinball_points(actual, quantiles, levels, base)))


def pinball_by_horizon(
    actual: npt.ArrayLike, quantiles: npt.ArrayLike, levels: npt.ArrayLike, base: npt.ArrayLike
) -> list[float]:
    """Mean pinball loss of each horizon step, in percent of each origin's close."""
    return [float(v) for v in _pinball_points(actual, quantiles, levels, base).mean(axis=0)]
