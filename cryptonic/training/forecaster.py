"""The forecaster contract: what the backtest, the tuner and the retrain can score.

The baselines (persistence, drift, GARCH), the Keras model and a stored champion all keep it, so
every one of them is judged the same way: same origins, same data cut-off, same scores. Pure
typing and numpy: importing it loads no model.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy.typing as npt

from cryptonic.forecast.windows import FloatArray

__all__ = ["Forecaster", "QuantileForecaster", "quantiles_of"]


class Forecaster(Protocol):
    """Anything the walk-forward backtest can score: the baselines, the LSTM, a frozen champion.

    Members are read-only properties so that a forecaster may compute them (the model's name is
    its arch) or keep them as plain attributes; the backtest only reads them.
    """

    @property
    def name(self) -> str:
        """The row name in the report; ``persistence`` is the one skill is measured against."""
        ...

    @property
    def horizon(self) -> int:
        """Days forecast after each origin."""
        ...

    @property
    def min_history(self) -> int:
        """Closes needed up to and including an origin before a forecast can be made."""
        ...

    def fit(self, closes: FloatArray) -> None:
        """Learn from closes; the backtest passes only closes up to the (first) origin."""
        ...

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """(len(origins), horizon) forecasts relative to ``closes[origin]``, using closes[:o+1]."""
        ...


@runtime_checkable
class QuantileForecaster(Forecaster, Protocol):
    """A forecaster that also forecasts quantiles; ``quantiles`` empty means it does not (a point
    model behind the same class, such as the book architecture)."""

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Ascending levels, symmetric around the median 0.5."""
        ...

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """(len(origins), horizon, Q) quantiles relative to ``closes[origin]``."""
        ...


def quantiles_of(forecaster: Forecaster) -> tuple[float, ...]:
    """The levels a forecaster forecasts (empty for a point forecaster)."""
    if isinstance(forecaster, QuantileForecaster):
        return tuple(forecaster.quantiles)
    return ()
