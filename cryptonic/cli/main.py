"""``cryptonic``: the command line (train, predict, backtest, retrain, models, serve, run).

Each subcommand parses its flags, calls the library and prints; errors of ours (CryptonicError)
become one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from cryptonic import __version__
from cryptonic.config import ARCHS, LOCAL_STORE_DIR, Settings
from cryptonic.errors import ConfigError, CryptonicError
from cryptonic.logs import configure_logging

if TYPE_CHECKING:
    import pandas as pd


log = logging.getLogger("cryptonic.cli")

SETTING_FLAGS = {
    "ticker": "tickers",
    "store": "store_uri",
    "start": "start_date",
    "end": "end_date",
    "epochs": "epochs",
    "arch": "arch",
    "data": "data_source",
    "weeks": "backtest_weeks",
    "strategy": "retrain_strategy",
    "lookback": "lookback_weeks",
    "units": "lstm_units",
    "layers": "lstm_layers",
    "activation": "activation",
    "dropout": "dropout",
    "recurrent_dropout": "recurrent_dropout",
    "l1": "l1",
    "l2": "l2",
    "learning_rate": "learning_rate",
    "batch_size": "batch_size",
    "optimizer": "optimizer",
    "tensorboard": "tensorboard_dir",
    "seed": "seed",
}


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment settings with the command-line flags that were given on top."""
    overrides: dict[str, Any] = {}
    for flag, field in SETTING_FLAGS.items():
        value = getattr(args, flag, None)
        if value is None or (flag == "arch" and value == "both"):
            continue
        overrides[field] = [value] if flag == "ticker" else value
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc


def _prices(settings: Settings, ticker: str, min_rows: int | None = None) -> pd.DataFrame:
    from cryptonic.data import load_prices

    return load_prices(
        ticker, settings.start_date, settings.end_date, settings.data_source, min_rows=min_rows
    )


def _print_forecast(forecast: dict[str, Any]) -> None:
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


# -- commands --------------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    """Train on every close and save a ``.keras`` file (no registry: see ``retrain``)."""
    from cryptonic.training.model.forecast import keras_forecast
    from cryptonic.training.model.keras_model import Model
    from cryptonic.training.model.spec import ModelSpec

    settings = settings_from(args)
    ticker = settings.tickers[0]
    spec = ModelSpec.from_settings(settings)
    frame = _prices(settings, ticker, spec.min_training_closes)
    model = Model(spec)
    if settings.tensorboard_dir:
        model.log_dir = Path(settings.tensorboard_dir) / f"train-{ticker}-{_stamp()}"
    report = model.train(frame["close"].to_numpy(), verbose=args.verbose)
    out = Path(args.out or f"{LOCAL_STORE_DIR}/{ticker}-{spec.arch}.keras")
    model.save(out)
    print(
        f"trained {spec.arch} model on {len(frame)} closes "
        f"({frame['date'].iloc[0].date()} .. {frame['date'].iloc[-1].date()}): "
        f"{report.epochs_run} epochs (best {report.best_epoch}), {report.seconds:.1f} s -> {out}"
    )
    _print_forecast(keras_forecast(model, frame, ticker).to_dict())
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    """Forecast the next 7 days from the latest prices with a model file or the champion."""
    import numpy as np

    from cryptonic.data import infer_calendar
    from cryptonic.forecast.predictor import Predictor
    from cryptonic.registry.keys import MODEL_TFLITE
    from cryptonic.registry.registry import Registry
    from cryptonic.store.uri import open_store

    settings = settings_from(args)
    ticker = settings.tickers[0]
    frame = _prices(settings, ticker)
    closes = frame["close"].to_numpy(dtype=np.float64)
    last = frame["date"].iloc[-1].date()
    calendar = infer_calendar(frame)
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
    if args.json:
        print(json.dumps(forecast.to_dict(), indent=2))
    else:
        _print_forecast(forecast.to_dict())
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Walk-forward backtest: the LSTM against persistence, drift and GARCH, on the same origins."""
    import datetime as dt

    from cryptonic.data import load_prices
    from cryptonic.training.baselines.garch import Garch
    from cryptonic.training.baselines.naive import Drift, Persistence
    from cryptonic.training.evaluation.backtest import (
        BOOK_TEST_END,
        BOOK_TRAIN_START,
        book_window_origins,
        walk_forward,
    )
    from cryptonic.training.forecaster import Forecaster
    from cryptonic.training.model.keras_model import Model
    from cryptonic.training.model.spec import ModelSpec

    settings = settings_from(args)
    ticker = settings.tickers[0]
    archs = ["book", "default"] if args.arch == "both" else [settings.arch]
    if args.arch is None and args.book_window:
        archs = ["book", "default"]
    specs = [ModelSpec.from_settings(settings.model_copy(update={"arch": a})) for a in archs]
    forecasters: list[Forecaster] = [
        Persistence(quantiles=settings.quantiles),
        Drift(),
        Garch(quantiles=settings.quantiles),
        *[Model(s) for s in specs],
    ]
    if args.book_window:
        frame = load_prices(ticker, BOOK_TRAIN_START, BOOK_TEST_END, settings.data_source)
        dates: list[dt.date] = [d.date() for d in frame["date"]]
        report = walk_forward(
            frame["close"].to_numpy(),
            dates,
            forecasters,
            origins=book_window_origins(dates),
            refit=args.refit,
            protocols=("book", "honest"),
            ticker=ticker,
        )
    else:
        need = max(s.min_training_closes for s in specs) + 7 * (settings.backtest_weeks + 1)
        frame = _prices(settings, ticker, need)
        dates = [d.date() for d in frame["date"]]
        report = walk_forward(
            frame["close"].to_numpy(),
            dates,
            forecasters,
            weeks=settings.backtest_weeks,
            refit=args.refit,
            ticker=ticker,
        )
    if args.plot:
        from cryptonic.training.evaluation.plots import plot_backtest

        plot_backtest(report, Path(args.plot))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.table())
        if args.plot:
            print(f"plot written to {args.plot}")
    return 0


def cmd_retrain(args: argparse.Namespace) -> int:
    """The weekly job, locally: the same pipeline the retrain Lambda runs."""
    from cryptonic.jobs.retrain.invocation import run_retrain_event

    settings = settings_from(args)
    event: dict[str, Any] = {"tickers": settings.tickers, "force": args.force}
    if args.strategy:
        event["strategy"] = args.strategy
    summary = run_retrain_event(event, settings)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
    else:
        if summary.get("error"):
            print(f"error: {summary['error']['message']}", file=sys.stderr)
        for r in summary["results"]:
            state = "promoted" if r["promoted"] else ("skipped" if r["skipped"] else "kept")
            print(f"{r['ticker']}: {state} {r['version'] or ''} in {r['seconds']:.1f} s")
            print(f"  {r['reason']}")
            if r.get("error"):
                print(f"  error [{r['error']['code']}]: {r['error']['message']}")
    return 0 if summary["ok"] else 1


def _stamp() -> str:
    """UTC now as a folder name: one TensorBoard run per invocation."""
    import datetime as dt

    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _seeds(text: str | None) -> list[int] | None:
    """``--backtest-seeds 1,2,3`` as ints (None: the SEED alone)."""
    if not text:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(f"--backtest-seeds {text!r}: use integers, e.g. 1,2,3") from exc


def cmd_tune(args: argparse.Namespace) -> int:
    """Random or grid search over the model's knobs on weeks before the backtest window, then the
    best and the default backtested on that window (cryptonic/tune.py)."""
    import numpy as np

    from cryptonic.training.tuning.search import (
        parse_space,
        plot_trials,
        print_trial,
        report_text,
        to_json,
        tune,
    )

    settings = settings_from(args)
    ticker = settings.tickers[0]
    space = parse_space(args.param or [])
    if not args.verbose:  # one line per trial, not two per fit
        logging.getLogger("cryptonic.model").setLevel(logging.WARNING)
    frame = _prices(settings, ticker)
    progress = sys.stderr.isatty() and not args.json
    tensorboard = None
    if settings.tensorboard_dir:
        tensorboard = Path(settings.tensorboard_dir) / f"tune-{ticker}-{_stamp()}"
    result = tune(
        frame["close"].to_numpy(dtype=np.float64),
        [d.date() for d in frame["date"]],
        settings,
        space=space,
        trials=args.trials,
        timeout=args.timeout * 60 if args.timeout else None,
        sampler="grid" if args.grid else "random",
        tune_weeks=args.tune_weeks,
        objective=args.objective,
        tensorboard=tensorboard,
        final_backtest=not args.no_backtest,
        backtest_seeds=_seeds(args.backtest_seeds),
        progress=progress,
        on_trial=None if progress else (lambda t: print_trial(t, args.trials)),
        ticker=ticker,
    )
    if args.plot:
        plot_trials(result, Path(args.plot))
    if args.save:
        Path(args.save).write_text(to_json(result) + "\n")
    if args.json:
        print(to_json(result))
    else:
        print(report_text(result))
        if args.plot:
            print(f"\nplot written to {args.plot}")
        if tensorboard is not None:
            print(f"TensorBoard logs in {tensorboard}: tensorboard --logdir {tensorboard}")
    return 0 if result.best is not None else 1


def cmd_models(args: argparse.Namespace) -> int:
    """Registry operations: list, show, compare, promote, rollback (never over HTTP)."""
    from cryptonic.cli.models import models_command, terminal_confirm

    settings = settings_from(args)
    versions: list[str] = args.version or []
    if len(versions) > 1 and args.action != "compare":
        raise ConfigError(f"models {args.action} takes one version at most, got {len(versions)}")
    return models_command(
        args.action,
        settings.store_uri,
        settings.tickers[0],
        versions[0] if versions and args.action != "compare" else None,
        sys.stdout,
        confirm=None if args.yes else lambda q: terminal_confirm(q, sys.stdin, sys.stdout),
        versions=versions if args.action == "compare" else (),
    )


def cmd_refresh(args: argparse.Namespace) -> int:
    """The daily job, locally: the latest closes through the champion and the shadow
    challengers (no training), a new dated forecast, the track record scored."""
    from cryptonic.jobs.refresh.invocation import run_refresh_event

    settings = settings_from(args)
    summary = run_refresh_event({"tickers": settings.tickers}, settings)
    if args.json:
        print(json.dumps(summary, indent=2, default=str))
        return 0 if summary["ok"] else 1
    if summary.get("error"):
        print(f"error: {summary['error']['message']}", file=sys.stderr)
    for r in summary["results"]:
        print(f"{r['ticker']}: {r['outcome']} in {r['seconds']:.1f} s")
        print(f"  {r['reason']}")
        if r["shadows"]:
            print(f"  shadow challengers: {', '.join(r['shadows'])}")
        record = r.get("track_record")
        if record and record["forecasts"]:
            print(
                f"  live record: {record['forecasts']} forecasts, MAPE {record['mape']:.3f}% vs "
                f"persistence {record['persistence_mape']:.3f}%"
            )
        if r.get("error"):
            print(f"  error [{r['error']['code']}]: {r['error']['message']}")
    return 0 if summary["ok"] else 1


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a price history day by day: retrain weekly, refresh daily, print the record."""
    from cryptonic.jobs.replay import format_replay, replay
    from cryptonic.store.uri import open_store

    settings = settings_from(args)
    store = open_store(settings.store_uri)
    result = replay(settings, store, settings.tickers[0], args.replay_weeks)
    print(
        json.dumps(result.to_dict(), indent=2, default=str) if args.json else format_replay(result)
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """API and page with uvicorn (any STORE_URI)."""
    from cryptonic.api.local_server import serve

    serve(settings_from(args), args.host, args.port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """``make run``: a first model if there is none, then the API and page."""
    from cryptonic.jobs.retrain.first_models import ensure_models

    settings = settings_from(args)
    ensure_models(settings)
    from cryptonic.api.local_server import serve

    serve(settings, args.host, args.port)
    return 0


# -- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cryptonic", description="Forecast the next 7 daily closes of a ticker."
    )
    parser.add_argument("--version", action="version", version=f"cryptonic {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--ticker", help="Yahoo Finance symbol (default: first of TICKERS)")
    common.add_argument("--store", help="artifact store URI (default: STORE_URI)")
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=None,
        help="per-epoch progress lines and debug logs",
    )
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument("--data", help="auto | yahoo | bundled | path to a CSV in Yahoo's layout")
    data.add_argument("--start", help="first date (START_DATE / BITCOIN_START_DATE)")
    data.add_argument("--end", help="last date (END_DATE)")
    model = argparse.ArgumentParser(add_help=False)
    model.add_argument("--epochs", type=int, help="maximum epochs (EPOCHS)")
    knobs = model.add_argument_group("model knobs (default: the env, then ModelSpec's)")
    knobs.add_argument("--lookback", type=int, help="weeks of input (LOOKBACK_WEEKS)")
    knobs.add_argument("--units", type=int, help="units per LSTM layer (LSTM_UNITS)")
    knobs.add_argument("--layers", type=int, help="stacked LSTM layers (LSTM_LAYERS)")
    knobs.add_argument("--activation", help="LSTM activation: tanh, relu, elu, sigmoid")
    knobs.add_argument("--dropout", type=float, help="input dropout (DROPOUT)")
    knobs.add_argument("--recurrent-dropout", type=float, help="(RECURRENT_DROPOUT)")
    knobs.add_argument("--l1", type=float, help="L1 penalty on the LSTM weights (L1)")
    knobs.add_argument("--l2", type=float, help="L2 penalty on the LSTM weights (L2)")
    knobs.add_argument("--learning-rate", type=float, help="(LEARNING_RATE)")
    knobs.add_argument("--batch-size", type=int, help="(BATCH_SIZE)")
    knobs.add_argument("--optimizer", help="adam, rmsprop or sgd (OPTIMIZER)")
    knobs.add_argument("--seed", type=int, help="weights' and the search's seed (SEED)")
    board = argparse.ArgumentParser(add_help=False)
    board.add_argument(
        "--tensorboard", metavar="DIR", help="write TensorBoard logs there (TENSORBOARD_DIR)"
    )

    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", parents=[common, data, model, board], help=cmd_train.__doc__)
    p.add_argument("--arch", choices=ARCHS)
    p.add_argument("--out", help="where to save the .keras file")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", parents=[common, data], help=cmd_predict.__doc__)
    p.add_argument("--model", help="a .keras or .tflite file (default: the store's champion)")
    p.add_argument("--arch", choices=ARCHS, help="arch of a .tflite file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("backtest", parents=[common, data, model], help=cmd_backtest.__doc__)
    p.add_argument("--weeks", type=int, help="weekly origins (default BACKTEST_WEEKS=52)")
    p.add_argument("--arch", choices=[*ARCHS, "both"])
    p.add_argument(
        "--book-window",
        action="store_true",
        help="the textbook's window: train 2016-01-04..2019-08-04, test 21 weeks",
    )
    p.add_argument("--refit", action="store_true", help="refit at every origin (slow)")
    p.add_argument("--plot", help="write a PNG of the forecasts, their bands and the closes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("retrain", parents=[common, data, model, board], help=cmd_retrain.__doc__)
    p.add_argument("--strategy", choices=["new", "continue"])
    p.add_argument("--force", action="store_true", help="retrain even without new data")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retrain)

    p = sub.add_parser("tune", parents=[common, data, model, board], help=cmd_tune.__doc__)
    p.add_argument("--trials", type=int, default=20, help="most trials (default 20)")
    p.add_argument("--timeout", type=float, help="minutes after which no new trial starts")
    p.add_argument("--grid", action="store_true", help="grid search (default: random)")
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=V1,V2",
        help="values of one knob (repeatable; one value fixes it; epochs=... searches epochs)",
    )
    p.add_argument(
        "--tune-weeks",
        type=int,
        default=52,
        help="weeks before the backtest window the trials are scored on (default 52)",
    )
    p.add_argument("--weeks", type=int, help="backtest weeks of the final report (BACKTEST_WEEKS)")
    p.add_argument(
        "--objective",
        choices=["mape", "pinball", "mape+pinball"],
        default="mape+pinball",
        help="relative to persistence; mape+pinball (default) averages both",
    )
    p.add_argument("--no-backtest", action="store_true", help="skip the final backtest")
    p.add_argument(
        "--backtest-seeds",
        metavar="S1,S2",
        help="fit the final backtest's models once per seed and report means (default: SEED)",
    )
    p.add_argument("--save", metavar="FILE", help="also write the --json document to FILE")
    p.add_argument("--plot", help="write a PNG of the objective against each parameter")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_tune)

    p = sub.add_parser("models", parents=[common], help=cmd_models.__doc__)
    p.add_argument("action", choices=["list", "show", "compare", "promote", "rollback"])
    p.add_argument(
        "version", nargs="*", help="version for show/promote; versions to compare (default: 5)"
    )
    p.add_argument("--yes", action="store_true", help="promote without asking")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("refresh", parents=[common, data], help=cmd_refresh.__doc__)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("replay", parents=[common, data, model], help=cmd_replay.__doc__)
    p.add_argument(
        "--weeks", dest="replay_weeks", type=int, default=8, help="weeks to replay (default 8)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_replay)

    for name, func in (("serve", cmd_serve), ("run", cmd_run)):
        p = sub.add_parser(name, parents=[common, data, model], help=func.__doc__)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(json_lines=False, level=logging.DEBUG if args.verbose else logging.INFO)
    try:
        code: int = args.func(args)
    except CryptonicError as exc:
        print(f"cryptonic: error [{exc.code}]: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
