"""A Keras model's dated forecast from a price frame: what ``cryptonic train`` and ``cryptonic
predict --model x.keras`` print, in the same :class:`~cryptonic.forecast.value.Forecast` shape
that serving answers with (the LiteRT predictor makes those)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cryptonic.data import frame_calendar
from cryptonic.forecast.calendar import next_dates
from cryptonic.forecast.value import Forecast
from cryptonic.training.model.keras_model import Model

__all__ = ["keras_forecast"]


def keras_forecast(model: Model, frame: pd.DataFrame, ticker: str) -> Forecast:
    """The forecast after the last close of ``frame``, on the frame's calendar, with the
    model's interval when it has one."""
    last = frame["date"].iloc[-1].date()
    closes = frame["close"].to_numpy(dtype=np.float64)
    last_close = float(closes[-1])
    bands: dict[str, Any] = {}
    if model.quantiles:
        q = last_close * (1.0 + model.predict_quantiles(closes, [closes.size - 1])[0])
        values = q[:, model.spec.median_index]
        bands = {
            "lower": [float(v) for v in q[:, 0]],
            "upper": [float(v) for v in q[:, -1]],
            "interval_level": model.spec.interval_level,
        }
    else:
        values = model.predict_closes(closes)
    return Forecast(
        ticker=ticker,
        as_of=last,
        last_close=last_close,
        dates=next_dates(last, len(values), frame_calendar(frame, ticker)),
        values=[float(v) for v in values],
        **bands,
    )
