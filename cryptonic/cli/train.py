"""``cryptonic train`` and ``cryptonic predict``: a model file without the registry, and a
forecast from one (or from the store's champion).

The two share a file because they share its two ends: ``train`` writes the ``.keras`` file that
``predict --model`` reads, and both print a forecast the same way (:func:`print_forecast`).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptonic.cli.options import prices_from, settings_from, tensorboard_run
from cryptonic.config import ARCHS, LOCAL_STORE_DIR
from cryptonic.errors import ConfigError, ModelError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_predict", "cmd_train", "model_file", "print_forecast", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``train`` and ``predict``, in that order (the order of ``cryptonic --help``)."""
    p = sub.add_parser(
        "train",
        parents=[flags.common, flags.data, flags.model, flags.board],
        help=cmd_train.__doc__,
    )
    p.add_argument("--arch", choices=ARCHS)
    p.add_argument("--out", help="where to save the .keras file")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", parents=[flags.common, flags.data], help=cmd_predict.__doc__)
    p.add_argument("--model", help="a .keras or .tflite file (default: the store's champion)")
    p.add_argument("--arch", choices=ARCHS, help="arch of a .tflite file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)


def print_forecast(forecast: dict[str, Any]) -> None:
    """A forecast's JSON body as lines for a person: one day a line, its interval beside it."""
    print(
        f"{forecast['ticker']} forecast from the close of {forecast['as_of']} "
        f"(last close {forecast['last_close']:,.2f})"
        + (f", model {forecast['model_version']}" if forecast.get("model_version") else ""),
    )
    level = forecast.get("interval_level")
    if level:
        print(f"each day: the median, then the {level:.0%} interval [lower, upper]")
    for row in forecast["result"]:
        band = ""
        if row.get("lower") is not None and row.get("upper") is not None:
            band = f"  [{row['lower']:>14,.2f}, {row['upper']:>14,.2f}]"
        print(f"  {row['date']}  {row['prediction']:>14,.2f}{band}")


def model_file(path: str) -> Path:
    """Where ``train`` will save, checked before the minutes of training rather than after: a
    ``.keras`` name that is no folder, in a folder that exists or can be made (as the save makes
    it) and takes a new file (tried: a permission bit cannot tell, for root or on /proc)."""
    out = Path(path)
    if out.suffix != ".keras":
        raise ConfigError(f"--out must name a .keras file, got {path!r}")
    if out.is_dir():
        raise ConfigError(f"--out {path} is a folder: name a .keras file in it")
    folder = out.parent
    while not folder.exists():  # the save makes the missing folders: check the first that is
        folder = folder.parent
    if not folder.is_dir():
        raise ConfigError(f"--out {path}: {folder} is not a folder")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".cryptonic-out-"):
            pass
    except OSError as exc:
        raise ConfigError(f"--out {path}: cannot write in {folder}: {exc.strerror or exc}") from exc
    return out


def cmd_train(args: argparse.Namespace) -> int:
    """Train on every close and save a ``.keras`` file (no registry: see ``retrain``)."""
    from cryptonic.training.model.forecast import keras_forecast
    from cryptonic.training.model.keras_model import Model
    from cryptonic.training.model.spec import ModelSpec

    settings = settings_from(args)
    ticker = settings.tickers[0]
    spec = ModelSpec.from_settings(settings)
    out = model_file(args.out or f"{LOCAL_STORE_DIR}/{ticker}-{spec.arch}.keras")
    frame = prices_from(settings, ticker, spec.min_training_closes)
    model = Model(spec)
    model.log_dir = tensorboard_run(settings, "train", ticker)
    report = model.train(frame["close"].to_numpy(), verbose=args.verbose)
    try:
        model.save(out)
    except OSError as exc:  # checked before training, so the disk or the folder changed since
        raise ModelError(f"cannot save the trained model to {out}: {exc}") from exc
    print(
        f"trained {spec.arch} model on {len(frame)} closes "
        f"({frame['date'].iloc[0].date()} .. {frame['date'].iloc[-1].date()}): "
        f"{report.epochs_run} epochs (best {report.best_epoch}), {report.seconds:.1f} s -> {out}"
    )
    print_forecast(keras_forecast(model, frame, ticker).to_dict())
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    """Forecast the next 7 days from the latest prices with a model file or the champion."""
    import datetime as dt
    from dataclasses import replace

    import numpy as np

    from cryptonic.data import frame_calendar
    from cryptonic.forecast.freshness import format_timestamp
    from cryptonic.forecast.predictor import Predictor
    from cryptonic.registry.keys import MODEL_TFLITE
    from cryptonic.registry.registry import Registry
    from cryptonic.store.uri import open_store

    settings = settings_from(args)
    ticker = settings.tickers[0]
    frame = prices_from(settings, ticker)
    closes = frame["close"].to_numpy(dtype=np.float64)
    last = frame["date"].iloc[-1].date()
    calendar = frame_calendar(frame, ticker)
    version = None
    if args.model and args.model.endswith(".keras"):
        from cryptonic.training.model.forecast import keras_forecast
        from cryptonic.training.model.keras_model import Model

        forecast = keras_forecast(Model.load(args.model), frame, ticker)
    else:
        quantiles: list[float] | None = None  # a .tflite file's own metadata says
        if args.model:
            tflite, arch = Path(args.model).read_bytes(), args.arch or "default"
        else:
            registry = Registry(open_store(settings.store_uri))
            version = registry.resolve_version(ticker, settings.model_version)
            manifest = registry.manifest(ticker, version)
            tflite = registry.load_artifact(ticker, version, MODEL_TFLITE, manifest=manifest)
            arch, quantiles = manifest.model.arch, manifest.model.quantiles
        forecast = Predictor(tflite, arch=arch, quantiles=quantiles).forecast(
            closes, last, ticker=ticker, calendar=calendar, model_version=version
        )
    forecast = replace(forecast, generated_at=format_timestamp(dt.datetime.now(dt.UTC)))
    if args.json:
        print(json.dumps(forecast.to_dict(), indent=2))
    else:
        print_forecast(forecast.to_dict())
    return 0
