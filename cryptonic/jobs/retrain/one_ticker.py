"""The weekly retrain job, end to end: prices -> skip check -> backtest -> train and export ->
gate -> publish -> promote (``_Run.__call__`` lists the steps in that order; each step's
work is in its module beside this one).

Safety comes from ordering, not from hope: every artifact of a new version is written and hashed
before its manifest, the manifest before the pointer, and the champion pointer moves only with a
conditional write against the pointer this run compared with. A crash at any step leaves the old
champion serving; a concurrent retrain that promoted first makes this one report a conflict,
and a rerun does not repeat a training that already has a published verdict (retrain.skip).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptonic.config import Settings, Strategy, normalize_ticker
from cryptonic.errors import ConflictError
from cryptonic.forecast.predictor import Predictor
from cryptonic.jobs.retrain.fits import Candidate, backtest, export, final_fit
from cryptonic.jobs.retrain.gate import GateDecision
from cryptonic.jobs.retrain.gate_inputs import gate_decision
from cryptonic.jobs.retrain.manifest_draft import backtest_record, manifest_draft, run_config
from cryptonic.jobs.retrain.outcomes import Outcome
from cryptonic.jobs.retrain.plan import TrainingPlan, champion_weights, plan_training
from cryptonic.jobs.retrain.skip import Training, skip_reason
from cryptonic.jobs.retrain.snapshot import PriceSnapshot, load_snapshot
from cryptonic.jobs.runs.failure import ticker_failure
from cryptonic.registry.champion import ChampionPointer
from cryptonic.registry.forecast_log import Role, log_published_forecast
from cryptonic.registry.keys import FORECAST_NAME, MODEL_KERAS, MODEL_TFLITE, PRICES_NAME
from cryptonic.registry.manifest import Manifest, ManifestDraft
from cryptonic.registry.registry import Registry, new_version_id
from cryptonic.store.contract import ArtifactStore
from cryptonic.training.model.spec import ModelSpec

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
    source: str | None = None
    fallback: str = ""

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


def retrain(
    settings: Settings,
    store: ArtifactStore,
    ticker: str,
    strategy: Strategy | None = None,
    force: bool = False,
    *,
    verbose: bool | None = None,
    before_publish: Callable[[str], None] | None = None,
) -> RetrainResult:
    """Run the job for one ticker; errors come back in the result, never as exceptions.

    ``before_publish(version)`` is called once the version id is chosen, before anything of it
    is written (the queue job checkpoints it in the ticker's claim; raising stops the publish)."""
    started = time.perf_counter()
    result = RetrainResult(ticker=ticker)
    try:
        result.ticker = normalize_ticker(ticker)
        run = _Run(
            settings, Registry(store), result, strategy or settings.retrain_strategy, verbose
        )
        run.before_publish = before_publish
        run(force)
    except Exception as exc:  # one ticker's failure is its result, never the run's
        failure = ticker_failure(exc, "retrain", result.ticker, log)
        result.error, result.reason = failure.error, failure.reason
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


class _Run:
    """One retrain, step by step; ``__call__`` reads top to bottom, each step a function of its
    own module (snapshot, skip, plan, fits, gate_inputs, manifest_draft) or a method here."""

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
        self.before_publish: Callable[[str], None] | None = None

    def __call__(self, force: bool) -> None:
        champion = self._champion()
        serving = champion.manifest if champion else None
        with self._timed("data"):
            snapshot = load_snapshot(self.settings, self.ticker, self.spec)
        self.result.source = snapshot.info.source
        self.result.fallback = "; ".join(snapshot.info.passed_over or [])
        skip = None if force else self._skip_reason(snapshot, serving)
        if skip is not None:
            self.result.skipped, self.result.reason = True, skip
            return
        weights = champion_weights(self.registry, serving)
        plan = plan_training(self.ticker, self.requested, weights, self.spec)
        with self._timed("backtest"):
            report = backtest(
                self.settings,
                self.spec,
                self.ticker,
                snapshot,
                plan,
                weights,
                self._log_dir("backtest"),
            )
        candidate = self._candidate(snapshot, plan)
        gate = gate_decision(
            self.settings,
            report,
            self.spec.arch,
            serving,
            candidate.sane,
            warm_started=plan.strategy == "continue",
        )
        metrics = backtest_record(report, self.spec.arch, serving)
        draft = manifest_draft(
            self.config, self.spec, snapshot.info, plan, candidate, metrics, gate, serving
        )
        if self.before_publish is not None:
            self.before_publish(candidate.version)
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

    def _skip_reason(self, snapshot: PriceSnapshot, champion: Manifest | None) -> str | None:
        """Why training again would only repeat a published training (None: train)."""
        training = Training(
            data_sha256=snapshot.info.sha256 or "", data_end=snapshot.end, config=self.config
        )
        return skip_reason(training, champion, lambda: self.registry.manifests(self.ticker))

    def _candidate(self, snapshot: PriceSnapshot, plan: TrainingPlan) -> Candidate:
        """Train on every close, export, and forecast from the latest close with the export."""
        with self._timed("train"):
            model = final_fit(
                self.spec, snapshot.closes, plan.parent_keras, self._log_dir("final"), self.verbose
            )
        with self._timed("export"):
            exported = export(model, snapshot.closes)
        now = dt.datetime.now(dt.UTC)
        version = new_version_id(now)
        predictor = Predictor(
            exported.tflite, arch=self.spec.arch, quantiles=self.spec.quantiles or None
        )
        forecast = predictor.forecast(
            snapshot.closes,
            snapshot.dates[-1],
            ticker=self.ticker,
            calendar=snapshot.calendar,
            model_version=version,
            generated_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        forecast = replace(forecast, extra={**forecast.extra, "source": snapshot.info.source})
        return Candidate(version, model, exported, forecast)

    def _publish(self, snapshot: PriceSnapshot, candidate: Candidate, draft: ManifestDraft) -> None:
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
            now = self.registry.champion(self.ticker)
            res.champion = now.version if now else None
        else:
            res.promoted, res.champion, res.reason = True, pointer.version, gate.reason

    def _log_forecast(self, candidate: Candidate) -> None:
        """The new version's forecast in the forecast log at once, so serving (which reads the
        latest logged forecast of the champion) and the track record have it before the next
        refresh; best effort (cryptonic.registry.forecast_log.log_published_forecast)."""
        role: Role = "champion" if self.result.promoted else "shadow"
        log_published_forecast(self.registry.store, candidate.forecast.to_dict(), role)

    # -- helpers of the steps ----------------------------------------------------------------
    @contextlib.contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        """Seconds of a step that finished, in ``result.timings`` (a failed step records none)."""
        started = time.perf_counter()
        yield
        self.result.timings[step] = round(time.perf_counter() - started, 3)

    def _log_dir(self, fit: str) -> Path | None:
        """TensorBoard run of one of this retrain's fits (TENSORBOARD_DIR set): one folder per
        ticker and run, ``backtest`` (the fit the gate judged) and ``final`` (the one published)."""
        if not self.settings.tensorboard_dir:
            return None
        return Path(self.settings.tensorboard_dir) / f"retrain-{self.ticker}-{self.started}" / fit


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, allow_nan=False) + "\n").encode()


__all__ = ["RetrainResult", "retrain"]
