"""The weekly retrain job, end to end: prices -> skip check -> backtest -> train and export ->
gate -> publish -> promote (``_Run.__call__`` lists the steps in that order).

Safety comes from ordering, not from hope: every artifact of a new version is written and hashed
before its manifest, the manifest before the pointer, and the champion pointer moves only with a
conditional write against the pointer this run compared with. A crash at any step leaves the old
champion serving; a concurrent retrain that promoted first makes this one report a conflict,
and a rerun does not repeat a training that already has a published verdict (retrain_skip).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cryptonic import __version__
from cryptonic.config import Settings, Strategy, normalize_ticker
from cryptonic.errors import ConflictError, CryptonicError, ModelError
from cryptonic.forecast.predictor import Predictor
from cryptonic.forecast.value import Forecast
from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray
from cryptonic.jobs.retrain.gate import GateDecision, decide
from cryptonic.jobs.retrain.outcomes import Outcome
from cryptonic.jobs.retrain.skip import Training, skip_reason
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.forecast_log import Role, log_published_forecast
from cryptonic.registry.keys import FORECAST_NAME, MODEL_KERAS, MODEL_TFLITE, PRICES_NAME
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
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.store.contract import ArtifactStore
from cryptonic.training.baselines.naive import Drift, Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward
from cryptonic.training.forecaster import Forecaster
from cryptonic.training.model.export import ExportResult, export_tflite
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.model.stored import FrozenModel, WarmStartModel

log = logging.getLogger("cryptonic.pipeline")


@dataclass
class RetrainResult:
    """The per-ticker summary the Lambda returns and the CLI prints."""

    ticker: str
    version: str | None = None
    promoted: bool = False
    reason: str = ""
    metrics: dict[str, Any] | None = None
    champion: str | None = None
    strategy: str | None = None
    skipped: bool = False
    error: dict[str, str] | None = None
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def outcome(self) -> Outcome:
        """One word for logs, exit codes and the run's counts: ``failed`` whenever an error came
        back, a lost promotion race too (its version is published, not promoted)."""
        if self.error is not None:
            return "failed"
        if self.skipped:
            return "skipped"
        return "promoted" if self.promoted else "rejected"

    def to_dict(self) -> dict[str, Any]:
        """The result with its ``outcome``: what the run's summary and ledger hold."""
        return {**asdict(self), "outcome": self.outcome}


def run_config(settings: Settings, spec: ModelSpec) -> RunConfig:
    """What makes two trainings comparable: with this and the price snapshot unchanged, a
    published version already says how the training went (see retrain_skip)."""
    return RunConfig(
        model=spec.to_dict(),
        start_date=settings.start_date,
        end_date=settings.end_date,
        data_source=settings.data_source,
        backtest_weeks=settings.backtest_weeks,
        promotion_margin=settings.promotion_margin,
        coverage_tolerance=settings.coverage_tolerance,
    )


def retrain(
    settings: Settings,
    store: ArtifactStore,
    ticker: str,
    strategy: Strategy | None = None,
    force: bool = False,
    *,
    verbose: bool | None = None,
) -> RetrainResult:
    """Run the job for one ticker; errors come back in the result, never as exceptions."""
    started = time.perf_counter()
    result = RetrainResult(ticker=ticker)
    try:
        result.ticker = normalize_ticker(ticker)
        _Run(settings, Registry(store), result, strategy or settings.retrain_strategy, verbose)(
            force
        )
    except CryptonicError as exc:
        result.error = {"code": exc.code, "message": str(exc)}
        result.reason = f"failed: {exc}"
        log.warning("retrain %s failed: %s", result.ticker, exc)
    except ValueError as exc:
        result.error = {"code": "bad_input", "message": str(exc)}
        result.reason = f"failed: {exc}"
    except Exception as exc:  # a bug or an outage we did not foresee: report, do not crash others
        log.exception("retrain %s crashed", result.ticker)
        result.error = {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}
        result.reason = "failed: internal error (see logs)"
    result.seconds = round(time.perf_counter() - started, 3)
    return result


@dataclass(frozen=True)
class _Champion:
    """The serving champion as this run read it: the promotion is conditional on this pointer."""

    pointer: ChampionPointer
    manifest: Manifest

    @property
    def version(self) -> str:
        return self.pointer.version


@dataclass(frozen=True)
class _Snapshot:
    """The prices this run trains on: arrays for the models, the CSV it publishes, and the
    manifest's ``data`` section, whose sha256 identifies the snapshot."""

    dates: list[dt.date]
    closes: FloatArray
    csv: bytes
    info: DataInfo

    @property
    def end(self) -> str:
        """The last date, ISO: what "no new data" messages name."""
        return self.dates[-1].isoformat()


@dataclass(frozen=True)
class _ChampionWeights:
    """The champion's ``.keras``, read and verified once for both the backtest and a warm start.

    ``model`` is None when Keras cannot load it (``problem`` says why): it is then neither
    backtested nor continued from, and the run goes on without it rather than failing.
    """

    keras: bytes
    model: Model | None
    problem: str = ""


@dataclass(frozen=True)
class _Plan:
    """How the challenger is trained: the strategy really used (``continue`` falls back to
    ``new``, and ``note`` says why), and the weights a warm start begins from."""

    strategy: Strategy
    note: str = ""
    parent_keras: bytes | None = None


@dataclass(frozen=True)
class _Candidate:
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


class _Run:
    """One retrain, step by step; each step a method so the order reads top to bottom."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        result: RetrainResult,
        strategy: Strategy,
        verbose: bool | None,
    ) -> None:
        self.settings, self.registry, self.result = settings, registry, result
        self.ticker = result.ticker
        self.requested: Strategy = strategy
        self.verbose = verbose
        self.spec = ModelSpec.from_settings(settings)
        self.config = run_config(settings, self.spec)
        self.started = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")

    def __call__(self, force: bool) -> None:
        champion = self._champion()
        snapshot = self._snapshot()
        skip = None if force else self._skip_reason(snapshot, champion)
        if skip is not None:
            self.result.skipped, self.result.reason = True, skip
            return
        weights = self._champion_weights(champion)
        plan = self._plan(weights)
        report = self._backtest(snapshot, plan, weights)
        candidate = self._candidate(snapshot, plan)
        gate = self._gate(report, champion, candidate.sane)
        draft = self._manifest(snapshot, plan, report, candidate, champion, gate)
        with self._timed("publish"):
            self._publish(snapshot, candidate, draft)
            self._promote(candidate.version, gate, champion)
            self._log_forecast(candidate)

    # -- steps, in the order __call__ runs them ------------------------------------------------
    def _champion(self) -> _Champion | None:
        """The champion to compare with, read once: the skip check, gate and promotion share it."""
        pointer = self.registry.champion(self.ticker)
        self.result.champion = pointer.version if pointer else None
        if pointer is None:
            return None
        return _Champion(pointer, self.registry.manifest(self.ticker, pointer.version))

    def _snapshot(self) -> _Snapshot:
        """The validated prices, with enough rows for a fit before the first backtest origin."""
        from cryptonic.data import frame_sha256, infer_calendar, load_prices, to_yahoo_csv
        from cryptonic.data.sources import yahoo_policy

        min_rows = self.spec.min_training_closes + DAYS_PER_WEEK * (
            self.settings.backtest_weeks + 1
        )
        with self._timed("data"):
            frame = load_prices(
                self.ticker,
                self.settings.start_date,
                self.settings.end_date,
                self.settings.data_source,
                min_rows=min_rows,
                policy=yahoo_policy(self.settings.data_source, self.settings),
            )
        dates = [d.date() for d in frame["date"]]
        return _Snapshot(
            dates=dates,
            closes=frame["close"].to_numpy(dtype=np.float64),
            csv=to_yahoo_csv(frame),
            info=DataInfo(
                start=dates[0],
                end=dates[-1],
                rows=len(dates),
                sha256=frame_sha256(frame),
                source=self.settings.data_source,
                calendar=infer_calendar(frame),
            ),
        )

    def _skip_reason(self, snapshot: _Snapshot, champion: _Champion | None) -> str | None:
        """Why training again would only repeat a published training (None: train)."""
        training = Training(
            data_sha256=snapshot.info.sha256 or "", data_end=snapshot.end, config=self.config
        )
        return skip_reason(
            training,
            champion.manifest if champion else None,
            lambda: self.registry.manifests(self.ticker),
        )

    def _champion_weights(self, champion: _Champion | None) -> _ChampionWeights | None:
        if champion is None:
            return None
        data = self.registry.load_artifact(
            self.ticker, champion.version, MODEL_KERAS, manifest=champion.manifest
        )
        try:
            return _ChampionWeights(data, Model.from_keras_bytes(data))
        except ModelError as exc:
            log.warning("champion %s cannot be backtested: %s", champion.version, exc)
            return _ChampionWeights(data, None, str(exc))

    def _plan(self, weights: _ChampionWeights | None) -> _Plan:
        """The strategy asked for, or ``new`` with the reason when ``continue`` cannot be done."""
        if self.requested != "continue":
            return _Plan(self.requested)
        if weights is None:
            return _Plan("new", "continue requested but no champion yet")
        model = weights.model
        problem = weights.problem if model is None else model.spec.shape_mismatch(self.spec)
        if problem:
            note = f"continue requested but the champion's shape differs: {problem}"
            log.info("%s: %s", self.ticker, note)
            return _Plan("new", note)
        return _Plan("continue", parent_keras=weights.keras)

    def _backtest(
        self, snapshot: _Snapshot, plan: _Plan, weights: _ChampionWeights | None
    ) -> BacktestReport:
        """The challenger, the baselines and (when it loads) the champion on the same origins."""
        challenger: Model | WarmStartModel = (
            Model(self.spec)
            if plan.parent_keras is None
            else WarmStartModel(plan.parent_keras, self.spec)
        )
        challenger.log_dir = self._log_dir("backtest")
        forecasters: list[Forecaster] = [
            Persistence(quantiles=self.settings.quantiles),
            Drift(),
            challenger,
        ]
        if weights is not None and weights.model is not None:
            forecasters.append(FrozenModel(weights.model, "champion"))
        with self._timed("backtest"):
            return walk_forward(
                snapshot.closes,
                snapshot.dates,
                forecasters,
                weeks=self.settings.backtest_weeks,
                ticker=self.ticker,
            )

    def _candidate(self, snapshot: _Snapshot, plan: _Plan) -> _Candidate:
        """Train on every close (the backtest's fit stopped earlier), export, forecast."""
        with self._timed("train"):
            model = self._train_final(snapshot.closes, plan.parent_keras)
        with self._timed("export"):
            exported, refusal = self._export(model, snapshot.closes)
        if exported is None:
            raise ModelError(f"challenger refused before publishing: {refusal}")
        now = dt.datetime.now(dt.UTC)
        version = new_version_id(now)
        predictor = Predictor(
            exported.tflite, arch=self.spec.arch, quantiles=self.spec.quantiles or None
        )
        forecast = predictor.forecast(
            snapshot.closes,
            snapshot.dates[-1],
            ticker=self.ticker,
            calendar=snapshot.info.calendar,
            model_version=version,
            generated_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        return _Candidate(version, model, exported, forecast)

    def _gate(self, report: BacktestReport, champion: _Champion | None, sane: bool) -> GateDecision:
        challenger = report.row(self.spec.arch)
        persistence = report.row("persistence")
        kwargs: dict[str, Any] = {}
        if champion is not None:
            kwargs["champion_version"] = champion.version
            metrics = champion.manifest.metrics
            recorded = metrics.model.skill if metrics and metrics.model else None
            kwargs["champion_recorded_skill"] = recorded
            clean = _first_unseen(report, champion.manifest.data.end)
            if clean is not None and any(r.model == "champion" for r in report.rows):
                unseen = report.since(clean)
                kwargs.update(
                    clean_weeks=unseen.weeks,
                    clean_challenger_mape=unseen.row(self.spec.arch).mape,
                    clean_champion_mape=unseen.row("champion").mape,
                )
        return decide(
            sane=sane,
            sanity_problem="" if sane else "forecast is not finite and positive",
            challenger_mape=challenger.mape,
            challenger_skill=challenger.skill,
            persistence_mape=persistence.mape,
            margin=self.settings.promotion_margin,
            challenger_coverage=challenger.coverage,
            interval_level=challenger.interval_level,
            coverage_tolerance=self.settings.coverage_tolerance,
            **kwargs,
        )

    def _manifest(
        self,
        snapshot: _Snapshot,
        plan: _Plan,
        report: BacktestReport,
        candidate: _Candidate,
        champion: _Champion | None,
        gate: GateDecision,
    ) -> ManifestDraft:
        """What the version says about itself; the registry adds its id and artifact hashes."""
        report_of_fit = candidate.model.report
        calibration = candidate.model.calibration
        return ManifestDraft(
            ticker=self.ticker,
            created_at=candidate.forecast.generated_at,
            parent=champion.version if champion else None,
            strategy=plan.strategy,
            strategy_note=plan.note,
            app_version=__version__,
            config=self.config,
            model=ModelShape(
                arch=self.spec.arch,
                weeks=self.spec.weeks,
                lookback=self.spec.lookback,
                horizon=self.spec.horizon,
                calendar=snapshot.info.calendar,
                quantiles=list(self.spec.quantiles) or None,
                interval_level=self.spec.interval_level,
            ),
            data=snapshot.info,
            training=report_of_fit.to_dict() if report_of_fit else None,
            export=ExportInfo(
                parity_max_abs_diff=candidate.exported.max_abs_diff,
                windows_checked=candidate.exported.windows_checked,
            ),
            metrics=self._metrics(report, champion),
            gate=GateRecord(**gate.to_dict()),
            calibration=Calibration(**calibration.to_dict()) if calibration else None,
        )

    def _publish(self, snapshot: _Snapshot, candidate: _Candidate, draft: ManifestDraft) -> None:
        """Write the version (manifest last); from here on the result names it."""
        self.registry.publish(
            self.ticker,
            candidate.version,
            {
                MODEL_KERAS: candidate.model.keras_bytes(),
                MODEL_TFLITE: candidate.exported.tflite,
                FORECAST_NAME: _json_bytes(candidate.forecast.to_dict()),
                PRICES_NAME: snapshot.csv,
            },
            draft,
        )
        res = self.result
        res.version, res.strategy = candidate.version, draft.strategy
        res.metrics = draft.metrics.model_dump(mode="json") if draft.metrics else None

    def _promote(self, version: str, gate: GateDecision, champion: _Champion | None) -> None:
        """Move the pointer if the gate says so, only if it still points where this run read it."""
        res = self.result
        if not gate.promote:
            res.reason = f"not promoted: {gate.reason}"
            return
        expected = champion.pointer if champion else None
        try:
            pointer = self.registry.promote(self.ticker, version, expected=expected)
        except ConflictError as exc:
            res.reason = f"not promoted: {exc}"
            res.error = {"code": exc.code, "message": str(exc)}
            res.champion = self._current_champion()
        else:
            res.promoted, res.champion, res.reason = True, pointer.version, gate.reason

    def _log_forecast(self, candidate: _Candidate) -> None:
        """The new version's forecast in the forecast log at once, so serving (which reads the
        latest logged forecast of the champion) and the track record have it before the next
        refresh; best effort (cryptonic.forecast_log.log_published_forecast)."""
        role: Role = "champion" if self.result.promoted else "shadow"
        log_published_forecast(self.registry.store, candidate.forecast.to_dict(), role)

    # -- helpers of the steps ----------------------------------------------------------------
    @contextlib.contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        """Seconds of a step that finished, in ``result.timings`` (a failed step records none)."""
        started = time.perf_counter()
        yield
        self.result.timings[step] = round(time.perf_counter() - started, 3)

    def _train_final(self, closes: FloatArray, parent_keras: bytes | None) -> Model:
        if parent_keras is not None:
            model = Model.from_keras_bytes(parent_keras, self.spec)
            model.log_dir = self._log_dir("final")
            model.train(closes, warm_start=True, verbose=self.verbose)
        else:
            model = Model(self.spec)
            model.log_dir = self._log_dir("final")
            model.train(closes, verbose=self.verbose)
        return model

    def _log_dir(self, fit: str) -> Path | None:
        """TensorBoard run of one of this retrain's fits (TENSORBOARD_DIR set): one folder per
        ticker and run, ``backtest`` (the fit the gate judged) and ``final`` (the one published)."""
        if not self.settings.tensorboard_dir:
            return None
        return Path(self.settings.tensorboard_dir) / f"retrain-{self.ticker}-{self.started}" / fit

    def _export(self, model: Model, closes: FloatArray) -> tuple[ExportResult | None, str]:
        try:
            return export_tflite(model, closes), ""
        except ModelError as exc:
            return None, str(exc)

    def _metrics(self, report: BacktestReport, champion: _Champion | None) -> BacktestRecord:
        rows = {r.model: r for r in report.rows if r.protocol == "honest"}
        return BacktestRecord(
            window=BacktestWindow(**report.to_dict()["window"]),
            model=rows[self.spec.arch],
            persistence=rows["persistence"],
            drift=rows["drift"],
            champion=rows.get("champion"),
            champion_version=champion.version if champion else None,
        )

    def _current_champion(self) -> str | None:
        pointer = self.registry.champion(self.ticker)
        return pointer.version if pointer else None


def _first_unseen(report: BacktestReport, champion_end: dt.date | None) -> int | None:
    """Position of the first origin whose forecast days all come after the champion's data."""
    if champion_end is None:
        return None
    for position, days in enumerate(report.forecast_dates):
        if days[0] > champion_end:
            return position
    return None


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, allow_nan=False) + "\n").encode()


__all__ = ["RetrainResult", "retrain", "run_config"]
