"""Fit-time against adaptive calibration of the interval, on BTC, on real series other than BTC
(bench/reference_series.py: the S&P 500, the NASDAQ and WTI crude, cut at several dates) and on
any CSVs given.

For each series: the default model (fitted once on the closes before the first of 104 weekly
origins, as the backtest does) and persistence's empirical band (the past year's moves), each
scored on the same origins with the band as calibrated at fit time and as adapted with
CALIBRATION_STEP's default per matured outcome (the backtest replays the live update every day,
from the outcomes matured by each day only). Coverage of the 80% interval, pinball loss in
percent of the last close and pinball skill against persistence's unadapted band.

    python -m bench --only calibration [--csv-folder DIR]   # DIR/<NAME>.csv, Yahoo's layout
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import reference_series
from cryptonic.config import DEFAULT_CALIBRATION_STEP
from cryptonic.data import load_prices, read_prices_csv
from cryptonic.errors import DataError
from cryptonic.forecast.scores import Scores
from cryptonic.forecast.windows import FloatArray
from cryptonic.training.baselines.naive import Persistence
from cryptonic.training.evaluation.backtest import walk_forward
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec

WEEKS = 104
MODELS = ("default", "persistence")
log = logging.getLogger("bench.calibration")


@dataclass(frozen=True)
class Series:
    """A named price series the calibration parts backtest."""

    name: str
    closes: FloatArray
    dates: list[dt.date]


def series(csv_folder: Path | None) -> tuple[list[Series], dict[str, str]]:
    """BTC (the bundled snapshot), the real series bench/reference_series.py cuts from ``arch``'s
    datasets, then every ``*.csv`` of ``csv_folder`` by name; the files that could not be read,
    with why."""
    btc = load_prices("BTC-USD", source="bundled")
    found = [_series("BTC-USD", btc)]
    found += [_series(name, frame) for name, frame in reference_series.frames().items()]
    failed: dict[str, str] = {}
    for path in sorted(csv_folder.glob("*.csv")) if csv_folder else []:
        try:
            found.append(_series(path.stem, read_prices_csv(path)))
        except DataError as exc:
            failed[path.stem] = str(exc)
    return found, failed


def _series(name: str, frame: Any) -> Series:
    return Series(name, frame["close"].to_numpy(), [d.date() for d in frame["date"]])


def row_of(scores: Scores) -> dict[str, Any]:
    """The interval figures of one row, fit-time and adaptive."""
    return {
        "model": scores.model,
        "level": scores.interval_level,
        "coverage": scores.coverage,
        "adaptive_coverage": scores.adaptive_coverage,
        "pinball": scores.pinball,
        "adaptive_pinball": scores.adaptive_pinball,
        "pinball_skill": scores.pinball_skill,
        "adaptive_pinball_skill": scores.adaptive_pinball_skill,
        "width": scores.width,
        "adaptive_width": scores.adaptive_width,
        "coverage_by_horizon": scores.coverage_by_horizon,
        "adaptive_coverage_by_horizon": scores.adaptive_coverage_by_horizon,
        "adaptive_scales": scores.adaptive_scales,
    }


def run(csv_folder: Path | None = None, step: float = DEFAULT_CALIBRATION_STEP) -> dict[str, Any]:
    """Every series' rows for the default model and persistence."""
    found, failed = series(csv_folder)
    results = []
    for s in found:
        try:
            report = walk_forward(
                s.closes,
                s.dates,
                [Persistence(), Model(ModelSpec())],
                weeks=WEEKS,
                ticker=s.name,
                adaptive_step=step,
            )
        except DataError as exc:
            failed[s.name] = str(exc)
            continue
        results.append(
            {
                "series": s.name,
                "window": report.to_dict()["window"],
                "rows": [row_of(report.row(m)) for m in MODELS],
            }
        )
    return {
        "weeks": WEEKS,
        "step": step,
        "csv_folder": None if csv_folder is None else str(csv_folder),
        "series": results,
        "failed": failed,
    }
