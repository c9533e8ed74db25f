"""Conformal calibration of the forecast interval (numpy only).

A quantile network fitted with the pinball loss is only as honest as its fit: it may be too sure
of itself in a calm stretch, or too timid after a wild one. So after each fit the spread around
the median is rescaled, per horizon day, on windows the fit never took a gradient step on (the
validation tail, which sits after the training windows with a gap so that no training target
overlaps a calibration target).

The score of a window is the smallest factor that would have put its realized close inside the
interval: ``(median - y) / (median - lower)`` below the median, ``(y - median) / (upper - median)``
above. The factor used is the ``ceil((n + 1) * level)``-th smallest of n scores (split conformal's
finite-sample quantile): under exchangeable windows, a fresh window's close falls inside the
rescaled interval with probability at least ``level``. Windows of a price series are not
exchangeable, which is why coverage is then measured again where it counts, on the backtest's
origins that the calibration never saw.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cryptonic.forecast.windows import FloatArray
from cryptonic.training.evaluation.error_measures import coverage

METHOD = "conformal-spread"
"""Split conformal, multiplicative on each horizon day's spread around the median."""
FACTOR_RANGE = (0.05, 20.0)
"""Factors are clipped here: a degenerate calibration set must not publish a zero-width or
infinite interval."""


@dataclass(frozen=True)
class IntervalCalibration:
    """What the calibration did: the manifest's ``calibration`` section."""

    method: str
    level: float
    factors: list[float]
    windows: int
    coverage_before: float
    coverage_after: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def scores(actual: npt.ArrayLike, quantiles: npt.ArrayLike, median_index: int) -> FloatArray:
    """Per window and horizon day, the spread factor that just covers the realized value.

    ``actual`` is (n, horizon), ``quantiles`` (n, horizon, Q) ascending along the last axis.
    A zero-width side scores 0 when the value sits on the median and infinity otherwise.
    """
    y = np.asarray(actual, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    median, lower, upper = q[..., median_index], q[..., 0], q[..., -1]
    below = y < median
    distance = np.abs(y - median)
    room = np.where(below, median - lower, upper - median)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(room > 0, distance / np.where(room > 0, room, 1.0), np.inf)
    return np.asarray(np.where(distance == 0, 0.0, ratio), dtype=np.float64)


def conformal_factor(values: npt.ArrayLike, level: float) -> float:
    """The ``ceil((n + 1) * level)``-th smallest score (the largest when that exceeds n)."""
    s = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if s.size == 0:
        raise ValueError("conformal calibration needs at least one window")
    rank = min(s.size, math.ceil((s.size + 1) * level))
    return float(s[rank - 1])


def calibrate(
    actual: npt.ArrayLike, quantiles: npt.ArrayLike, median_index: int, level: float
) -> IntervalCalibration:
    """Per-horizon factors on the spread that make [lowest, highest] cover ``level``."""
    y = np.asarray(actual, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    if y.ndim != 2 or q.shape[:2] != y.shape:
        raise ValueError(f"actual {y.shape} and quantiles {q.shape} do not match")
    s = scores(y, q, median_index)
    low, high = FACTOR_RANGE
    factors = [
        float(np.clip(conformal_factor(s[:, h], level), low, high)) for h in range(y.shape[1])
    ]
    scaled = rescale(q, median_index, factors)
    return IntervalCalibration(
        method=METHOD,
        level=level,
        factors=factors,
        windows=int(y.shape[0]),
        coverage_before=coverage(y, q[..., 0], q[..., -1]),
        coverage_after=coverage(y, scaled[..., 0], scaled[..., -1]),
    )


def rescale(quantiles: npt.ArrayLike, median_index: int, factors: npt.ArrayLike) -> FloatArray:
    """Quantiles with each horizon day's distances to the median multiplied by its factor:
    what the network's ``spread_scale`` computes, for checks and for baselines."""
    q = np.asarray(quantiles, dtype=np.float64)
    median = q[..., median_index : median_index + 1]
    f = np.asarray(factors, dtype=np.float64)[:, None]
    return np.asarray(median + f * (q - median), dtype=np.float64)
