"""``cryptonic runs``: the fanned-out runs of the weekly retrain and the daily refresh, from
their ledgers in the store (cryptonic.jobs.run_view does the reading).

``cryptonic runs`` lists the recent runs of each job (open or ended, and how); ``cryptonic runs
show RUN_ID`` shows one: its plan, each ticker's result (promoted, rejected, skipped, refreshed,
failed, lost, or pending with its attempt), durations and the failures' messages.

A run whose ledger is damaged (a truncated upload, an edit by hand) is listed as ``unreadable``
with why, beside the others, and the listing exits 1: useful but incomplete.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from cryptonic.cli.options import int_between, settings_from
from cryptonic.errors import ConfigError, IntegrityError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands
    from cryptonic.jobs.runs.ledger import Job
    from cryptonic.store.contract import ArtifactStore

__all__ = ["cmd_runs", "register"]

log = logging.getLogger("cryptonic.cli.runs")

DEFAULT_DAYS = 14
MAX_DAYS = 90
"""How long the store keeps a run's ledger (template.yaml's lifecycle rule expires ``runs/``)."""


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``runs``: list, or show one run; --job picks the job, --days how far back to list."""
    p = sub.add_parser("runs", parents=[flags.runs_of_ticker], help=cmd_runs.__doc__)
    p.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    p.add_argument("run_id", nargs="?", help="the run to show (show)")
    p.add_argument("--job", choices=("retrain", "refresh"), help="one job's runs (default: both)")
    p.add_argument(
        "--days",
        type=int_between(1, MAX_DAYS),
        default=DEFAULT_DAYS,
        help=f"days to list (default {DEFAULT_DAYS}, at most {MAX_DAYS}: the ledgers' lifetime)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_runs)


def cmd_runs(args: argparse.Namespace) -> int:
    """The recent runs of the retrain and the refresh, or one run ticker by ticker."""
    from cryptonic.store.uri import open_store

    settings = settings_from(args)
    store = open_store(settings.store_uri, read_only=True)
    jobs: list[Job] = [args.job] if args.job else ["retrain", "refresh"]
    ticker = settings.tickers[0] if args.ticker else None  # normalized by the settings
    if args.action == "show":
        if not args.run_id:
            raise ConfigError("runs show needs a run id (see `cryptonic runs`)")
        return _show(store, jobs, args.run_id, args.json, ticker)
    if args.run_id:
        raise ConfigError("runs list takes no run id: `cryptonic runs show RUN_ID`")
    from cryptonic.jobs.run_view import format_runs, recent_runs

    rows = [row for job in jobs for row in recent_runs(store, job, args.days, ticker=ticker)]
    _write(rows, format_runs(rows), args.json)
    return 1 if any(row["state"] == "unreadable" for row in rows) else 0


def _show(
    store: ArtifactStore, jobs: list[Job], run_id: str, as_json: bool, ticker: str | None
) -> int:
    """One run ticker by ticker (or ``ticker`` alone); a ledger document of the wrong shape is
    our one-line error."""
    from cryptonic.jobs.run_view import format_run, run_detail
    from cryptonic.jobs.runs.ledger import MALFORMED, malformed

    try:
        detail = run_detail(store, jobs, run_id, ticker=ticker)
        text = "" if as_json else format_run(detail)
    except MALFORMED as exc:
        log.debug("run %s is unreadable", run_id, exc_info=True)
        raise IntegrityError(
            f"run {run_id} in {store.uri} is unreadable: {malformed(exc, 'a ledger document')}"
        ) from exc
    _write(detail, text, as_json)
    return 0


def _write(value: Any, text: str, as_json: bool) -> None:
    """Print ``value`` as JSON (--json) or its ``text``: the two forms of every answer."""
    sys.stdout.write((json.dumps(value, indent=2, default=str) if as_json else text) + "\n")
