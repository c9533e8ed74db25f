"""The promotion gate's inputs, read off the backtest: the challenger's and persistence's scores
over the whole window (its interval's coverage after adaptive calibration), the skill the champion
earned when it was published, and both models' MAPE on the origins neither trained on
(cryptonic.jobs.retrain.gate says how it decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptonic.config import Settings
from cryptonic.forecast.scores import Scores
from cryptonic.jobs.retrain.gate import GateDecision, decide
from cryptonic.registry.manifest import Manifest
from cryptonic.training.evaluation.backtest import BacktestReport


def gate_decision(
    settings: Settings,
    report: BacktestReport,
    arch: str,
    champion: Manifest | None,
    sane: bool,
    *,
    warm_started: bool = False,
) -> GateDecision:
    """The gate's verdict on the challenger (the ``arch`` rows of ``report``); ``sane``: its
    served forecast is usable prices; ``warm_started``: trained by strategy ``continue``."""
    challenger = report.row(arch)
    persistence = report.row("persistence")
    return decide(
        sane=sane,
        sanity_problem="" if sane else "forecast is not finite and positive",
        challenger_mape=challenger.mape,
        challenger_skill=challenger.skill,
        persistence_mape=persistence.mape,
        margin=settings.promotion_margin,
        interval_level=challenger.interval_level,
        coverage_tolerance=settings.coverage_tolerance,
        warm_started=warm_started,
        **coverage_inputs(challenger),
        **champion_inputs(report, arch, champion),
    )


def coverage_inputs(challenger: Scores) -> dict[str, Any]:
    """The coverage the gate judges: after adaptive calibration when the backtest replayed it
    (the band users are served adapts), with the fit-time one beside it for the reason."""
    judged = {"challenger_coverage": challenger.served_coverage}
    if challenger.adaptive_coverage is None:
        return judged
    return {**judged, "fit_time_coverage": challenger.coverage}


def champion_inputs(report: BacktestReport, arch: str, champion: Manifest | None) -> dict[str, Any]:
    """What the gate knows of the champion: its version, its recorded skill and, when it was
    backtested here, both models' MAPE on the weeks after its training data (none: a first
    model)."""
    if champion is None:
        return {}
    metrics = champion.metrics
    inputs: dict[str, Any] = {
        "champion_version": champion.version,
        "champion_recorded_skill": metrics.model.skill if metrics and metrics.model else None,
    }
    clean = first_unseen(report, champion.data.end)
    if clean is not None and any(r.model == "champion" for r in report.rows):
        unseen = report.since(clean)
        inputs.update(
            clean_weeks=unseen.weeks,
            clean_challenger_mape=unseen.row(arch).mape,
            clean_champion_mape=unseen.row("champion").mape,
        )
    return inputs


def first_unseen(report: BacktestReport, champion_end: dt.date | None) -> int | None:
    """Position of the first origin whose forecast days all come after the champion's data."""
    if champion_end is None:
        return None
    for position, days in enumerate(report.forecast_dates):
        if days[0] > champion_end:
            return position
    return None
