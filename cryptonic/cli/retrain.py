"""``cryptonic retrain``: the weekly job on this machine, through the same entry point as the
retrain Lambda, so a local run is a rehearsal of the scheduled one."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cryptonic.cli.job_results import print_results
from cryptonic.cli.options import settings_from

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_retrain", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``retrain``: every shared flag, the strategy and --force."""
    p = sub.add_parser(
        "retrain",
        parents=[flags.every_ticker, flags.data, flags.model, flags.board],
        help=cmd_retrain.__doc__,
    )
    p.add_argument("--strategy", choices=["new", "continue"])
    p.add_argument("--force", action="store_true", help="retrain even without new data")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_retrain)


def cmd_retrain(args: argparse.Namespace) -> int:
    """The weekly job, locally: the same pipeline the retrain Lambda runs."""
    from cryptonic.jobs.retrain.invocation import RUNNER, run_retrain_event

    settings = settings_from(args)
    event: dict[str, Any] = {"tickers": settings.tickers, "force": args.force}
    if args.strategy:
        event["strategy"] = args.strategy
    if args.json:  # a refused request is in the summary too, for whoever reads the JSON
        summary = run_retrain_event(event, settings)
        print(json.dumps(summary, indent=2, default=str))
        return 0 if summary["ok"] else 1
    summary = RUNNER.run(event, settings)  # refused: our one-line error, exit 2
    print_results(summary)
    return 0 if summary["ok"] else 1
