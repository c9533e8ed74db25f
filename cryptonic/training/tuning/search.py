"""``cryptonic tune``: random or grid search over the model's knobs, judged without leakage.

The textbook tunes its network by hand, then by grid and random search, and compares the
versions in a table of RMSE and MAPE. Here the search is Optuna's (a seeded ``RandomSampler`` by
default, ``GridSampler`` on request), with a budget in trials and in wall time, and its
objective is nested so that the figures reported at the end never saw it:

* the **backtest window** is the one ``cryptonic backtest`` and the retrain gate use: the last
  ``BACKTEST_WEEKS`` weekly origins;
* the **tuning window** is the ``tune_weeks`` weekly origins *before* it. Every trial fits on the
  closes before the tuning window's first origin and is scored on the tuning window only: no
  close after the backtest window's first origin is ever read by the search;
* the objective is the trial's MAPE over persistence's on the tuning window (``1 - skill``;
  below 1 beats persistence), averaged with the pinball loss over persistence's empirical
  quantiles (``1 - pinball skill``) for a quantile model (``objective="mape+pinball"``);
* after the search, the best configuration and today's default are each fitted once on the
  closes before the backtest window and scored on it beside persistence: that table is the
  honest answer to "is the tuned model better?".

Optuna, not Keras Tuner: our objective is a walk-forward backtest, not a Keras metric (Keras
Tuner wants to own ``model.fit`` and its ``RandomSearch`` has no wall-time budget), Optuna's
``study.optimize(n_trials=, timeout=)`` is both budgets, and its samplers are seeded. Training
side only: serving never imports this module, Optuna or TensorBoard (import-linter).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

import numpy as np

from cryptonic.config import Settings
from cryptonic.errors import ConfigError, CryptonicError, DataError, ModelError
from cryptonic.forecast.windows import DAYS_PER_WEEK, FloatArray
from cryptonic.training.baselines.naive import Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward, weekly_origins
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.spec import ModelSpec

log = logging.getLogger("cryptonic.tune")

Objective = Literal["mape", "pinball", "mape+pinball"]
OBJECTIVES: Final[tuple[Objective, ...]] = ("mape", "pinball", "mape+pinball")
SamplerName = Literal["random", "grid"]


@dataclass(frozen=True)
class Knob:
    """One searchable parameter: its ModelSpec field, its env name and SAM parameter (what the
    best configuration is printed as) and the values the default search space tries."""

    spec_field: str
    env: str
    sam: str
    kind: type
    choices: tuple[Any, ...]


KNOBS: Final[dict[str, Knob]] = {
    "lookback_weeks": Knob("weeks", "LOOKBACK_WEEKS", "LookbackWeeks", int, (4, 8, 12, 16)),
    "units": Knob("units", "LSTM_UNITS", "LstmUnits", int, (16, 32, 64)),
    "lstm_layers": Knob("lstm_layers", "LSTM_LAYERS", "LstmLayers", int, (1, 2)),
    "activation": Knob("activation", "ACTIVATION", "Activation", str, ("tanh", "relu")),
    "dropout": Knob("dropout", "DROPOUT", "Dropout", float, (0.0, 0.1, 0.2)),
    "recurrent_dropout": Knob(
        "recurrent_dropout", "RECURRENT_DROPOUT", "RecurrentDropout", float, (0.0, 0.1)
    ),
    "l1": Knob("l1", "L1", "L1Penalty", float, (0.0, 1e-5)),
    "l2": Knob("l2", "L2", "L2Penalty", float, (0.0, 1e-4, 1e-3)),
    "learning_rate": Knob(
        "learning_rate", "LEARNING_RATE", "LearningRate", float, (1e-4, 3e-4, 1e-3)
    ),
    "batch_size": Knob("batch_size", "BATCH_SIZE", "BatchSize", int, (32, 64, 128)),
    "optimizer": Knob("optimizer", "OPTIMIZER", "Optimizer", str, ("adam", "rmsprop")),
    "epochs": Knob("epochs", "EPOCHS", "Epochs", int, (25, 50, 100)),
}
"""Every knob ``--param`` may name. ``epochs`` is not searched unless asked: with early stopping
it is a budget, and ``--epochs`` sets it for every trial."""
DEFAULT_SPACE: Final = tuple(name for name in KNOBS if name != "epochs")


def parse_space(
    overrides: Sequence[str], names: Sequence[str] = DEFAULT_SPACE
) -> dict[str, list[Any]]:
    """The search space: the default choices of ``names``, with ``NAME=v1,v2`` overrides on top
    (a single value fixes a knob; a knob outside ``names``, such as epochs, is added)."""
    space: dict[str, list[Any]] = {name: list(KNOBS[name].choices) for name in names}
    for item in overrides:
        name, sep, values = item.partition("=")
        name = name.strip().replace("-", "_").lower()
        if not sep or name not in KNOBS or not values.strip():
            raise ConfigError(
                f"--param {item!r}: use NAME=v1,v2,... with NAME one of {', '.join(KNOBS)}"
            )
        kind = KNOBS[name].kind
        try:
            space[name] = [kind(v.strip()) for v in values.split(",") if v.strip()]
        except ValueError as exc:
            raise ConfigError(f"--param {item!r}: {exc}") from exc
    return space


def spec_for(base: ModelSpec, params: Mapping[str, Any]) -> ModelSpec:
    """The base spec with a trial's parameters applied (names of KNOBS)."""
    return replace(base, **{KNOBS[name].spec_field: value for name, value in params.items()})


@dataclass(frozen=True)
class TuningWindows:
    """Where the search looks and where the final report looks: never the same closes."""

    tune_origins: list[int]
    backtest_origins: list[int]

    @property
    def tune_end(self) -> int:
        """Index of the last close any trial reads: the first backtest origin."""
        return self.backtest_origins[0]


def split_windows(n: int, backtest_weeks: int, tune_weeks: int, min_history: int) -> TuningWindows:
    """The backtest window (the last ``backtest_weeks`` origins, as ``cryptonic backtest``) and the
    tuning window before it, whose forecast days all end by the first backtest origin."""
    backtest = weekly_origins(n, backtest_weeks)
    tune = weekly_origins(int(backtest[0]) + 1, tune_weeks)
    if tune[0] + 1 < min_history:
        raise DataError(
            f"{n} closes cannot hold {min_history} closes of training, {tune_weeks} tuning weeks "
            f"and {backtest_weeks} backtest weeks: use fewer weeks or more data"
        )
    return TuningWindows([int(i) for i in tune], [int(i) for i in backtest])


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


def _score(report: BacktestReport, name: str, objective: Objective) -> tuple[float, Trial]:
    row = report.row(name)
    mape_ratio = 1.0 - row.skill
    pinball_ratio = None if row.pinball_skill is None else 1.0 - row.pinball_skill
    if objective == "pinball":
        if pinball_ratio is None:
            raise ConfigError("the pinball objective needs a quantile model (QUANTILES)")
        value = pinball_ratio
    elif objective == "mape+pinball" and pinball_ratio is not None:
        value = (mape_ratio + pinball_ratio) / 2.0
    else:
        value = mape_ratio
    return value, Trial(
        0, {}, value, 0.0, mape_ratio=mape_ratio, pinball_ratio=pinball_ratio, coverage=row.coverage
    )


SCORE_FIELDS: Final = ("mape", "rmse", "skill", "coverage", "width", "pinball", "pinball_skill")


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


def _window_info(dates: Sequence[dt.date], origins: Sequence[int]) -> dict[str, Any]:
    return {
        "first_origin": dates[origins[0]].isoformat(),
        "last_day": dates[origins[-1] + DAYS_PER_WEEK].isoformat(),
        "weeks": len(origins),
    }


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
    import optuna

    if settings.arch != "default":
        raise ConfigError("tune searches the default architecture (ARCH=default)")
    if trials < 1:
        raise ConfigError("--trials must be at least 1")
    values = np.asarray(closes, dtype=np.float64)
    base = ModelSpec.from_settings(settings)
    choices = {name: list(v) for name, v in space.items()}
    if not choices:
        raise ConfigError("the search space is empty")
    for name, options in choices.items():
        if not options:
            raise ConfigError(f"--param {name}: no values")
        for value in options:  # a bad value fails here, not as trial after trial failing
            try:
                spec_for(base, {name: value})
            except CryptonicError as exc:
                raise ConfigError(f"--param {name}={value!r}: {exc}") from exc
    longest = max([spec_for(base, {n: v}).min_training_closes for n in choices for v in choices[n]])
    windows = split_windows(values.size, settings.backtest_weeks, tune_weeks, longest)
    end = windows.tune_end + 1
    tune_closes, tune_dates = values[:end], list(dates[:end])

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    chosen: optuna.samplers.BaseSampler = (
        optuna.samplers.GridSampler(choices, seed=settings.seed)
        if sampler == "grid"
        else optuna.samplers.RandomSampler(seed=settings.seed)
    )
    study = optuna.create_study(direction="minimize", sampler=chosen)
    records: list[Trial] = []

    def evaluate(number: int, params: dict[str, Any], run: str) -> Trial:
        """Fit before the tuning window, score on it; a CryptonicError marks the trial failed."""
        started = time.perf_counter()
        model = Model(spec_for(base, params))
        if tensorboard is not None:
            model.log_dir = tensorboard / run
        record = Trial(number, params, None, 0.0)
        try:
            report = walk_forward(
                tune_closes,
                tune_dates,
                [Persistence(quantiles=settings.quantiles), model],
                weeks=tune_weeks,
                ticker=ticker,
            )
            value, scored = _score(report, model.name, objective)
        except CryptonicError as exc:
            record.error = str(exc)
        else:
            record.objective = value
            record.mape_ratio, record.pinball_ratio = scored.mape_ratio, scored.pinball_ratio
            record.coverage = scored.coverage
        record.seconds = round(time.perf_counter() - started, 3)
        return record

    def run_trial(trial: optuna.Trial) -> float:
        params = {
            name: trial.suggest_categorical(name, options) for name, options in choices.items()
        }
        record = evaluate(trial.number, params, f"trial-{trial.number:03d}")
        records.append(record)
        if on_trial:
            on_trial(record)
        if record.objective is None:
            raise ModelError(record.error or "the trial failed")
        return record.objective

    started = time.perf_counter()
    study.optimize(
        run_trial,
        n_trials=trials,
        timeout=timeout,
        catch=(CryptonicError,),
        show_progress_bar=progress,
    )
    finished = [t for t in records if t.objective is not None and math.isfinite(t.objective)]
    best = min(finished, key=lambda t: (t.objective, t.number)) if finished else None
    result = TuneResult(
        ticker=ticker,
        sampler=sampler,
        objective_name=objective,
        seed=settings.seed,
        space=choices,
        trials=records,
        best=best,
        seconds=0.0,
        windows={
            "tune": _window_info(dates, windows.tune_origins),
            "backtest": _window_info(dates, windows.backtest_origins),
        },
        base={name: getattr(base, KNOBS[name].spec_field) for name in KNOBS},
        budget={"trials": trials, "timeout_seconds": timeout},
    )
    if include_default:
        # Today's default on the same tuning window: what a trial has to beat there.
        result.default = evaluate(-1, dict(result.base), "tune-default")
    if best is not None and final_backtest:
        seeds = list(backtest_seeds or [settings.seed])
        for seed in seeds:
            tuned = _Named(replace(spec_for(base, best.params), seed=seed), "tuned")
            default = _Named(replace(base, seed=seed), "default")
            if tensorboard is not None:
                suffix = f"-seed{seed}" if len(seeds) > 1 else ""
                tuned.log_dir = tensorboard / f"final-tuned{suffix}"
                default.log_dir = tensorboard / f"final-default{suffix}"
            report = walk_forward(
                values,
                list(dates),
                [Persistence(quantiles=settings.quantiles), default, tuned],
                weeks=settings.backtest_weeks,
                ticker=ticker,
            )
            result.backtest_by_seed[str(seed)] = [r.to_dict() for r in report.rows]
        result.backtest = seed_means(list(result.backtest_by_seed.values()))
    result.seconds = round(time.perf_counter() - started, 3)
    return result


# -- presentation ----------------------------------------------------------------------------
def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def leaderboard(result: TuneResult, top: int | None = None) -> str:
    """The trials, best first: objective, its parts, seconds, then every searched parameter."""
    names = list(result.space)
    header = ["#", "TRIAL", "OBJECTIVE", "MAPE/PERS", "PINBALL/PERS", "COVERAGE", "SECONDS", *names]
    ranked = sorted(
        result.trials,
        key=lambda t: (
            t.objective is None,
            t.objective if t.objective is not None else 0,
            t.number,
        ),
    )
    rows = [header]
    listed = [(str(rank), t) for rank, t in enumerate(ranked[:top] if top else ranked, start=1)]
    if result.default is not None:  # in its place by objective, unranked
        value = result.default.objective
        at = next(
            (
                i
                for i, (_, t) in enumerate(listed)
                if value is not None and (t.objective is None or t.objective > value)
            ),
            len(listed),
        )
        listed.insert(at, ("-", result.default))
    for rank, t in listed:
        rows.append(
            [
                rank,
                "default" if t.number < 0 else str(t.number),
                _num(t.objective, ".4f") if t.error is None else "failed",
                _num(t.mape_ratio, ".4f"),
                _num(t.pinball_ratio, ".4f"),
                _num(t.coverage, ".0%"),
                f"{t.seconds:.1f}",
                *[_value(t.params.get(n)) for n in names],
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def env_lines(result: TuneResult) -> list[str]:
    """The best configuration as environment lines (what Settings reads)."""
    if result.best is None:
        return []
    return [f"{KNOBS[n].env}={_value(v)}" for n, v in result.best.params.items()]


def parameter_overrides(result: TuneResult) -> str:
    """The best configuration as ``sam deploy --parameter-overrides`` arguments."""
    if result.best is None:
        return ""
    pairs = " ".join(f"{KNOBS[n].sam}={_value(v)}" for n, v in result.best.params.items())
    return f"sam deploy --parameter-overrides {pairs}"


def backtest_table(result: TuneResult) -> str:
    """The nested report: persistence, today's default and the tuned config on the backtest
    window, which no trial read."""
    lines = [
        f"{'':<12} {'MAPE%':>8} {'MAPE RANGE':>15} {'RMSE':>10} {'SKILL':>7} {'COVER':>6} "
        f"{'PINBALL':>8} {'P-SKILL':>8}"
    ]
    for row in result.backtest:
        spread = f"{row['mape_min']:.3f}..{row['mape_max']:.3f}" if row["seeds"] > 1 else "-"
        lines.append(
            f"{row['model']:<12} {row['mape']:>8.3f} {spread:>15} {row['rmse']:>10,.1f} "
            f"{row['skill']:>+7.3f} {_num(row.get('coverage'), '.0%'):>6} "
            f"{_num(row.get('pinball'), '.3f'):>8} {_num(row.get('pinball_skill'), '+.3f'):>8}"
        )
    return "\n".join(lines)


def report_text(result: TuneResult) -> str:
    """Everything ``cryptonic tune`` prints on the terminal."""
    done = [t for t in result.trials if t.error is None]
    w = result.windows
    out = [
        f"{result.ticker}: {len(result.trials)} trials ({len(result.trials) - len(done)} failed) "
        f"of {result.sampler} search in {result.seconds:.1f} s, seed {result.seed}, "
        f"objective {result.objective_name} vs persistence (lower is better, < 1 beats it)",
        f"tuning window: {w['tune']['weeks']} weeks from {w['tune']['first_origin']} to "
        f"{w['tune']['last_day']}; backtest window (never seen by the search): "
        f"{w['backtest']['weeks']} weeks from {w['backtest']['first_origin']} to "
        f"{w['backtest']['last_day']}",
        "",
        leaderboard(result),
        "",
    ]
    if result.best is None:
        out.append("no trial finished: nothing to recommend")
        return "\n".join(out)
    out.append(f"best: trial {result.best.number}, objective {result.best.objective:.4f}")
    if result.default is not None and result.default.objective is not None:
        out.append(
            f"today's default on the same tuning window: objective {result.default.objective:.4f}"
        )
    out.append("")
    if result.backtest:
        seeds = ", ".join(result.backtest_by_seed)
        out += [
            f"backtest window, each fitted once before it (seeds {seeds}; means):",
            backtest_table(result),
            "",
        ]
    out += ["as environment lines:", *env_lines(result), "", parameter_overrides(result)]
    return "\n".join(out)


def plot_trials(result: TuneResult, path: Path) -> None:
    """Objective against each searched parameter (one panel each, jittered categories), the best
    trial in red: which knobs matter and which do not."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n in result.space if len(result.space[n]) > 1] or list(result.space)
    done = [t for t in result.trials if t.objective is not None]
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.8 * rows), squeeze=False)
    rng = np.random.default_rng(0)
    for ax, name in zip(axes.flat, names, strict=False):
        labels = [_value(v) for v in result.space[name]]
        for t in done:
            x = labels.index(_value(t.params[name])) + rng.uniform(-0.15, 0.15)
            best = result.best is not None and t.number == result.best.number
            ax.scatter(x, t.objective, color="tab:red" if best else "tab:blue", s=18)
        ax.set_xticks(range(len(labels)), labels)
        ax.axhline(1.0, color="grey", lw=0.8, ls="--")
        ax.set_title(name, fontsize=9)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(f"{result.ticker}: objective vs parameter (dashed: persistence)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_trial(trial: Trial, total: int, stream: Any = sys.stderr) -> None:
    """One line per finished trial, for logs without a terminal (the progress bar's stand-in)."""
    state = "failed: " + (trial.error or "") if trial.error else f"objective {trial.objective:.4f}"
    stream.write(f"trial {trial.number + 1}/{total}: {state} ({trial.seconds:.1f} s)\n")
    stream.flush()


def to_json(result: TuneResult) -> str:
    """``--json``: every trial and the best, plus the windows and the nested backtest."""
    return json.dumps(result.to_dict(), indent=2, default=str)


__all__ = [
    "DEFAULT_SPACE",
    "KNOBS",
    "OBJECTIVES",
    "Trial",
    "TuneResult",
    "env_lines",
    "leaderboard",
    "parameter_overrides",
    "parse_space",
    "plot_trials",
    "report_text",
    "seed_means",
    "spec_for",
    "split_windows",
    "to_json",
    "tune",
]
