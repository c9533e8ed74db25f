"""Windowing and normalization of daily closes, with exact inverses (pure numpy).

Two schemes live here:

* **relative to the last known close** (the default model): the input window and the 7 targets
  are both divided by the close at the forecast origin, minus 1. A forecast of all zeros is then
  exactly the persistence ("last close") forecast, so the network only learns deviations from it,
  and denormalizing needs nothing the forecaster could not know at the origin.
* **point-relative weeks** (the textbook): closes grouped in blocks of 7 days, each divided by its
  own first close, minus 1. Denormalizing a predicted week that way needs that week's first close,
  which is in the future at the origin: the book's one-day leak. We keep it to reproduce the book.

Everything takes integer *origins*: the index of the last close the forecaster may see. No
function here reads ``closes[origin + 1:]`` except the explicit target builders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from cryptonic.errors import DataError

if TYPE_CHECKING:
    from cryptonic.config import Arch  # a type only: this module stays numpy and nothing else

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DAYS_PER_WEEK = 7


def _check_origins(origins: IntArray, n: int, need_before: int, need_after: int) -> None:
    if origins.size == 0:
        return
    if origins.min() < need_before - 1:
        raise DataError(
            f"origin {int(origins.min())} has fewer than {need_before} closes of history"
        )
    if origins.max() + need_after > n - 1:
        raise DataError(f"origin {int(origins.max())} has fewer than {need_after} closes after it")


def history_windows(closes: FloatArray, origins: npt.ArrayLike, lookback: int) -> FloatArray:
    """Inputs of the default model: the ``lookback`` closes up to each origin, relative to it."""
    idx = np.asarray(origins, dtype=np.int64)
    _check_origins(idx, closes.size, lookback, 0)
    offsets = np.arange(-lookback + 1, 1)
    return normalize_relative(closes[idx[:, None] + offsets[None, :]], closes[idx])


def target_windows(closes: FloatArray, origins: npt.ArrayLike, horizon: int) -> FloatArray:
    """Targets of the default model: the ``horizon`` closes after each origin, relative to it."""
    idx = np.asarray(origins, dtype=np.int64)
    _check_origins(idx, closes.size, 1, horizon)
    offsets = np.arange(1, horizon + 1)
    return normalize_relative(closes[idx[:, None] + offsets[None, :]], closes[idx])


def training_origins(n: int, lookback: int, horizon: int) -> IntArray:
    """Every origin with a full input window before it and a full target after it."""
    first, last = lookback - 1, n - 1 - horizon
    if last < first:
        raise DataError(
            f"need at least {lookback + horizon} closes to make one training window, got {n}"
        )
    return np.arange(first, last + 1, dtype=np.int64)


def denormalize_relative(relative: npt.ArrayLike, base: npt.ArrayLike) -> FloatArray:
    """Prices from changes relative to a base close: one row of changes per base (or one base).

    The only way relative forecasts become prices, in training, backtests and serving alike:
    which close is the base is the caller's choice (the last known one, or the book's first close
    of the forecast week), the arithmetic is not. It also inverts ``normalize_weeks`` given each
    week's first close.
    """
    rel = np.asarray(relative, dtype=np.float64)
    base_arr = np.asarray(base, dtype=np.float64)
    if rel.ndim == 2 and base_arr.ndim == 1:
        base_arr = base_arr[:, None]
    return base_arr * (1.0 + rel)


def normalize_relative(values: npt.ArrayLike, base: npt.ArrayLike) -> FloatArray:
    """Relative changes of ``values`` against ``base`` (the exact inverse of denormalize)."""
    vals = np.asarray(values, dtype=np.float64)
    base_arr = np.asarray(base, dtype=np.float64)
    if vals.ndim == 2 and base_arr.ndim == 1:
        base_arr = base_arr[:, None]
    return vals / base_arr - 1.0


def normalize_weeks(weeks: FloatArray) -> FloatArray:
    """The book's point-relative normalization: each week against its own first close."""
    return weeks / weeks[..., :1] - 1.0


def model_inputs(
    closes: FloatArray, origins: npt.ArrayLike, arch: Arch, weeks: int
) -> npt.NDArray[np.float32]:
    """The network input at each origin, shaped (origins, weeks, 7), for either architecture.

    Shared by the Keras model (training side) and the LiteRT predictor (serving side) so that
    both feed the network byte-identical inputs.
    """
    idx = np.asarray(origins, dtype=np.int64)
    lookback = weeks * DAYS_PER_WEEK
    relative = history_windows(closes, idx, lookback)
    blocks = relative.reshape(idx.size, weeks, DAYS_PER_WEEK)
    if arch == "book":
        blocks = normalize_weeks(blocks + 1.0)  # closes / origin close, then per-week normalized
    return blocks.astype(np.float32)
