"""The retrain's two fits: the walk-forward backtest the gate judges (the challenger beside the
baselines and, when it loads, the champion, on the same origins), then the final fit on every
close, which is what gets published once exported (the candidate)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cryptonic.config import Settings
from cryptonic.errors import ModelError
from cryptonic.forecast.value import Forecast
from cryptonic.forecast.windows import FloatArray
from cryptonic.jobs.retrain.plan import ChampionWeights, TrainingPlan
from cryptonic.jobs.retrain.snapshot import PriceSnapshot
from cryptonic.training.baselines.naive import Drift, Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward
from cryptonic.training.forecaster import Forecaster
from cryptonic.training.model.export import ExportResult, export_tflite
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.model.stored import FrozenModel, WarmStartModel


@dataclass(frozen=True)
class Candidate:
    """The challenger to publish: trained on every close, exported, and its first forecast."""

    version: str
    model: Model
    exported: ExportResult
    forecast: Forecast

    @property
    def sane(self) -> bool:
        """The served forecast must be usable prices, whatever the backtest said."""
        values = self.forecast.values
        return bool(np.all(np.isfinite(values)) and min(values) > 0)


def backtest(
    settings: Settings,
    spec: ModelSpec,
    ticker: str,
    snapshot: PriceSnapshot,
    plan: TrainingPlan,
    weights: ChampionWeights | None,
    log_dir: Path | None,
) -> BacktestReport:
    """The challenger, the baselines and (when it loads) the champion on the same origins."""
    challenger: Model | WarmStartModel = (
        Model(spec) if plan.parent_keras is None else WarmStartModel(plan.parent_keras, spec)
    )
    challenger.log_dir = log_dir
    forecasters: list[Forecaster] = [
        Persistence(quantiles=settings.quantiles),
        Drift(),
        challenger,
    ]
    if weights is not None and weights.model is not None:
        forecasters.append(FrozenModel(weights.model, "champion"))
    return walk_forward(
        snapshot.closes,
        snapshot.dates,
        forecasters,
        weeks=settings.backtest_weeks,
        ticker=ticker,
        adaptive_step=settings.calibration_step,
    )


def final_fit(
    spec: ModelSpec,
    closes: FloatArray,
    parent_keras: bytes | None,
    log_dir: Path | None,
    verbose: bool | None,
) -> Model:
    """The model to publish, fit on every close (the backtest's fits stopped earlier): from the
    parent's weights for a warm start, else from scratch."""
    if parent_keras is not None:
        model = Model.from_keras_bytes(parent_keras, spec)
        model.log_dir = log_dir
        model.train(closes, warm_start=True, verbose=verbose)
    else:
        model = Model(spec)
        model.log_dir = log_dir
        model.train(closes, verbose=verbose)
    return model


def export(model: Model, closes: FloatArray) -> ExportResult:
    """The ``.tflite`` with its parity check; a refusal is a ModelError: nothing is published."""
    try:
        return export_tflite(model, closes)
    except ModelError as exc:
        raise ModelError(f"challenger refused before publishing: {exc}") from exc
