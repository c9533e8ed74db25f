"""``cryptonic replay``: weeks of history lived again day by day into an empty store, to see
what the weekly retrain and the daily refresh would have served and how it scored."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cryptonic.cli.options import settings_from

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_replay", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``replay``: its --weeks counts the weeks replayed, not backtest weeks (its own dest)."""
    p = sub.add_parser(
        "replay", parents=[flags.common, flags.data, flags.model], help=cmd_replay.__doc__
    )
    p.add_argument(
        "--weeks", dest="replay_weeks", type=int, default=8, help="weeks to replay (default 8)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_replay)


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a price history day by day: retrain weekly, refresh daily, print the record."""
    from cryptonic.jobs.replay import format_replay, replay
    from cryptonic.store.uri import open_store

    settings = settings_from(args)
    store = open_store(settings.store_uri)
    result = replay(settings, store, settings.tickers[0], args.replay_weeks)
    print(
        json.dumps(result.to_dict(), indent=2, default=str) if args.json else format_replay(result)
    )
    return 0
