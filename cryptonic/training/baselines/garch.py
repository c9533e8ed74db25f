"""GARCH(1,1): the textbook volatility model, as an interval baseline (command line and benchmarks).

Volatility clusters: a wild day is likely followed by more. GARCH(1,1) says so in three numbers,
``sigma2[t+1] = omega + alpha * eps[t]^2 + beta * sigma2[t]``, which makes it the classic bar for
any interval forecast of daily returns. If the LSTM's band is not better than this one, the LSTM
is not earning its keep on intervals.

``fit`` estimates the parameters (``arch`` package, Student-t shocks, constant mean) on percent
log returns of the closes it is given, which the backtest cuts at the first origin. At each origin
the variance recursion then runs over the returns up to that origin only, with the fitted
parameters (as the LSTM, fitted once, reads each origin's own past). The h-day log return has
mean ``h * mu`` and variance the sum of the 1..h-day variance forecasts; its quantiles are those
of the standardized Student-t scaled by that deviation.

``arch`` (with scipy) is imported inside ``fit`` and is deliberately absent from the Lambda
images: the retrain pipeline never builds this baseline, and serving never imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cryptonic.config import DEFAULT_QUANTILES, check_quantiles
from cryptonic.errors import DataError
from cryptonic.forecast.windows import FloatArray

MIN_RETURNS = 100
"""Fewer daily returns than this and the three parameters are guesses."""


@dataclass(frozen=True)
class GarchParams:
    """Fitted GARCH(1,1) parameters, returns in percent."""

    mu: float
    omega: float
    alpha: float
    beta: float
    nu: float  # Student-t degrees of freedom (> 2)


def percent_log_returns(closes: FloatArray) -> FloatArray:
    """``100 * log(c[t] / c[t-1])``: the scale ``arch`` estimates well."""
    return np.asarray(100.0 * np.diff(np.log(closes)), dtype=np.float64)


def conditional_variance(returns: FloatArray, params: GarchParams) -> FloatArray:
    """``sigma2[t]``, the variance of return t given returns before it (len(returns) + 1 values:
    the last is the one-step forecast after the last return). Starts at the sample variance."""
    eps = returns - params.mu
    out = np.empty(returns.size + 1, dtype=np.float64)
    out[0] = float(np.var(eps)) if eps.size else params.omega / max(1e-12, 1 - params.alpha)
    for t in range(returns.size):
        out[t + 1] = params.omega + params.alpha * eps[t] ** 2 + params.beta * out[t]
    return out


def horizon_variances(one_step: FloatArray, params: GarchParams, horizon: int) -> FloatArray:
    """(origins, horizon) variance of the h-day log return: the sum of the 1..h-day forecasts,
    each ``omega + (alpha + beta) * previous`` after the first."""
    persistence = params.alpha + params.beta
    daily = np.empty((one_step.size, horizon), dtype=np.float64)
    daily[:, 0] = one_step
    for k in range(1, horizon):
        daily[:, k] = params.omega + persistence * daily[:, k - 1]
    return np.cumsum(daily, axis=1)


def standardized_t_quantiles(levels: Sequence[float], nu: float) -> FloatArray:
    """Quantiles of a Student-t with ``nu`` degrees of freedom scaled to unit variance."""
    from scipy import stats

    z = stats.t.ppf(np.asarray(levels, dtype=np.float64), nu)
    return np.asarray(z * np.sqrt((nu - 2.0) / nu), dtype=np.float64)


class Garch:
    """GARCH(1,1) with Student-t shocks: a point (its median) and quantiles at each origin."""

    name = "garch"

    def __init__(self, horizon: int = 7, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> None:
        self.horizon = horizon
        self.quantiles = check_quantiles(quantiles)
        self.params: GarchParams | None = None

    @property
    def min_history(self) -> int:
        return MIN_RETURNS + 1

    def fit(self, closes: FloatArray) -> None:
        """Maximum likelihood on the percent log returns of ``closes``."""
        from arch import arch_model

        returns = percent_log_returns(np.asarray(closes, dtype=np.float64))
        if returns.size < MIN_RETURNS:
            raise DataError(f"GARCH needs at least {MIN_RETURNS} returns, got {returns.size}")
        result = arch_model(returns, mean="Constant", vol="GARCH", p=1, q=1, dist="t").fit(
            disp="off", show_warning=False
        )
        p = result.params
        self.params = GarchParams(
            mu=float(p["mu"]),
            omega=float(p["omega"]),
            alpha=float(p["alpha[1]"]),
            beta=float(p["beta[1]"]),
            nu=float(p["nu"]),
        )

    def _fitted(self) -> GarchParams:
        if self.params is None:
            raise RuntimeError("Garch.predict before fit")
        return self.params

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """(origins, horizon, Q) relative quantiles, each origin from its own past returns."""
        params = self._fitted()
        idx = np.asarray(origins, dtype=np.int64)
        values = np.asarray(closes, dtype=np.float64)
        # sigma2 over all returns up to the last origin: entry o is the variance of the return
        # from o to o + 1 given returns up to close o, i.e. the one-step forecast at origin o.
        variance = conditional_variance(percent_log_returns(values[: int(idx.max()) + 1]), params)
        sums = horizon_variances(variance[idx], params, self.horizon)
        steps = np.arange(1, self.horizon + 1, dtype=np.float64)
        z = standardized_t_quantiles(self.quantiles, params.nu)
        log_q = (params.mu * steps)[None, :, None] + np.sqrt(sums)[..., None] * z[None, None, :]
        return np.asarray(np.expm1(log_q / 100.0), dtype=np.float64)

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        """The median: the constant mean compounded (the band's centre)."""
        params = self._fitted()
        idx = np.asarray(origins, dtype=np.int64)
        steps = np.arange(1, self.horizon + 1, dtype=np.float64)
        return np.asarray(np.tile(np.expm1(params.mu * steps / 100.0), (idx.size, 1)))
