"""``cryptonic serve`` and ``cryptonic run``: the API and the page on this machine.

Together because they are one command with one extra step: ``run`` (``make run``) first trains
a model for each ticker that has none, then serves exactly as ``serve`` does, with the same flags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptonic.cli.job_results import print_results
from cryptonic.cli.options import int_between, settings_from
from cryptonic.errors import NoModelError

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_run", "cmd_serve", "register"]

PORTS = (1, 65535)
"""The TCP ports one can listen on: 0 would bind a port the OS picks, unlike the one printed."""


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``serve`` then ``run``: the model flags too (``run`` may train), --host and --port."""
    for name, func in (("serve", cmd_serve), ("run", cmd_run)):
        p = sub.add_parser(
            name, parents=[flags.every_ticker, flags.data, flags.model], help=func.__doc__
        )
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument(
            "--port",
            type=int_between(*PORTS),
            default=8000,
            help=f"TCP port, {PORTS[0]} to {PORTS[1]} (default 8000)",
        )
        p.set_defaults(func=func)


def cmd_serve(args: argparse.Namespace) -> int:
    """API and page with uvicorn (any STORE_URI)."""
    from cryptonic.api.local_server import serve

    serve(settings_from(args), args.host, args.port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """``make run``: a first model for each ticker without one, then the API and page."""
    from cryptonic.api.local_server import serve
    from cryptonic.jobs.retrain.first_models import ensure_models

    settings = settings_from(args)
    first = ensure_models(settings, say=lambda line: print(line, flush=True))
    if first.trained is not None:
        print_results(first.trained)
    if len(first.missing) == len(settings.tickers):
        raise NoModelError(
            f"nothing to serve: no model for {', '.join(first.missing)} in {settings.store_uri}"
        )
    if first.missing:
        print(f"serving without a model for {', '.join(first.missing)} (503 no_model)", flush=True)
    serve(settings, args.host, args.port)
    return 0
