"""``cryptonic runs``: the fanned-out runs of the weekly retrain and the daily refresh, from
their ledgers in the store (cryptonic.jobs.run_view does the reading).

``cryptonic runs`` lists the recent runs of each job (open or ended, and how); ``cryptonic runs
show RUN_ID`` shows one: its plan, each ticker's result (promoted, rejected, skipped, refreshed,
failed, lost, or pending with its attempt), durations and the failures' messages.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from cryptonic.cli.options import settings_from
from cryptonic.errors import ConfigError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands
    from cryptonic.jobs.runs.ledger import Job

__all__ = ["cmd_runs", "register"]

DEFAULT_DAYS = 14


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``runs``: list, or show one run; --job picks the job, --days how far back to list."""
    p = sub.add_parser("runs", parents=[flags.common], help=cmd_runs.__doc__)
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("run_id", nargs="?", help="the run to show (show)")
    p.add_argument("--job", choices=("retrain", "refresh"), help="one job's runs (default: both)")
    p.add_argument(
        "--days", type=int, default=DEFAULT_DAYS, help=f"days to list (default {DEFAULT_DAYS})"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    """The recent runs of the retrain and the refresh, or one run ticker by ticker."""
    from cryptonic.jobs.run_view import format_run, format_runs, recent_runs, run_detail
    from cryptonic.store.uri import open_store

    store = open_store(settings_from(args).store_uri, read_only=True)
    jobs: list[Job] = [args.job] if args.job else ["retrain", "refresh"]
    out: Any
    if args.action == "show":
        if not args.run_id:
            raise ConfigError("runs show needs a run id (see `cryptonic runs`)")
        out = run_detail(store, jobs, args.run_id)
        text = format_run(out)
    else:
        if args.run_id:
            raise ConfigError("runs list takes no run id: `cryptonic runs show RUN_ID`")
        if args.days < 1:
            raise ConfigError(f"--days must be at least 1, got {args.days}")
        out = [row for job in jobs for row in recent_runs(store, job, args.days)]
        text = format_runs(out)
    sys.stdout.write((json.dumps(out, indent=2, default=str) if args.json else text) + "\n")
    return 0
