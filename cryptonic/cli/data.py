"""``cryptonic data``: the price sources themselves.

``cryptonic data check --ticker T`` asks every source of ``DATA_SOURCES`` (or ``--data``) for the
ticker's closes over the same days and prints how far they agree: the median and the worst
relative difference of each source against the first that answered, and the days one of them
lacks. It is how to see, before a fallback is ever needed, whether it could stand in
(``SOURCE_TOLERANCE``); the weekly retrain logs the same figures.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING

from cryptonic.cli.options import settings_from
from cryptonic.errors import ConfigError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_check", "register"]

DEFAULT_DAYS = 90


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``data check``: every source's closes of one ticker side by side."""
    p = sub.add_parser(
        "data", help="The price sources: check how far their closes of a ticker agree."
    )
    actions = p.add_subparsers(dest="data_command", required=True)
    check = actions.add_parser("check", parents=[flags.common, flags.data], help=cmd_check.__doc__)
    check.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        help=f"days to compare when --start is not given (default {DEFAULT_DAYS})",
    )
    check.add_argument("--json", action="store_true", help="the figures as JSON")
    check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    """Ask every source of DATA_SOURCES for a ticker's closes and print how far they agree
    (exit 1 when one differs by more than SOURCE_TOLERANCE or none answers)."""
    from cryptonic.data.cross_check import ask_each

    settings = settings_from(args)
    if args.days < 1:
        raise ConfigError(f"--days must be at least 1, got {args.days}")
    ticker = settings.tickers[0]
    end = settings.end_date
    start = settings.start_date or (end or dt.datetime.now(dt.UTC).date()) - dt.timedelta(
        days=args.days
    )
    check = ask_each(ticker, start, end, settings.data_source, settings=settings)
    tolerance = settings.source_tolerance
    apart = [a for a in check.agreements if a.worst is not None and a.worst > tolerance]
    ok = check.reference is not None and not apart
    if args.json:
        out = {
            "ticker": check.ticker,
            "sources": [
                {
                    "source": a.source,
                    "closes": None if a.frame is None else len(a.frame),
                    "error": a.error,
                }
                for a in check.answers
            ],
            "agreements": [a.to_dict() for a in check.agreements],
            "tolerance": tolerance,
            "ok": ok,
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0 if ok else 1
    lines = check.lines()
    if apart:
        lines += [
            f"  DISAGREE beyond SOURCE_TOLERANCE={tolerance:g}: {a.describe()}" for a in apart
        ]
    elif check.agreements:
        lines.append(f"  every source within SOURCE_TOLERANCE={tolerance:g} of {check.reference}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if ok else 1
