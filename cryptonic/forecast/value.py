"""The forecast value object, shared by training and serving.

Lives apart from the model so the serving path (LiteRT predictor, API) can use it without
importing TensorFlow or pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Forecast:
    """A dated, denormalized forecast made at ``as_of`` from closes known up to that day.

    ``values`` is the point forecast (the median of a quantile model). ``lower`` and ``upper``
    bound the central interval of nominal coverage ``interval_level`` (e.g. 0.8: the 0.1 and 0.9
    quantiles, calibrated); all three are None for a point-only model (the book architecture).
    """

    ticker: str
    as_of: dt.date
    last_close: float
    dates: list[dt.date]
    values: list[float]
    model_version: str | None = None
    generated_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    lower: list[float] | None = None
    upper: list[float] | None = None
    interval_level: float | None = None

    def __post_init__(self) -> None:
        bands = (self.lower, self.upper)
        if (bands[0] is None) != (bands[1] is None):
            raise ValueError("lower and upper come together")
        if self.lower is not None and self.upper is not None:
            if not len(self.lower) == len(self.upper) == len(self.values):
                raise ValueError("lower, upper and values must have one entry per date")
            if self.interval_level is None or not 0.0 < self.interval_level < 1.0:
                raise ValueError("an interval needs its nominal level in (0, 1)")

    @property
    def has_interval(self) -> bool:
        return self.lower is not None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored as forecast.json and served by GET /predict.

        Every item has ``lower`` and ``upper`` (null for a point-only model), so readers need no
        second shape; ``interval_level`` sits at the top.
        """
        none: list[float | None] = [None] * len(self.values)
        lower: list[float | None] = list(self.lower) if self.lower is not None else none
        upper: list[float | None] = list(self.upper) if self.upper is not None else none
        return {
            "ticker": self.ticker,
            "model_version": self.model_version,
            "generated_at": self.generated_at,
            "as_of": self.as_of.isoformat(),
            "last_close": self.last_close,
            "period_length": len(self.values),
            "interval_level": self.interval_level,
            "result": [
                {"date": d.isoformat(), "prediction": v, "lower": lo, "upper": hi}
                for d, v, lo, hi in zip(self.dates, self.values, lower, upper, strict=True)
            ],
            **self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Forecast:
        """Read back a stored forecast.json (the inverse of to_dict)."""
        result = data["result"]
        known = {
            "ticker",
            "model_version",
            "generated_at",
            "as_of",
            "last_close",
            "period_length",
            "interval_level",
            "result",
        }
        banded = bool(result) and all(
            r.get("lower") is not None and r.get("upper") is not None for r in result
        )
        return cls(
            ticker=data["ticker"],
            as_of=dt.date.fromisoformat(data["as_of"]),
            last_close=float(data["last_close"]),
            dates=[dt.date.fromisoformat(r["date"]) for r in result],
            values=[float(r["prediction"]) for r in result],
            model_version=data.get("model_version"),
            generated_at=data.get("generated_at"),
            extra={k: v for k, v in data.items() if k not in known},
            lower=[float(r["lower"]) for r in result] if banded else None,
            upper=[float(r["upper"]) for r in result] if banded else None,
            interval_level=float(data["interval_level"]) if banded else None,
        )
