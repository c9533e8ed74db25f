"""``cryptonic tune``: a search over the model's knobs, scored on the weeks before the backtest
window, then the best and the default backtested on that window (the tuner is
cryptonic.training.tuning; this module only reads its flags and prints)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cryptonic.cli.options import prices_from, settings_from, tensorboard_run
from cryptonic.errors import ConfigError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_tune", "parse_seeds", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``tune``: the search (trials, time, grid, the knobs' values, the objective), then the
    final backtest and where the results go."""
    p = sub.add_parser(
        "tune", parents=[flags.common, flags.data, flags.model, flags.board], help=cmd_tune.__doc__
    )
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


def parse_seeds(text: str | None) -> list[int] | None:
    """``--backtest-seeds 1,2,3`` as ints (None: the SEED alone)."""
    if not text:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise ConfigError(f"--backtest-seeds {text!r}: use integers, e.g. 1,2,3") from exc


def cmd_tune(args: argparse.Namespace) -> int:
    """Random or grid search over the model's knobs on weeks before the backtest window, then the
    best and the default backtested on that window."""
    import numpy as np

    from cryptonic.training.plots import plot_trials
    from cryptonic.training.tuning.report import print_trial, report_text, to_json
    from cryptonic.training.tuning.search import tune
    from cryptonic.training.tuning.space import parse_space

    settings = settings_from(args)
    ticker = settings.tickers[0]
    space = parse_space(args.param or [])
    seeds = parse_seeds(args.backtest_seeds)  # both flags' mistakes before any download
    if not args.verbose:  # one line per trial, not two per fit
        logging.getLogger("cryptonic.model").setLevel(logging.WARNING)
    frame = prices_from(settings, ticker)
    progress = sys.stderr.isatty() and not args.json
    tensorboard = tensorboard_run(settings, "tune", ticker)
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
        backtest_seeds=seeds,
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
