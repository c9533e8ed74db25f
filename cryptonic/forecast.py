"""The forecast value object and forecast dates, shared by training and serving.

Lives apart from the model so the serving path (LiteRT predictor, API) can use it without
importing TensorFlow or pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Calendar = Literal["D", "B"]
"""``D``: every calendar day (crypto). ``B``: weekdays only (exchange-traded tickers)."""


def next_dates(last: dt.date, count: int, calendar: Calendar = "D") -> list[dt.date]:
    """The ``count`` dates after ``last`` on which the ticker has a close."""
    dates: list[dt.date] = []
    day = last
    while len(dates) < count:
        day += dt.timedelta(days=1)
        if calendar == "D" or day.weekday() < 5:
            dates.append(day)
    return dates


@dataclass(frozen=True)
class Forecast:
    """A dated, denormalized forecast made at ``as_of`` from closes known up to that day."""

    ticker: str
    as_of: dt.date
    last_close: float
    dates: list[dt.date]
    values: list[float]
    model_version: str | None = None
    generated_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape stored as forecast.json and served by GET /predict."""
        return {
            "ticker": self.ticker,
            "model_version": self.model_version,
            "generated_at": self.generated_at,
            "as_of": self.as_of.isoformat(),
            "last_close": self.last_close,
            "period_length": len(self.values),
            "result": [
                {"date": d.isoformat(), "prediction": v}
                for d, v in zip(self.dates, self.values, strict=True)
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
            "result",
        }
        return cls(
            ticker=data["ticker"],
            as_of=dt.date.fromisoformat(data["as_of"]),
            last_close=float(data["last_close"]),
            dates=[dt.date.fromisoformat(r["date"]) for r in result],
            values=[float(r["prediction"]) for r in result],
            model_version=data.get("model_version"),
            generated_at=data.get("generated_at"),
            extra={k: v for k, v in data.items() if k not in known},
        )
