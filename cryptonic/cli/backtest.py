"""``cryptonic backtest``: the LSTM against the baselines, walking forward week by week, on the
last weeks (``--weeks``) or on the textbook's window (``--book-window``); every interval is scored
as calibrated at fit time and as adapted live (CALIBRATION_STEP per matured outcome)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from cryptonic.cli.options import prices_from, settings_from
from cryptonic.config import ARCHS

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands
    from cryptonic.config import Settings
    from cryptonic.training.evaluation.backtest import BacktestReport
    from cryptonic.training.forecaster import Forecaster
    from cryptonic.training.model.spec import ModelSpec

__all__ = ["cmd_backtest", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``backtest``: the data and model flags, the window, the output."""
    p = sub.add_parser(
        "backtest", parents=[flags.common, flags.data, flags.model], help=cmd_backtest.__doc__
    )
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


def cmd_backtest(args: argparse.Namespace) -> int:
    """Walk-forward backtest: the LSTM against persistence, drift and GARCH, on the same origins."""
    settings = settings_from(args)
    specs = _specs(settings, args)
    if args.book_window:
        report = _on_the_book_window(settings, specs, refit=args.refit)
    else:
        report = _on_the_last_weeks(settings, specs, refit=args.refit)
    if args.plot:
        from cryptonic.training.plots import plot_backtest

        plot_backtest(report, Path(args.plot))
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(report.table())
        if args.plot:
            print(f"plot written to {args.plot}")
    return 0


def _specs(settings: Settings, args: argparse.Namespace) -> list[ModelSpec]:
    """The LSTMs to backtest: ``--arch`` (``both``: book and default; the book window compares
    both unless one is named), each with the settings' knobs."""
    from cryptonic.training.model.spec import ModelSpec

    archs = ["book", "default"] if args.arch == "both" else [settings.arch]
    if args.arch is None and args.book_window:
        archs = ["book", "default"]
    return [ModelSpec.from_settings(settings.model_copy(update={"arch": a})) for a in archs]


def _forecasters(settings: Settings, specs: list[ModelSpec]) -> list[Forecaster]:
    """The baselines first (persistence is the yardstick of every skill), then the LSTMs."""
    from cryptonic.training.baselines.garch import Garch
    from cryptonic.training.baselines.naive import Drift, Persistence
    from cryptonic.training.model.keras_model import Model

    return [
        Persistence(quantiles=settings.quantiles),
        Drift(),
        Garch(quantiles=settings.quantiles),
        *[Model(s) for s in specs],
    ]


def _on_the_book_window(
    settings: Settings, specs: list[ModelSpec], *, refit: bool
) -> BacktestReport:
    """The textbook's dates whatever --start and --end say, scored by both protocols (the book's
    and the honest one) so the book's numbers can be checked and put in their place."""
    from cryptonic.data import load_prices
    from cryptonic.training.evaluation.backtest import (
        BOOK_TEST_END,
        BOOK_TRAIN_START,
        book_window_origins,
        walk_forward,
    )

    ticker = settings.tickers[0]
    frame = load_prices(ticker, BOOK_TRAIN_START, BOOK_TEST_END, settings.data_source)
    dates = [d.date() for d in frame["date"]]
    return walk_forward(
        frame["close"].to_numpy(),
        dates,
        _forecasters(settings, specs),
        origins=book_window_origins(dates),
        refit=refit,
        protocols=("book", "honest"),
        ticker=ticker,
        adaptive_step=settings.calibration_step,
    )


def _on_the_last_weeks(
    settings: Settings, specs: list[ModelSpec], *, refit: bool
) -> BacktestReport:
    """The last BACKTEST_WEEKS weekly origins, with enough closes before them to train on."""
    from cryptonic.training.evaluation.backtest import walk_forward

    ticker = settings.tickers[0]
    need = max(s.min_training_closes for s in specs) + 7 * (settings.backtest_weeks + 1)
    frame = prices_from(settings, ticker, need)
    return walk_forward(
        frame["close"].to_numpy(),
        [d.date() for d in frame["date"]],
        _forecasters(settings, specs),
        weeks=settings.backtest_weeks,
        refit=refit,
        ticker=ticker,
        adaptive_step=settings.calibration_step,
    )
