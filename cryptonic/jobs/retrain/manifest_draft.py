"""What a new version says about itself: the run config that makes two trainings comparable, the
backtest record the gate judged on, and the whole manifest draft (the registry adds the version
id and the artifacts' hashes when it publishes)."""

from __future__ import annotations

from cryptonic import __version__
from cryptonic.config import Settings
from cryptonic.jobs.retrain.fits import Candidate
from cryptonic.jobs.retrain.gate import GateDecision
from cryptonic.jobs.retrain.plan import TrainingPlan
from cryptonic.registry.manifest import (
    BacktestRecord,
    BacktestWindow,
    Calibration,
    DataInfo,
    ExportInfo,
    GateRecord,
    Manifest,
    ManifestDraft,
    ModelShape,
    RunConfig,
)
from cryptonic.training.evaluation.backtest import BacktestReport
from cryptonic.training.model.spec import ModelSpec


def run_config(settings: Settings, spec: ModelSpec) -> RunConfig:
    """What makes two trainings comparable: with this and the price snapshot unchanged, a
    published version already says how the training went (cryptonic.jobs.retrain.skip)."""
    return RunConfig(
        model=spec.to_dict(),
        start_date=settings.start_date,
        end_date=settings.end_date,
        data_source=settings.data_source,
        backtest_weeks=settings.backtest_weeks,
        promotion_margin=settings.promotion_margin,
        coverage_tolerance=settings.coverage_tolerance,
    )


def backtest_record(report: BacktestReport, arch: str, champion: Manifest | None) -> BacktestRecord:
    """The honest rows of the backtest: the challenger's, the baselines' and (when it loaded)
    the champion's, on the same origins."""
    rows = {r.model: r for r in report.rows if r.protocol == "honest"}
    return BacktestRecord(
        window=BacktestWindow(**report.to_dict()["window"]),
        model=rows[arch],
        persistence=rows["persistence"],
        drift=rows["drift"],
        champion=rows.get("champion"),
        champion_version=champion.version if champion else None,
    )


def manifest_draft(
    config: RunConfig,
    spec: ModelSpec,
    data: DataInfo,
    plan: TrainingPlan,
    candidate: Candidate,
    metrics: BacktestRecord,
    gate: GateDecision,
    champion: Manifest | None,
) -> ManifestDraft:
    """The draft of the candidate's version, trained as ``plan`` says on ``data``."""
    forecast, model = candidate.forecast, candidate.model
    fit, calibration = model.report, model.calibration
    return ManifestDraft(
        ticker=forecast.ticker,
        created_at=forecast.generated_at,
        parent=champion.version if champion else None,
        strategy=plan.strategy,
        strategy_note=plan.note,
        app_version=__version__,
        config=config,
        model=ModelShape(
            arch=spec.arch,
            weeks=spec.weeks,
            lookback=spec.lookback,
            horizon=spec.horizon,
            calendar=data.calendar,
            quantiles=list(spec.quantiles) or None,
            interval_level=spec.interval_level,
        ),
        data=data,
        training=fit.to_dict() if fit else None,
        export=ExportInfo(
            parity_max_abs_diff=candidate.exported.max_abs_diff,
            windows_checked=candidate.exported.windows_checked,
        ),
        metrics=metrics,
        gate=GateRecord(**gate.to_dict()),
        calibration=Calibration(**calibration.to_dict()) if calibration else None,
    )
