"""Adaptive interval calibration: the band's scale per horizon day, learned from what happened.

A forecast's interval is calibrated once, after each fit, on a validation tail; when the market's
volatility moves, an "80%" band can hold the price 64% of the time. Adaptive conformal inference
(Gibbs and Candes, 2021, "Adaptive Conformal Inference Under Distribution Shift") repairs that
online: after each realized close, widen the band a little if the close fell outside, narrow it a
little if inside. Here the knob is a multiplicative scale of the band's spread around the median,
one per horizon day, updated in log space::

    log(scale_h) += step * (missed - (1 - level))

A miss rate above ``1 - level`` grows the scale, one below shrinks it, so the long-run coverage of
each day tends to ``level`` whatever the drift. A scale of 1 is the fit-time calibration: a new
champion starts there. Only outcomes that have matured (their close is known) may update the
state, and each exactly once: the caller (the refresh, the backtest, the replay) says which.

Standard library only (and the settings' default step): serving applies the scales to the bands
it serves.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from cryptonic.config import DEFAULT_CALIBRATION_STEP

__all__ = ["SCALE_RANGE", "AdaptiveScales", "Outcome"]

SCALE_RANGE: Final = (0.2, 5.0)
"""Bounds of a scale: adaptation corrects a drifting band, it never collapses or explodes it."""


@dataclass(frozen=True)
class Outcome:
    """One matured forecast day: its horizon index (0 = the first day) and whether the close fell
    outside the band served for it."""

    horizon: int
    missed: bool


@dataclass(frozen=True)
class AdaptiveScales:
    """The current scale of each horizon day's band, and the rule that moves it."""

    level: float
    step: float
    scales: tuple[float, ...]
    updates: int = 0
    """Outcomes applied so far (0: still the fit-time calibration)."""

    @classmethod
    def fresh(
        cls, level: float, horizon: int, step: float = DEFAULT_CALIBRATION_STEP
    ) -> AdaptiveScales:
        """The fit-time calibration as a starting state: every scale 1."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"the interval level must be in (0, 1), got {level}")
        if not step > 0.0:
            raise ValueError(f"the step must be positive, got {step}")
        return cls(level=level, step=step, scales=(1.0,) * horizon)

    def updated(self, outcomes: Iterable[Outcome]) -> AdaptiveScales:
        """The state after ``outcomes`` (each applied once, in the order given)."""
        logs = [math.log(s) for s in self.scales]
        low, high = (math.log(bound) for bound in SCALE_RANGE)
        count = 0
        for outcome in outcomes:
            if not 0 <= outcome.horizon < len(logs):
                raise ValueError(f"horizon {outcome.horizon} outside 0..{len(logs) - 1}")
            error = (1.0 if outcome.missed else 0.0) - (1.0 - self.level)
            logs[outcome.horizon] = min(high, max(low, logs[outcome.horizon] + self.step * error))
            count += 1
        scales = tuple(math.exp(value) for value in logs)
        return replace(self, scales=scales, updates=self.updates + count)

    def band(
        self, median: Sequence[float], lower: Sequence[float], upper: Sequence[float]
    ) -> tuple[list[float], list[float]]:
        """The served band: each day's spread around the median times its scale."""
        if not len(median) == len(lower) == len(upper) == len(self.scales):
            raise ValueError("median, lower, upper and the scales need one entry per day")
        return (
            [m - s * (m - lo) for m, lo, s in zip(median, lower, self.scales, strict=True)],
            [m + s * (hi - m) for m, hi, s in zip(median, upper, self.scales, strict=True)],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "step": self.step,
            "scales": list(self.scales),
            "updates": self.updates,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdaptiveScales:
        return cls(
            level=float(data["level"]),
            step=float(data["step"]),
            scales=tuple(float(s) for s in data["scales"]),
            updates=int(data.get("updates", 0)),
        )
