"""The flags several commands share, and what they mean: the settings, the prices, the
TensorBoard folder.

The shared flags are argparse parent parsers (one of ``common``, ``every_ticker`` and
``runs_of_ticker``, then ``data``, ``model``, ``board``): a command lists the ones it takes, so
one flag has one spelling and one help text everywhere.
A flag that names a setting overrides the environment's (:func:`settings_from`); nothing here
imports pandas or TensorFlow, so ``cryptonic --help`` stays fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from cryptonic.config import Settings
from cryptonic.errors import ConfigError

if TYPE_CHECKING:
    from typing import TypeAlias

    import pandas as pd

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
    """What a command module's ``register`` adds its subcommands to."""

__all__ = [
    "SETTING_FLAGS",
    "SharedFlags",
    "int_between",
    "prices_from",
    "settings_from",
    "shared_flags",
    "tensorboard_run",
]

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
"""Flag (its ``argparse`` dest) -> the :class:`~cryptonic.config.Settings` field it overrides."""


@dataclass(frozen=True)
class SharedFlags:
    """The parent parsers a command picks from (``parents=[flags.common, flags.data]``)."""

    common: argparse.ArgumentParser
    """--ticker, --store, -v: the commands that work on one ticker (the first of TICKERS)."""
    every_ticker: argparse.ArgumentParser
    """--ticker, --store, -v: the commands that work on every ticker of TICKERS unless --ticker
    names one (retrain, refresh, serve, run)."""
    runs_of_ticker: argparse.ArgumentParser
    """--ticker, --store, -v: ``runs``, where --ticker picks the runs that planned it."""
    data: argparse.ArgumentParser
    """--data, --start, --end: the commands that read prices."""
    model: argparse.ArgumentParser
    """--epochs and the model knobs: the commands that train (or serve what they train)."""
    board: argparse.ArgumentParser
    """--tensorboard: the commands whose training TensorBoard can watch."""


def shared_flags() -> SharedFlags:
    """The shared flags, built once per parser (argparse copies a parent's actions by reference)."""
    return SharedFlags(
        common=_common_flags("Yahoo Finance symbol (default: first of TICKERS)"),
        every_ticker=_common_flags(
            "only this Yahoo Finance symbol (default: every ticker of TICKERS)"
        ),
        runs_of_ticker=_common_flags(
            "only the runs that planned this Yahoo Finance symbol, and only its line in `show` "
            "(default: every run, every ticker)"
        ),
        data=_data_flags(),
        model=_model_flags(),
        board=_board_flags(),
    )


def _common_flags(ticker_help: str) -> argparse.ArgumentParser:
    """--ticker, --store, -v; ``ticker_help`` says which tickers the command works on without
    --ticker, as the kinds of command differ there and the help must say which it is."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--ticker", help=ticker_help)
    common.add_argument("--store", help="artifact store URI (default: STORE_URI)")
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=None,
        help="per-epoch progress lines and debug logs",
    )
    return common


def _data_flags() -> argparse.ArgumentParser:
    data = argparse.ArgumentParser(add_help=False)
    data.add_argument(
        "--data",
        help="sources, tried in order (DATA_SOURCES): auto | yahoo | bitstamp | kraken | bundled "
        "| a CSV in Yahoo's layout | a folder of <TICKER>.csv (ending in /), e.g. "
        "yahoo,bitstamp,kraken",
    )
    data.add_argument("--start", help="first date (START_DATE / BITCOIN_START_DATE)")
    data.add_argument("--end", help="last date (END_DATE)")
    return data


def _model_flags() -> argparse.ArgumentParser:
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
    return model


def _board_flags() -> argparse.ArgumentParser:
    board = argparse.ArgumentParser(add_help=False)
    board.add_argument(
        "--tensorboard", metavar="DIR", help="write TensorBoard logs there (TENSORBOARD_DIR)"
    )
    return board


def int_between(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high``, else a usage error giving
    the range (a plain ``int`` lets 70000 through as a port, or a huge --days overflow a date,
    to fail far from the flag, or not at all)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {text!r}"
            )
        return value

    return parse


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
        flags = {field: flag for flag, field in SETTING_FLAGS.items() if field in overrides}
        problems = "; ".join(_problem(e["loc"], e["msg"], flags) for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}") from exc


def _problem(loc: tuple[int | str, ...], message: str, flags: dict[str, str]) -> str:
    """One refused setting, named as the user set it: ``--weeks`` for a flag the command has,
    else its environment variable (``BACKTEST_WEEKS``), not the field's name; a rule across
    settings (``START_DATE`` before ``END_DATE``) names them itself."""
    message = message.removeprefix("Value error, ")
    if not loc:
        return message
    field = str(loc[0])
    if field in flags:
        name = "--" + flags[field].replace("_", "-")
    else:
        aliases = (
            Settings.model_fields[field].validation_alias
            if field in Settings.model_fields
            else None
        )
        choices = getattr(aliases, "choices", None)
        name = str(choices[0]) if choices else field
    return f"{name}: {message}"


def prices_from(settings: Settings, ticker: str, min_rows: int | None = None) -> pd.DataFrame:
    """The daily prices the data flags name (--data, --start, --end, else the environment)."""
    from cryptonic.data import load_prices

    return load_prices(
        ticker, settings.start_date, settings.end_date, settings.data_source, min_rows=min_rows
    )


def tensorboard_run(settings: Settings, command: str, ticker: str) -> Path | None:
    """A new folder under --tensorboard for this invocation (``train-BTC-USD-<UTC now>``), so
    runs sit side by side in TensorBoard; None when TensorBoard is off."""
    if not settings.tensorboard_dir:
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.tensorboard_dir) / f"{command}-{ticker}-{stamp}"
