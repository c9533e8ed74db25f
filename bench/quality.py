"""Forecast quality: the LSTMs against persistence and drift, on honest walk-forward backtests.

Seeds matter for small networks (the book's model most of all), so each LSTM is trained with
several seeds and reported as the mean with its range; baselines have no seed.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from typing import Any

from cryptonic.backtest import (
    BOOK_TEST_END,
    BOOK_TRAIN_START,
    BacktestReport,
    ScoringProtocol,
    book_window_origins,
    walk_forward,
)
from cryptonic.baselines import Drift, Persistence
from cryptonic.data import load_prices
from cryptonic.model import Model, ModelSpec

SEEDS = (1, 2, 3)


def _rows_for(
    reports: list[BacktestReport], protocols: tuple[ScoringProtocol, ...]
) -> list[dict[str, Any]]:
    rows = []
    for protocol in protocols:
        names = [r.model for r in reports[0].rows if r.protocol == protocol]
        for name in names:
            mapes = [rep.row(name, protocol).mape for rep in reports]
            skills = [rep.row(name, protocol).skill for rep in reports]
            rmses = [rep.row(name, protocol).rmse for rep in reports]
            rows.append(
                {
                    "model": name,
                    "protocol": protocol,
                    "mape": statistics.mean(mapes),
                    "mape_min": min(mapes),
                    "mape_max": max(mapes),
                    "rmse": statistics.mean(rmses),
                    "skill": statistics.mean(skills),
                    "seeds": len(reports) if name in ("default", "book") else 0,
                }
            )
    return rows


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
            walk_forward(
                closes,
                dates,
                [
                    Persistence(),
                    Drift(),
                    Model(ModelSpec(seed=s)),
                    Model(ModelSpec(arch="book", weeks=186, seed=s)),
                ],
                weeks=weeks,
                ticker="BTC-USD",
            )
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
            [
                Persistence(),
                Drift(),
                Model(ModelSpec(arch="book", weeks=186, seed=s)),
                Model(ModelSpec(seed=s)),
            ],
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
    return {"train": train, "tables": tables, "seeds": list(SEEDS)}
