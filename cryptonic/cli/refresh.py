"""``cryptonic refresh``: the daily job on this machine, through the same entry point as the
refresh Lambda (no training: the published models run on the latest closes)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from cryptonic.cli.job_results import print_results
from cryptonic.cli.options import settings_from

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_refresh", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``refresh``: the ticker, the store and the prices; no model flags (nothing trains)."""
    p = sub.add_parser(
        "refresh", parents=[flags.every_ticker, flags.data], help=cmd_refresh.__doc__
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_refresh)


def cmd_refresh(args: argparse.Namespace) -> int:
    """The daily job, locally: the latest closes through the champion and the shadow
    challengers (no training), a new dated forecast, the track record scored."""
    from cryptonic.jobs.refresh.invocation import RUNNER, run_refresh_event

    settings = settings_from(args)
    event = {"tickers": settings.tickers}
    if args.json:  # a refused request is in the summary too, for whoever reads the JSON
        summary = run_refresh_event(event, settings)
        print(json.dumps(summary, indent=2, default=str))
        return 0 if summary["ok"] else 1
    summary = RUNNER.run(event, settings)  # refused: our one-line error, exit 2
    print_results(summary, _refresh_details)
    return 0 if summary["ok"] else 1


def _refresh_details(result: dict[str, Any]) -> list[str]:
    """What a refresh adds under a ticker's reason: its shadow challengers and live record."""
    lines = []
    if result.get("shadows"):
        lines.append(f"shadow challengers: {', '.join(result['shadows'])}")
    record = result.get("track_record")
    if record and record["forecasts"]:
        lines.append(
            f"live record: {record['forecasts']} forecasts, MAPE {record['mape']:.3f}% vs "
            f"persistence {record['persistence_mape']:.3f}%"
        )
    return lines
