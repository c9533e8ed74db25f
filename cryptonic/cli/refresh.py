"""``cryptonic refresh``: the daily job on this machine, through the same entry point as the
refresh Lambda (no training: the published models run on the latest closes)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from cryptonic.cli.options import settings_from

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_refresh", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``refresh``: the ticker, the store and the prices; no model flags (nothing trains)."""
    p = sub.add_parser("refresh", parents=[flags.common, flags.data], help=cmd_refresh.__doc__)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_refresh)


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
