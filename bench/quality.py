"""Forecast quality: the LSTMs against persistence, drift and GARCH, on honest walk-forward
backtests, points and intervals.

Seeds matter for small networks (the book's model most of all), so each LSTM is trained with
several seeds and reported as the mean with its range; baselines have no seed. The interval
columns (coverage of the central interval, its width, pinball loss and pinball skill against
persistence's empirical quantiles) are filled for the forecasters that have quantiles: the
default LSTM, persistence (the past year's moves) and GARCH(1,1).

``point default`` is the default architecture with a point output (``quantiles=()``) and the
learning rate it had (1e-3): the model served before intervals, which the quantile model's median
must not be worse than.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from cryptonic.data import load_prices
from cryptonic.forecast.scores import ScoringProtocol
from cryptonic.training.baselines.garch import Garch
from cryptonic.training.baselines.naive import Drift, Persistence
from cryptonic.training.evaluation.backtest import (
    BOOK_TEST_END,
    BOOK_TRAIN_START,
    BacktestReport,
    book_window_origins,
    walk_forward,
)
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec

SEEDS = (1, 2, 3)
INTERVAL_FIELDS = ("coverage", "interval_level", "width", "pinball", "pinball_skill")
SEEDED = ("default", "book", "point default")


class PointDefault(Model):
    """The default architecture with today's point output, under its own row name."""

    @property
    def name(self) -> str:
        return "point default"


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.mean(present) if len(present) == len(values) else None


def _rows_for(
    reports: list[BacktestReport], protocols: tuple[ScoringProtocol, ...]
) -> list[dict[str, Any]]:
    rows = []
    for protocol in protocols:
        names = [r.model for r in reports[0].rows if r.protocol == protocol]
        for name in names:
            scores = [rep.row(name, protocol) for rep in reports]
            mapes = [r.mape for r in scores]
            row: dict[str, Any] = {
                "model": name,
                "protocol": protocol,
                "mape": statistics.mean(mapes),
                "mape_min": min(mapes),
                "mape_max": max(mapes),
                "rmse": statistics.mean(r.rmse for r in scores),
                "skill": statistics.mean(r.skill for r in scores),
                "seeds": len(reports) if name in SEEDED else 0,
            }
            for key in INTERVAL_FIELDS:
                row[key] = _mean([getattr(r, key) for r in scores])
            skills = [r.pinball_skill for r in scores if r.pinball_skill is not None]
            row["pinball_skill_min"] = min(skills) if skills else None
            row["pinball_skill_max"] = max(skills) if skills else None
            rows.append(row)
    return rows


def _forecasters(seed: int, book_first: bool = False) -> list[Any]:
    lstms: list[Any] = [
        Model(ModelSpec(seed=seed)),
        PointDefault(ModelSpec(seed=seed, quantiles=(), learning_rate=1e-3)),  # today's
        Model(ModelSpec(arch="book", weeks=186, seed=seed)),
    ]
    if book_first:
        lstms = [lstms[2], lstms[0], lstms[1]]
    return [Persistence(), Drift(), Garch(), *lstms]


def run() -> dict[str, Any]:
    """Training time of the default model and the backtest tables."""
    frame = load_prices("BTC-USD", source="bundled")
    closes = frame["close"].to_numpy()
    dates = [d.date() for d in frame["date"]]

    t = time.perf_counter()
    model = Model(ModelSpec())
    report = model.train(closes, verbose=False)
    train = {"seconds": time.perf_counter() - t, **report.to_dict()}

    tables: dict[str, Any] = {}
    for weeks in (52, 104):
        reports = [
            walk_forward(closes, dates, _forecasters(s), weeks=weeks, ticker="BTC-USD")
            for s in SEEDS
        ]
        tables[f"last {weeks} weeks"] = {
            "window": reports[0].to_dict()["window"],
            "rows": _rows_for(reports, ("honest",)),
        }

    book = load_prices("BTC-USD", BOOK_TRAIN_START, BOOK_TEST_END, source="bundled")
    book_dates: list[dt.date] = [d.date() for d in book["date"]]
    origins = book_window_origins(book_dates)
    reports = [
        walk_forward(
            book["close"].to_numpy(),
            book_dates,
            _forecasters(s, book_first=True),
            origins=origins,
            protocols=("book", "honest"),
            ticker="BTC-USD",
        )
        for s in SEEDS
    ]
    tables["book window"] = {
        "window": reports[0].to_dict()["window"],
        "rows": _rows_for(reports, ("book", "honest")),
    }
    calibration = model.calibration.to_dict() if model.calibration else None
    return {"train": train, "calibration": calibration, "tables": tables, "seeds": list(SEEDS)}
