"""One forecaster's scores on a backtest window: what the backtest computes, each manifest keeps
(the model's, persistence's, drift's, the champion's of the day) and ``/status`` serves.

One type on both sides, so a field the backtest renames fails a test instead of reaching a reader
as ``None``. MAPE and MAE are in percent of the close; the interval scores are ``None`` for a
point forecaster: the share of realized closes inside the central interval, its nominal level,
its mean width and the mean pinball loss over the quantiles (both in percent of the last close),
and the pinball skill against persistence's empirical quantiles. The ``adaptive_*`` fields score
the same band after the adaptive calibration the live service applies (cryptonic.forecast.adaptive,
replayed day by day by the backtest): its coverage, width, pinball and pinball skill (against the
same persistence reference), the step per matured outcome it ran with and the scales it had
reached at the last origin. Pydantic only (the serving cold start parses manifests); unknown keys
are kept, as in every stored document. The point scores are required: every manifest since
release 0.1 has them (tests/fixtures/manifests/manifest-0.1.json), the interval ones arrived later
and the adaptive ones later still: both may be missing.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["ADAPTIVE_FIELDS", "INTERVAL_FIELDS", "Scores", "ScoringProtocol"]

ScoringProtocol = Literal["honest", "book"]
"""Which close denormalizes a forecast: the last one known at the origin, or the book's leak."""

INTERVAL_FIELDS: Final = (
    "coverage",
    "interval_level",
    "width",
    "pinball",
    "pinball_skill",
    "coverage_by_horizon",
    "pinball_by_horizon",
)
ADAPTIVE_FIELDS: Final = (
    "adaptive_coverage",
    "adaptive_width",
    "adaptive_pinball",
    "adaptive_pinball_skill",
    "adaptive_coverage_by_horizon",
    "adaptive_pinball_by_horizon",
    "adaptive_step",
    "adaptive_scales",
)


class Scores(BaseModel):
    """The error measures of one forecaster under one protocol."""

    # Built on first use: a serving cold start never reads one.
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    model: str
    protocol: ScoringProtocol
    mape: float
    rmse: float
    mae: float
    mase: float
    skill: float
    mape_by_horizon: list[float]
    coverage: float | None = None
    interval_level: float | None = None
    width: float | None = None
    pinball: float | None = None
    pinball_skill: float | None = None
    coverage_by_horizon: list[float] | None = None
    pinball_by_horizon: list[float] | None = None
    adaptive_coverage: float | None = None
    adaptive_width: float | None = None
    adaptive_pinball: float | None = None
    adaptive_pinball_skill: float | None = None
    adaptive_coverage_by_horizon: list[float] | None = None
    adaptive_pinball_by_horizon: list[float] | None = None
    adaptive_step: float | None = None
    adaptive_scales: list[float] | None = None

    @property
    def served_coverage(self) -> float | None:
        """The coverage of the band users are served: after adaptive calibration when the
        backtest replayed it, else the fit-time band's (what the gate and the tuner judge)."""
        return self.coverage if self.adaptive_coverage is None else self.adaptive_coverage

    @property
    def served_pinball_skill(self) -> float | None:
        """The pinball skill of the band users are served, as :attr:`served_coverage`."""
        if self.adaptive_pinball_skill is None:
            return self.pinball_skill
        return self.adaptive_pinball_skill

    def to_dict(self) -> dict[str, Any]:
        """Every field, interval ones included (``None`` for a point forecaster): the shape of
        ``cryptonic backtest --json`` and of the tuner's reports."""
        return {name: getattr(self, name) for name in type(self).model_fields}
