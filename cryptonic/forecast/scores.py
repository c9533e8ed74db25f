"""One forecaster's scores on a backtest window: what the backtest computes, each manifest keeps
(the model's, persistence's, drift's, the champion's of the day) and ``/status`` serves.

One type on both sides, so a field the backtest renames fails a test instead of reaching a reader
as ``None``. MAPE and MAE are in percent of the close; the interval scores are ``None`` for a
point forecaster: the share of realized closes inside the central interval, its nominal level,
its mean width and the mean pinball loss over the quantiles (both in percent of the last close),
and the pinball skill against persistence's empirical quantiles. Pydantic only (the serving cold
start parses manifests); unknown keys are kept, as in every stored document. The point scores are
required: every manifest since release 0.1 has them (tests/fixtures/manifests/manifest-0.1.json),
the interval ones arrived later and may be missing.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["INTERVAL_FIELDS", "Scores", "ScoringProtocol"]

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


class Scores(BaseModel):
    """The error measures of one forecaster under one protocol."""

    model_config = ConfigDict(extra="allow", frozen=True)

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

    def to_dict(self) -> dict[str, Any]:
        """Every field, interval ones included (``None`` for a point forecaster): the shape of
        ``cryptonic backtest --json`` and of the tuner's reports."""
        return {name: getattr(self, name) for name in type(self).model_fields}
