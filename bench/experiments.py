"""Issue 13: input variants and a seed ensemble, backtested as bench/quality.py does.

Not one of `make bench`'s parts; run it on its own:

    python -m bench.experiments [--seeds 1 2] [--weeks 52 104] [--variants NAME ...] [--members 3]
                                [--out experiments]

Each variant is backtested with ``walk_forward`` (fitted once on the closes before the first
origin, then forecasting every weekly origin from its own past) on the bundled BTC snapshot's last
52 and 104 weeks, once per seed, next to today's default model and persistence with the empirical
quantiles of past moves (the pinball reference). Scores as bench/quality.py: MAPE of the median
(mean and range over seeds), skill against persistence, coverage of the 0.1-0.9 interval, its
width and the pinball loss (% of the last close), and pinball skill. Variants:

* ``default``: today's model (closes relative to the last close, shaped (weeks, 7), LSTM(32),
  quantile head, conformal calibration, Adam 3e-4).
* ``ensemble``: ``--members`` default models trained with different seeds (``seed + 100 k``, so
  the first member is the ``default`` row's model); their calibrated quantiles are averaged and
  re-sorted per day.
* ``log returns``: the default model fed the last ``weeks`` x 7 daily log returns (one close more
  of history) instead of closes relative to the last close.
* ``daily closes``: the default inputs, but the LSTM steps over the ``weeks`` x 7 days (shape
  (days, 1)) instead of over weeks: the control for ``ohlcv``, which needs daily steps.
* ``ohlcv``: daily steps with three features: the close relative to the last close, the day's
  high/low range (log high/low) and its volume (log, relative to the window's mean log volume).
  Serving has closes only, so this can only ever be an experiment here.

Output: a markdown table on stdout, saved with the per-seed figures to bench/experiments.json and
bench/EXPERIMENTS.md (``--out NAME``: bench/NAME.json and bench/NAME.upper().md). The paired
comparison against the default (same seed, same window) is what decides: a variant is worth
keeping when its pinball skill is higher on every seed of both windows and its median's MAPE is
not higher than the default's worst seed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.common import ROOT, machine
from cryptonic.data import load_prices
from cryptonic.forecast.windows import (
    DAYS_PER_WEEK,
    FloatArray,
    history_windows,
    target_windows,
    training_origins,
)
from cryptonic.training.baselines.naive import Persistence
from cryptonic.training.evaluation.backtest import BacktestReport, walk_forward
from cryptonic.training.model.keras_model import Model
from cryptonic.training.model.networks import INPUT_SCALE, OUTPUT_SCALE, keras_with_our_layers
from cryptonic.training.model.spec import ModelSpec

VARIANTS = ("default", "ensemble", "log returns", "daily closes", "ohlcv")
LOG_RETURN_SCALE = 3.0
"""Daily log returns are ~3%; x3 here and x10 in the network's Rescaling puts them near unit."""
RANGE_SCALE = 20.0
"""log(high / low) is a few percent a day: x20 puts it near unit scale."""
MEMBER_SEED_STEP = 100


class Named(Model):
    """A default-architecture model reported under its own row name."""

    def __init__(self, spec: ModelSpec, label: str) -> None:
        super().__init__(spec)
        self.label = label

    @property
    def name(self) -> str:
        return self.label


class LogReturns(Named):
    """Inputs: the last ``lookback`` daily log returns (``lookback + 1`` closes), (weeks, 7)."""

    @property
    def min_history(self) -> int:
        return self.spec.lookback + 1

    def inputs_at(self, closes: FloatArray, origins: npt.ArrayLike) -> npt.NDArray[np.float32]:
        idx = np.asarray(origins, dtype=np.int64)
        lookback = self.spec.lookback
        if idx.size and idx.min() < lookback:
            raise ValueError(f"log-return inputs need {lookback + 1} closes up to each origin")
        offsets = np.arange(-lookback, 1)
        window = np.log(closes[idx[:, None] + offsets[None, :]])
        returns = np.diff(window, axis=1) * LOG_RETURN_SCALE
        shaped = returns.reshape(idx.size, self.spec.weeks, DAYS_PER_WEEK)
        return np.asarray(shaped, dtype=np.float32)

    def training_set(
        self, closes: FloatArray
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Every sliding window, starting one day later than the default's (a return needs the
        close before the window's first one)."""
        origins = training_origins(closes.size, self.spec.lookback + 1, self.spec.horizon)
        x = self.inputs_at(closes, origins)
        y = target_windows(closes, origins, self.spec.horizon).astype(np.float32)
        return x, y


class Daily(Named):
    """The LSTM steps over days: input (weeks x 7, features), features built per day."""

    features = 1

    def build(self) -> Any:
        keras = keras_with_our_layers()
        from cryptonic.training.model.quantile_head import PinballLoss, QuantileHead

        keras.utils.set_random_seed(self.spec.seed)
        inputs = keras.Input((self.spec.lookback, self.features), name="days")
        hidden = keras.layers.LSTM(self.spec.units, name="lstm")(inputs)
        outputs = QuantileHead(
            self.spec.horizon, self.spec.quantiles, OUTPUT_SCALE, name="quantiles"
        )(hidden)
        network = keras.Model(inputs, outputs, name="cryptonic_daily")
        network.compile(
            optimizer=keras.optimizers.Adam(self.spec.learning_rate),
            loss=PinballLoss(self.spec.quantiles),
        )
        self.network = network
        return network

    def day_features(self, closes: FloatArray, idx: npt.NDArray[np.int64]) -> list[FloatArray]:
        return [history_windows(closes, idx, self.spec.lookback) * INPUT_SCALE]

    def inputs_at(self, closes: FloatArray, origins: npt.ArrayLike) -> npt.NDArray[np.float32]:
        idx = np.asarray(origins, dtype=np.int64)
        return np.stack(self.day_features(closes, idx), axis=-1).astype(np.float32)


class Ohlcv(Daily):
    """Daily steps with the close, the high/low range and the volume of each day."""

    features = 3

    def __init__(self, spec: ModelSpec, label: str, frame: Any) -> None:
        super().__init__(spec, label)
        self.close = frame["close"].to_numpy(dtype=np.float64)
        self.log_range = np.log(
            frame["high"].to_numpy(dtype=np.float64) / frame["low"].to_numpy(dtype=np.float64)
        )
        self.log_volume = np.log(np.maximum(frame["volume"].to_numpy(dtype=np.float64), 1.0))

    def day_features(self, closes: FloatArray, idx: npt.NDArray[np.int64]) -> list[FloatArray]:
        n = closes.size
        if n > self.close.size or closes[-1] != self.close[n - 1]:
            raise ValueError("the closes are not a prefix of the frame this model was given")
        days = idx[:, None] + np.arange(-self.spec.lookback + 1, 1)[None, :]
        volume = self.log_volume[days]
        return [
            *super().day_features(closes, idx),
            self.log_range[days] * RANGE_SCALE,
            volume - volume.mean(axis=1, keepdims=True),
        ]


class SeedEnsemble:
    """Members differing only by seed; the forecast is the mean of their calibrated quantiles,
    sorted per day (a mean of ordered vectors is ordered already; the sort only guards it)."""

    horizon = DAYS_PER_WEEK
    name = "ensemble"

    def __init__(self, spec: ModelSpec, members: int) -> None:
        self.spec = spec
        self.members = [
            Model(replace(spec, seed=spec.seed + MEMBER_SEED_STEP * k)) for k in range(members)
        ]

    @property
    def quantiles(self) -> tuple[float, ...]:
        return self.spec.quantiles

    @property
    def min_history(self) -> int:
        return self.spec.lookback

    def fit(self, closes: FloatArray) -> None:
        for member in self.members:
            member.fit(closes)

    def predict_quantiles(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        stacked = np.stack([m.predict_quantiles(closes, origins) for m in self.members])
        return np.asarray(np.sort(stacked.mean(axis=0), axis=-1), dtype=np.float64)

    def predict_relative(self, closes: FloatArray, origins: npt.ArrayLike) -> FloatArray:
        return self.predict_quantiles(closes, origins)[..., self.spec.median_index]


def forecasters(seed: int, variants: Sequence[str], frame: Any, members: int) -> list[Any]:
    spec = ModelSpec(seed=seed)
    made: dict[str, Any] = {
        "default": lambda: Named(spec, "default"),
        "ensemble": lambda: SeedEnsemble(spec, members),
        "log returns": lambda: LogReturns(spec, "log returns"),
        "daily closes": lambda: Daily(spec, "daily closes"),
        "ohlcv": lambda: Ohlcv(spec, "ohlcv", frame),
    }
    return [Persistence(), *(made[v]() for v in variants)]


SCORES = ("mape", "skill", "coverage", "width", "pinball", "pinball_skill")


def summarize(reports: list[BacktestReport], names: Sequence[str]) -> list[dict[str, Any]]:
    """Per variant: the mean of each score over seeds, MAPE and pinball skill ranges, the raw
    per-seed figures and the paired (same seed) differences against the default."""
    rows = []
    for name in names:
        per_seed = [{k: getattr(rep.row(name), k) for k in SCORES} for rep in reports]
        row: dict[str, Any] = {"variant": name}
        for key in SCORES:
            values = [s[key] for s in per_seed]
            row[key] = statistics.mean(values) if None not in values else None
        mapes = [s["mape"] for s in per_seed]
        skills = [s["pinball_skill"] for s in per_seed]
        row.update(mape_min=min(mapes), mape_max=max(mapes))
        row.update(pinball_skill_min=min(skills), pinball_skill_max=max(skills))
        row["per_seed"] = per_seed
        if name not in ("default", "persistence") and "default" in names:
            base = [rep.row("default") for rep in reports]
            row["vs_default"] = {
                "mape": [s["mape"] - b.mape for s, b in zip(per_seed, base, strict=True)],
                "pinball_skill": [
                    s["pinball_skill"] - (b.pinball_skill or 0.0)
                    for s, b in zip(per_seed, base, strict=True)
                ],
            }
        rows.append(row)
    return rows


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def markdown(tables: dict[str, list[dict[str, Any]]], seeds: Sequence[int]) -> str:
    lines = [
        f"Seeds {', '.join(map(str, seeds))}; mean over seeds, [min, max] where a seed matters. "
        "Persistence's quantiles are the past year's moves (the pinball reference).",
        "",
        "| window | variant | MAPE % mean [min, max] | skill | coverage | width % | pinball % "
        "| pinball skill [min, max] | vs default, per seed: d MAPE / d pinball skill |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for window, rows in tables.items():
        for r in rows:
            paired = r.get("vs_default")
            vs = (
                "; ".join(
                    f"{m:+.3f} / {p:+.3f}"
                    for m, p in zip(paired["mape"], paired["pinball_skill"], strict=True)
                )
                if paired
                else ""
            )
            lines.append(
                f"| {window} | {r['variant']} | {r['mape']:.3f} [{r['mape_min']:.3f}, "
                f"{r['mape_max']:.3f}] | {r['skill']:+.4f} | {_fmt(r['coverage'], '.3f')} | "
                f"{_fmt(r['width'], '.2f')} | {_fmt(r['pinball'], '.4f')} | "
                f"{r['pinball_skill']:+.4f} [{r['pinball_skill_min']:+.4f}, "
                f"{r['pinball_skill_max']:+.4f}] | {vs} |"
            )
    return "\n".join(lines)


def run(
    seeds: Sequence[int], windows: Sequence[int], variants: Sequence[str], members: int
) -> dict[str, Any]:
    frame = load_prices("BTC-USD", source="bundled")
    closes = frame["close"].to_numpy()
    dates = [d.date() for d in frame["date"]]
    names = ["persistence", *variants]
    tables: dict[str, list[dict[str, Any]]] = {}
    spans: dict[str, Any] = {}
    started = time.perf_counter()
    for weeks in windows:
        reports = []
        for seed in seeds:
            t = time.perf_counter()
            models = forecasters(seed, variants, frame, members)
            reports.append(walk_forward(closes, dates, models, weeks=weeks, ticker="BTC-USD"))
            print(f"last {weeks} weeks, seed {seed}: {time.perf_counter() - t:.0f} s", flush=True)
        key = f"last {weeks} weeks"
        tables[key] = summarize(reports, names)
        spans[key] = reports[0].to_dict()["window"]
    return {
        "machine": machine(),
        "seconds": time.perf_counter() - started,
        "seeds": list(seeds),
        "members": members,
        "windows": spans,
        "tables": tables,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.experiments")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--weeks", type=int, nargs="+", default=[52, 104])
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--members", type=int, default=3, help="seeds in the ensemble")
    parser.add_argument("--out", default="experiments", help="bench/OUT.json, bench/OUT (upper).md")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.basicConfig(level=logging.WARNING)
    variants = ["default", *(v for v in args.variants if v != "default")]
    results = run(args.seeds, args.weeks, variants, args.members)
    table = markdown(results["tables"], args.seeds)
    print(table)
    command = "python -m bench.experiments " + " ".join(
        [
            "--seeds",
            *map(str, args.seeds),
            "--weeks",
            *map(str, args.weeks),
            "--members",
            str(args.members),
            *(
                ["--variants", *(f"'{v}'" for v in variants[1:])]
                if variants != list(VARIANTS)
                else []
            ),
            *(["--out", args.out] if args.out != "experiments" else []),
        ]
    )
    results["command"] = command
    (ROOT / "bench" / f"{args.out}.json").write_text(json.dumps(results, indent=2) + "\n")
    m = results["machine"]
    (ROOT / "bench" / f"{args.out.upper()}.md").write_text(
        "# Issue 13 experiments: input variants and a seed ensemble (BTC-USD, bundled snapshot)\n\n"
        f"Command: `{command}`; {m['date']}, {m['cpus']} CPUs, {results['seconds']:.0f} s. "
        f"Raw figures: bench/{args.out}.json.\n\n" + table + "\n"
    )


if __name__ == "__main__":
    main()
