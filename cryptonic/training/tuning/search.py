"""``cryptonic tune``: random or grid search over the model's knobs, judged without leakage.

The textbook tunes its network by hand, then by grid and random search, and compares the
versions in a table of RMSE and MAPE. Here the search is Optuna's (a seeded ``RandomSampler`` by
default, ``GridSampler`` on request), with a budget in trials and in wall time, and its
objective is nested so that the figures reported at the end never saw it:

* every trial fits before the **tuning window** and is scored on it; the **backtest window**
  after it is never read by the search (windows.py);
* the objective is the trial's MAPE over persistence's on the tuning window (``1 - skill``;
  below 1 beats persistence), averaged with the pinball loss over persistence's empirical
  quantiles (``1 - pinball skill``) for a quantile model (``objective="mape+pinball"``). The
  band judged is the one users are served, after the adaptive calibration the backtest
  replays (the promotion gate judges its coverage the same way);
* after the search, the best configuration and today's default are each fitted once on the
  closes before the backtest window and scored on it beside persistence: that table is the
  honest answer to "is the tuned model better?".

The knobs and their choices are space.py's, what is printed of a search report.py's.

Optuna, not Keras Tuner: our objective is a walk-forward backtest, not a Keras metric (Keras
Tuner wants to own ``model.fit`` and its ``RandomSearch`` has no wall-time budget), Optuna's
``study.optimize(n_trials=, timeout=)`` is both budgets, and its samplers are seeded. Training
side only: serving never imports this module, Optuna or TensorBoard (import-linter).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from cryptonic.config import Settings
from cryptonic.errors import ConfigError, CryptonicError, ModelError
from cryptonic.forecast.windows import FloatArray
from cryptonic.training.baselines.naive import Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec
from cryptonic.training.tuning.space import KNOBS, checked_space, longest_history, spec_for
from cryptonic.training.tuning.windows import split_windows

__all__ = ["OBJECTIVES", "Trial", "TuneResult", "seed_means", "tune"]

log = logging.getLogger("cryptonic.tune")

Objective = Literal["mape", "pinball", "mape+pinball"]
OBJECTIVES: Final[tuple[Objective, ...]] = ("mape", "pinball", "mape+pinball")
SamplerName = Literal["random", "grid"]


@dataclass
class Trial:
    """One trial: what it tried, how it scored on the tuning window, how long it took."""

    number: int
    params: dict[str, Any]
    objective: float | None
    seconds: float
    mape_ratio: float | None = None
    pinball_ratio: float | None = None
    coverage: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TuneResult:
    """A search and its nested report: the trials, the best, the windows, the final backtest."""

    ticker: str
    sampler: SamplerName
    objective_name: Objective
    seed: int
    space: dict[str, list[Any]]
    trials: list[Trial]
    best: Trial | None
    seconds: float
    windows: dict[str, dict[str, Any]]
    base: dict[str, Any]
    backtest: list[dict[str, Any]] = field(default_factory=list)
    """Rows of the final backtest: means over the seeds, with ``mape_min``/``mape_max``."""
    backtest_by_seed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    default: Trial | None = None
    """Today's default scored on the tuning window like a trial (number -1), not a trial."""
    budget: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "sampler": self.sampler,
            "objective_name": self.objective_name,
            "seed": self.seed,
            "space": self.space,
            "budget": self.budget,
            "seconds": self.seconds,
            "windows": self.windows,
            "base": self.base,
            "trials": [t.to_dict() for t in self.trials],
            "best": self.best.to_dict() if self.best else None,
            "default": self.default.to_dict() if self.default else None,
            "backtest": self.backtest,
            "backtest_by_seed": self.backtest_by_seed,
        }


class _Named(Model):
    """A Model under its own row name, so the tuned and the default sit in one report."""

    def __init__(self, spec: ModelSpec, label: str) -> None:
        super().__init__(spec)
        self.label = label

    @property
    def name(self) -> str:
        return self.label


def _scored(trial: Trial, report: BacktestReport, name: str, objective: Objective) -> Trial:
    """The trial with its scores on the tuning window and the objective they make."""
    row = report.row(name)
    mape_ratio = 1.0 - row.skill
    pinball_skill = row.served_pinball_skill
    pinball_ratio = None if pinball_skill is None else 1.0 - pinball_skill
    if objective == "pinball":
        if pinball_ratio is None:
            raise ConfigError("the pinball objective needs a quantile model (QUANTILES)")
        value = pinball_ratio
    elif objective == "mape+pinball" and pinball_ratio is not None:
        value = (mape_ratio + pinball_ratio) / 2.0
    else:
        value = mape_ratio
    return replace(
        trial,
        objective=value,
        mape_ratio=mape_ratio,
        pinball_ratio=pinball_ratio,
        coverage=row.served_coverage,
    )


@dataclass(frozen=True)
class _TrialRunner:
    """What every trial shares: the closes up to the tuning window's end, the spec the trials
    vary, and how a fit is scored there."""

    closes: FloatArray
    dates: list[dt.date]
    base: ModelSpec
    settings: Settings
    weeks: int
    objective: Objective
    tensorboard: Path | None
    ticker: str

    def evaluate(self, number: int, params: dict[str, Any], run: str) -> Trial:
        """Fit before the tuning window, score on it; a CryptonicError marks the trial failed."""
        started = time.perf_counter()
        model = Model(spec_for(self.base, params))
        if self.tensorboard is not None:
            model.log_dir = self.tensorboard / run
        record = Trial(number, params, None, 0.0)
        try:
            report = walk_forward(
                self.closes,
                self.dates,
                [Persistence(quantiles=self.settings.quantiles), model],
                weeks=self.weeks,
                ticker=self.ticker,
                adaptive_step=self.settings.calibration_step,
            )
            record = _scored(record, report, model.name, self.objective)
        except CryptonicError as exc:
            record.error = str(exc)
        record.seconds = round(time.perf_counter() - started, 3)
        return record


def _search(
    runner: _TrialRunner,
    choices: dict[str, list[Any]],
    sampler: SamplerName,
    trials: int,
    timeout: float | None,
    progress: bool,
    on_trial: Callable[[Trial], None] | None,
) -> list[Trial]:
    """Optuna's study of ``choices``: seeded, within both budgets, a failed trial recorded and
    passed over."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seed = runner.settings.seed
    chosen: optuna.samplers.BaseSampler = (
        optuna.samplers.GridSampler(choices, seed=seed)
        if sampler == "grid"
        else optuna.samplers.RandomSampler(seed=seed)
    )
    study = optuna.create_study(direction="minimize", sampler=chosen)
    records: list[Trial] = []

    def run_trial(trial: optuna.Trial) -> float:
        params = {
            name: trial.suggest_categorical(name, options) for name, options in choices.items()
        }
        record = runner.evaluate(trial.number, params, f"trial-{trial.number:03d}")
        records.append(record)
        if on_trial:
            on_trial(record)
        if record.objective is None:
            raise ModelError(record.error or "the trial failed")
        return record.objective

    study.optimize(
        run_trial,
        n_trials=trials,
        timeout=timeout,
        catch=(CryptonicError,),
        show_progress_bar=progress,
    )
    return records


def _best(records: list[Trial]) -> Trial | None:
    """The lowest finite objective; the earlier trial on a tie."""
    finished = [t for t in records if t.objective is not None and math.isfinite(t.objective)]
    return min(finished, key=lambda t: (t.objective, t.number)) if finished else None


def _checked_request(
    settings: Settings, space: Mapping[str, Sequence[Any]], trials: int
) -> tuple[ModelSpec, dict[str, list[Any]]]:
    """The spec the trials vary and the space they search, or a ConfigError before any fit."""
    if settings.arch != "default":
        raise ConfigError("tune searches the default architecture (ARCH=default)")
    if trials < 1:
        raise ConfigError("--trials must be at least 1")
    base = ModelSpec.from_settings(settings)
    return base, checked_space(base, space)


def _final_backtest(
    closes: FloatArray,
    dates: Sequence[dt.date],
    base: ModelSpec,
    tuned_spec: ModelSpec,
    settings: Settings,
    backtest_seeds: Sequence[int] | None,
    tensorboard: Path | None,
    ticker: str,
) -> dict[str, list[dict[str, Any]]]:
    """Per seed (``settings.seed`` by default), the rows of persistence, today's default and the
    tuned config on the backtest window, each fitted once on the closes before it."""
    seeds = list(backtest_seeds or [settings.seed])
    by_seed: dict[str, list[dict[str, Any]]] = {}
    for seed in seeds:
        tuned = _Named(replace(tuned_spec, seed=seed), "tuned")
        default = _Named(replace(base, seed=seed), "default")
        if tensorboard is not None:
            suffix = f"-seed{seed}" if len(seeds) > 1 else ""
            tuned.log_dir = tensorboard / f"final-tuned{suffix}"
            default.log_dir = tensorboard / f"final-default{suffix}"
        report = walk_forward(
            closes,
            list(dates),
            [Persistence(quantiles=settings.quantiles), default, tuned],
            weeks=settings.backtest_weeks,
            ticker=ticker,
            adaptive_step=settings.calibration_step,
        )
        by_seed[str(seed)] = [r.to_dict() for r in report.rows]
    return by_seed


SCORE_FIELDS: Final = (
    "mape",
    "rmse",
    "skill",
    "coverage",
    "width",
    "pinball",
    "pinball_skill",
    "adaptive_coverage",
    "adaptive_pinball_skill",
)


def seed_means(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Per model, the mean of each score over the seeds' runs and the range of its MAPE."""
    rows = []
    for position, first in enumerate(runs[0]):
        same = [run[position] for run in runs]
        row: dict[str, Any] = {"model": first["model"], "seeds": len(runs)}
        for key in SCORE_FIELDS:
            values = [r.get(key) for r in same]
            present = [float(v) for v in values if v is not None]
            row[key] = float(np.mean(present)) if len(present) == len(values) else None
        row["mape_min"] = min(r["mape"] for r in same)
        row["mape_max"] = max(r["mape"] for r in same)
        rows.append(row)
    return rows


def tune(
    closes: FloatArray,
    dates: Sequence[dt.date],
    settings: Settings,
    *,
    space: Mapping[str, Sequence[Any]],
    trials: int = 20,
    timeout: float | None = None,
    sampler: SamplerName = "random",
    tune_weeks: int = 52,
    objective: Objective = "mape+pinball",
    tensorboard: Path | None = None,
    final_backtest: bool = True,
    backtest_seeds: Sequence[int] | None = None,
    include_default: bool = True,
    progress: bool = False,
    on_trial: Callable[[Trial], None] | None = None,
    ticker: str = "",
) -> TuneResult:
    """Search ``space`` on the tuning window, then backtest the best and the default on the
    backtest window (``final_backtest``). Same seed (``settings.seed``), same trials, same best.

    ``timeout`` (seconds) stops starting new trials; the one running finishes. The final
    backtest fits each model once per seed of ``backtest_seeds`` (default: ``settings.seed``) and
    reports the means, with the MAPE range: a small network's seed noise is the yardstick a
    tuned config has to clear before it deserves to become the default."""
    values = np.asarray(closes, dtype=np.float64)
    base, choices = _checked_request(settings, space, trials)
    history = longest_history(base, choices)
    windows = split_windows(values.size, settings.backtest_weeks, tune_weeks, history)
    end = windows.tune_end + 1
    runner = _TrialRunner(
        values[:end], list(dates[:end]), base, settings, tune_weeks, objective, tensorboard, ticker
    )
    started = time.perf_counter()
    records = _search(runner, choices, sampler, trials, timeout, progress, on_trial)
    result = TuneResult(
        ticker=ticker,
        sampler=sampler,
        objective_name=objective,
        seed=settings.seed,
        space=choices,
        trials=records,
        best=_best(records),
        seconds=0.0,
        windows=windows.to_dict(dates),
        base={name: getattr(base, KNOBS[name].spec_field) for name in KNOBS},
        budget={"trials": trials, "timeout_seconds": timeout},
    )
    if include_default:
        # Today's default on the same tuning window: what a trial has to beat there.
        result.default = runner.evaluate(-1, dict(result.base), "tune-default")
    if result.best is not None and final_backtest:
        tuned_spec = spec_for(base, result.best.params)
        result.backtest_by_seed = _final_backtest(
            values, dates, base, tuned_spec, settings, backtest_seeds, tensorboard, ticker
        )
        result.backtest = seed_means(list(result.backtest_by_seed.values()))
    result.seconds = round(time.perf_counter() - started, 3)
    return result
