"""The weekly retrain job, end to end: data -> train -> backtest -> gate -> export -> publish.

Safety comes from ordering, not from hope: every artifact of a new version is written and hashed
before its manifest, the manifest before the pointer, and the champion pointer moves only with a
conditional write against the pointer this run compared with. A crash at any step leaves the old
champion serving; a concurrent retrain that promoted first makes this one report a conflict.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cryptonic import __version__
from cryptonic.backtest import BacktestReport, walk_forward
from cryptonic.baselines import Drift, Persistence
from cryptonic.config import Settings, Strategy, normalize_ticker
from cryptonic.errors import ConflictError, CryptonicError, ModelError
from cryptonic.export import ExportResult, export_tflite
from cryptonic.gate import GateDecision, decide
from cryptonic.model import Model, ModelSpec
from cryptonic.predictor import Predictor
from cryptonic.registry import ChampionPointer, Registry, new_version_id
from cryptonic.store import ArtifactStore
from cryptonic.windows import DAYS_PER_WEEK, FloatArray

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Frozen:
    """A trained network scored as-is in the backtest (the champion): fitting is a no-op."""

    def __init__(self, model: Model, name: str) -> None:
        self.model, self.name, self.horizon = model, name, DAYS_PER_WEEK

    @property
    def min_history(self) -> int:
        return self.model.min_history

    def fit(self, closes: FloatArray) -> None:
        """Already trained: the champion is judged as it serves."""

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self.model.predict_relative(closes, origins)


class _WarmStart:
    """The ``continue`` strategy as a forecaster: fitting warm-starts from the parent's weights."""

    def __init__(self, parent_keras: bytes, spec: ModelSpec, name: str) -> None:
        self.parent_keras, self.spec, self.name, self.horizon = parent_keras, spec, name, 7
        self.model: Model | None = None

    @property
    def min_history(self) -> int:
        return self.spec.lookback

    def fit(self, closes: FloatArray) -> None:
        self.model = load_keras_bytes(self.parent_keras, self.spec)
        self.model.train(closes, warm_start=True)

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        assert self.model is not None, "fit() first"
        return self.model.predict_relative(closes, origins)


def load_keras_bytes(data: bytes, spec: ModelSpec | None = None) -> Model:
    """A Model from the bytes of a ``.keras`` file (Keras only loads from paths)."""
    with tempfile.TemporaryDirectory(prefix="cryptonic-load-") as tmp:
        path = Path(tmp) / "model.keras"
        path.write_bytes(data)
        return Model.load(path, spec)


def keras_bytes(model: Model) -> bytes:
    """The ``.keras`` file of a model, as bytes for the store."""
    with tempfile.TemporaryDirectory(prefix="cryptonic-save-") as tmp:
        return model.save(Path(tmp) / "model.keras").read_bytes()


def run_config(settings: Settings, spec: ModelSpec) -> dict[str, Any]:
    """What makes two trainings comparable: if this and the data are unchanged, skip."""
    return {
        "model": spec.to_dict(),
        "start_date": settings.start_date.isoformat() if settings.start_date else None,
        "end_date": settings.end_date.isoformat() if settings.end_date else None,
        "data_source": settings.data_source,
        "backtest_weeks": settings.backtest_weeks,
        "promotion_margin": settings.promotion_margin,
    }


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


def retrain_all(
    settings: Settings,
    store: ArtifactStore,
    tickers: list[str] | None = None,
    strategy: Strategy | None = None,
    force: bool = False,
) -> list[RetrainResult]:
    """Each ticker independently: one failing does not stop the others."""
    return [retrain(settings, store, t, strategy, force) for t in (tickers or settings.tickers)]


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
        self.strategy: Strategy = strategy
        self.verbose = verbose
        self.spec = ModelSpec.from_settings(settings)
        self.strategy_note = ""
        self.champion_problem = ""

    def _timed(self, step: str, started: float) -> None:
        self.result.timings[step] = round(time.perf_counter() - started, 3)

    def __call__(self, force: bool) -> None:
        from cryptonic.data import frame_sha256, infer_calendar, load_prices, to_yahoo_csv

        res = self.result
        champion = self.registry.champion(self.ticker)
        champ_manifest = self.registry.manifest(self.ticker, champion.version) if champion else None
        res.champion = champion.version if champion else None

        t = time.perf_counter()
        min_rows = self.spec.min_training_closes + DAYS_PER_WEEK * (
            self.settings.backtest_weeks + 1
        )
        frame = load_prices(
            self.ticker,
            self.settings.start_date,
            self.settings.end_date,
            self.settings.data_source,
            min_rows=min_rows,
        )
        self._timed("data", t)
        dates = [d.date() for d in frame["date"]]
        closes = frame["close"].to_numpy(dtype=np.float64)
        prices_csv = to_yahoo_csv(frame)
        data_info = {
            "start": dates[0].isoformat(),
            "end": dates[-1].isoformat(),
            "rows": len(dates),
            "sha256": frame_sha256(frame),
            "source": self.settings.data_source,
            "calendar": infer_calendar(frame),
        }
        config = run_config(self.settings, self.spec)
        if (
            not force
            and champ_manifest is not None
            and champ_manifest.get("data", {}).get("end") == data_info["end"]
            and champ_manifest.get("config") == config
        ):
            res.skipped = True
            res.reason = (
                f"no new data: champion {champion.version if champion else ''} was trained on "
                f"data to {data_info['end']} with the same config (use force to retrain)"
            )
            return

        champion_keras, champion_model = self._champion_model(champion, champ_manifest)
        parent_keras = self._parent_keras(champion_keras, champion_model)
        challenger_bt: Any
        if parent_keras is not None:
            challenger_bt = _WarmStart(parent_keras, self.spec, self.spec.arch)
        else:
            challenger_bt = Model(self.spec)
        forecasters: list[Any] = [Persistence(), Drift(), challenger_bt]
        if champion_model is not None:
            forecasters.append(_Frozen(champion_model, "champion"))

        t = time.perf_counter()
        report = walk_forward(
            closes, dates, forecasters, weeks=self.settings.backtest_weeks, ticker=self.ticker
        )
        self._timed("backtest", t)

        t = time.perf_counter()
        final = self._train_final(closes, parent_keras)
        self._timed("train", t)

        t = time.perf_counter()
        exported, sanity_problem = self._export(final, closes)
        self._timed("export", t)
        if exported is None:
            raise ModelError(f"challenger refused before publishing: {sanity_problem}")
        predictor = Predictor(exported.tflite, arch=self.spec.arch)
        now = dt.datetime.now(dt.UTC)
        version = new_version_id(now)
        forecast = predictor.forecast(
            closes,
            dates[-1],
            ticker=self.ticker,
            calendar=data_info["calendar"],
            model_version=version,
            generated_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        sane = bool(np.all(np.isfinite(forecast.values)) and min(forecast.values) > 0)

        gate = self._gate(report, champ_manifest, sane, data_info)
        metrics = self._metrics(report, champ_manifest)
        manifest: dict[str, Any] = {
            "ticker": self.ticker,
            "created_at": forecast.generated_at,
            "parent": champion.version if champion else None,
            "strategy": self.strategy,
            "strategy_note": self.strategy_note,
            "app_version": __version__,
            "config": config,
            "model": {
                "arch": self.spec.arch,
                "weeks": self.spec.weeks,
                "lookback": self.spec.lookback,
                "horizon": self.spec.horizon,
                "calendar": data_info["calendar"],
            },
            "data": data_info,
            "training": final.report.to_dict() if final.report else None,
            "export": {
                "parity_max_abs_diff": exported.max_abs_diff,
                "windows_checked": exported.windows_checked,
            },
            "metrics": metrics,
            "gate": gate.to_dict(),
        }
        t = time.perf_counter()
        self.registry.publish(
            self.ticker,
            version,
            {
                "model.keras": keras_bytes(final),
                "model.tflite": exported.tflite,
                "forecast.json": _json_bytes(forecast.to_dict()),
                "prices.csv": prices_csv,
            },
            manifest,
        )
        res.version, res.metrics, res.strategy = version, metrics, self.strategy
        res.reason = gate.reason
        if gate.promote:
            try:
                pointer = self.registry.promote(self.ticker, version, expected=champion)
            except ConflictError as exc:
                res.reason = f"not promoted: {exc}"
                res.error = {"code": exc.code, "message": str(exc)}
                res.champion = self._current_champion()
            else:
                res.promoted, res.champion = True, pointer.version
        else:
            res.reason = f"not promoted: {gate.reason}"
        self._timed("publish", t)

    # -- steps -------------------------------------------------------------------------------
    def _champion_model(
        self, champion: ChampionPointer | None, manifest: dict[str, Any] | None
    ) -> tuple[bytes | None, Model | None]:
        """The champion's ``.keras`` bytes (read and verified once) and the model they hold
        (None when Keras cannot load it: then it is neither backtested nor warm-started from)."""
        if champion is None or manifest is None:
            return None, None
        data = self.registry.load_artifact(
            self.ticker, champion.version, "model.keras", manifest=manifest
        )
        try:
            return data, load_keras_bytes(data)
        except ModelError as exc:
            log.warning("champion %s cannot be backtested: %s", champion.version, exc)
            self.champion_problem = str(exc)
            return data, None

    def _parent_keras(self, data: bytes | None, model: Model | None) -> bytes | None:
        """The champion's ``.keras`` for a warm start, or None (falls back to ``new``, says why)."""
        if self.strategy != "continue":
            return None
        if data is None:
            self.strategy, self.strategy_note = "new", "continue requested but no champion yet"
            return None
        problem = self.champion_problem if model is None else model.spec.shape_mismatch(self.spec)
        if problem:
            self.strategy = "new"
            self.strategy_note = f"continue requested but the champion's shape differs: {problem}"
            log.info("%s: %s", self.ticker, self.strategy_note)
            return None
        return data

    def _train_final(self, closes: FloatArray, parent_keras: bytes | None) -> Model:
        """The model to publish, trained on every close (the backtest one stopped earlier)."""
        if parent_keras is not None:
            model = load_keras_bytes(parent_keras, self.spec)
            model.train(closes, warm_start=True, verbose=self.verbose)
        else:
            model = Model(self.spec)
            model.train(closes, verbose=self.verbose)
        return model

    def _export(self, model: Model, closes: FloatArray) -> tuple[ExportResult | None, str]:
        try:
            return export_tflite(model, closes), ""
        except ModelError as exc:
            return None, str(exc)

    def _gate(
        self,
        report: BacktestReport,
        champ_manifest: dict[str, Any] | None,
        sane: bool,
        data_info: dict[str, Any],
    ) -> GateDecision:
        challenger = report.row(self.spec.arch)
        persistence = report.row("persistence")
        kwargs: dict[str, Any] = {}
        if champ_manifest is not None:
            kwargs["champion_version"] = champ_manifest["version"]
            recorded = champ_manifest.get("metrics", {}).get("model", {}).get("skill")
            kwargs["champion_recorded_skill"] = recorded
            clean = _first_unseen(report, champ_manifest.get("data", {}).get("end"))
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
            **kwargs,
        )

    def _metrics(
        self, report: BacktestReport, champ_manifest: dict[str, Any] | None
    ) -> dict[str, Any]:
        rows = {r.model: r.to_dict() for r in report.rows if r.protocol == "honest"}
        return {
            "window": report.to_dict()["window"],
            "model": rows[self.spec.arch],
            "persistence": rows["persistence"],
            "drift": rows["drift"],
            "champion": rows.get("champion"),
            "champion_version": champ_manifest["version"] if champ_manifest else None,
        }

    def _current_champion(self) -> str | None:
        pointer = self.registry.champion(self.ticker)
        return pointer.version if pointer else None


def _first_unseen(report: BacktestReport, champion_end: str | None) -> int | None:
    """Position of the first origin whose forecast days all come after the champion's data."""
    if not champion_end:
        return None
    end = dt.date.fromisoformat(champion_end)
    for position, days in enumerate(report.forecast_dates):
        if days[0] > end:
            return position
    return None


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, allow_nan=False) + "\n").encode()


Outcome = Literal["promoted", "rejected", "skipped", "failed"]


def outcome(result: RetrainResult) -> Outcome:
    """One word for logs and exit codes."""
    if result.error and not result.version:
        return "failed"
    if result.skipped:
        return "skipped"
    return "promoted" if result.promoted else "rejected"


__all__ = ["RetrainResult", "load_keras_bytes", "outcome", "retrain", "retrain_all", "run_config"]
