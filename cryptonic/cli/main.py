"""``cryptonic``: the command line (train, predict, backtest, retrain, tune, models, refresh,
runs, replay, data, serve, run).

Each subcommand parses its flags, calls the library and prints; errors of ours (CryptonicError)
become one line on stderr and exit code 2, never a traceback. The commands live one group per
module beside this one, each adding its own subcommands (``register``); the flags they share
are cryptonic.cli.options'. Their heavy imports (TensorFlow, pandas, the tuner) wait inside the
commands, so ``cryptonic --help`` stays fast.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from cryptonic import __version__
from cryptonic.cli import (
    backtest,
    data,
    models,
    refresh,
    replay,
    retrain,
    runs,
    serve,
    train,
    tune,
)
from cryptonic.cli.options import shared_flags
from cryptonic.errors import CryptonicError
from cryptonic.logs import configure_logging

if TYPE_CHECKING:
    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["COMMAND_GROUPS", "CommandGroup", "build_parser", "main"]


class CommandGroup(Protocol):
    """A command module: it adds its subcommands, with the shared flags each takes."""

    def register(self, sub: Subcommands, flags: SharedFlags) -> None: ...


COMMAND_GROUPS: tuple[CommandGroup, ...] = (
    train,
    backtest,
    retrain,
    tune,
    models,
    refresh,
    runs,
    replay,
    data,
    serve,
)
"""The command modules in the order ``cryptonic --help`` lists their subcommands."""


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the program's own flags, then every group's subcommands."""
    parser = argparse.ArgumentParser(
        prog="cryptonic", description="Forecast the next 7 daily closes of a ticker."
    )
    parser.add_argument("--version", action="version", version=f"cryptonic {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    flags = shared_flags()
    for group in COMMAND_GROUPS:
        group.register(sub, flags)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cryptonic`` script: parse, run the subcommand, turn our errors into exit code 2."""
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
