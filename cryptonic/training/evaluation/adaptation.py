"""The backtest's replay of the live adaptive calibration, day by day and without look-ahead.

Live, the daily refresh forecasts every day, and every day the close that just settled scores the
forecasts it matured: day d's close settles the forecast made on day d - h for horizon day h, so
each horizon day's scale takes one outcome a day (cryptonic.forecast.adaptive, CALIBRATION_STEP
per matured outcome). The backtest scores weekly origins, but a weekly replay would feed each
scale one outcome a week and give the same step a seventh of its live effect. So the replay runs
every day from the first origin to the last: each day the outcomes that matured on it (their close
is that day's, known at that day's origin) move the state first, then that day's band is made
with the state reached. The band scored at a weekly origin is that day's adapted band.

The state starts at the fit-time calibration (every scale 1) on the first origin, as a newly
promoted champion's does: outcomes of forecasts made before it would be scored on the fit's own
data. A miss is judged against the adapted band that was served (the closes outside [lowest,
highest] quantile), the rule and the band are the shared core's (``AdaptiveScales``), so the
backtest, the refresh and the replay agree on what one step means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cryptonic.forecast.adaptive import AdaptiveScales, Outcome
from cryptonic.forecast.windows import FloatArray

__all__ = ["AdaptedBands", "adapt", "matured_outcomes"]


@dataclass(frozen=True)
class AdaptedBands:
    """Relative quantiles (days, horizon, Q) with each day's spread scaled by the state reached
    that day, and those scales (days, horizon); row i is the forecast made on ``first_day + i``."""

    first_day: int
    quantiles: FloatArray
    scales: FloatArray


def adapt(
    relative: FloatArray,
    closes: FloatArray,
    first_day: int,
    levels: Sequence[float],
    step: float,
) -> AdaptedBands:
    """Replay the adaptation over consecutive daily forecasts.

    ``relative[i]`` (horizon, Q) is the forecast made on day ``first_day + i`` (an index into
    ``closes``), relative to that day's close. Day i's band uses only closes up to day i.
    """
    q = np.asarray(relative, dtype=np.float64)
    days, horizon, _ = q.shape
    median_index = list(levels).index(0.5)
    level = round(levels[-1] - levels[0], 12)
    state = AdaptiveScales.fresh(level, horizon, step)
    adapted = np.empty_like(q)
    scales = np.empty((days, horizon), dtype=np.float64)
    for i in range(days):
        state = state.updated(matured_outcomes(adapted, closes, first_day, first_day + i))
        scales[i] = state.scales
        adapted[i] = _scaled(state, q[i], median_index)
    return AdaptedBands(first_day=first_day, quantiles=adapted, scales=scales)


def matured_outcomes(
    served: FloatArray, closes: FloatArray, first_day: int, day: int
) -> list[Outcome]:
    """The outcomes ``day``'s close settles: for each horizon day h, the band served on
    ``day - h`` (row ``day - h - first_day`` of ``served``) against the move to ``day``'s close.
    Bands served before ``first_day`` do not count; no close after ``day`` is read."""
    horizon = served.shape[1]
    outcomes = []
    for h in range(1, horizon + 1):
        made = day - h
        if made < first_day:
            break
        move = closes[day] / closes[made] - 1.0
        band = served[made - first_day, h - 1]
        outcomes.append(Outcome(h - 1, missed=not band[0] <= move <= band[-1]))
    return outcomes


def _scaled(state: AdaptiveScales, quantiles: FloatArray, median_index: int) -> FloatArray:
    """One forecast's (horizon, Q) quantiles with the state's band: every symmetric pair of
    levels scaled around the median, as the served band's ends are."""
    out = quantiles.copy()
    median = list(quantiles[:, median_index])
    for j in range(median_index):
        lower, upper = state.band(median, list(quantiles[:, j]), list(quantiles[:, -1 - j]))
        out[:, j], out[:, -1 - j] = lower, upper
    return out
