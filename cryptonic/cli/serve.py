"""``cryptonic serve`` and ``cryptonic run``: the API and the page on this machine.

Together because they are one command with one extra step: ``run`` (``make run``) first trains
a model for a ticker that has none, then serves exactly as ``serve`` does, with the same flags.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptonic.cli.options import settings_from

if TYPE_CHECKING:
    import argparse

    from cryptonic.cli.options import SharedFlags, Subcommands

__all__ = ["cmd_run", "cmd_serve", "register"]


def register(sub: Subcommands, flags: SharedFlags) -> None:
    """``serve`` then ``run``: the model flags too (``run`` may train), --host and --port."""
    for name, func in (("serve", cmd_serve), ("run", cmd_run)):
        p = sub.add_parser(name, parents=[flags.common, flags.data, flags.model], help=func.__doc__)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.set_defaults(func=func)


def cmd_serve(args: argparse.Namespace) -> int:
    """API and page with uvicorn (any STORE_URI)."""
    from cryptonic.api.local_server import serve

    serve(settings_from(args), args.host, args.port)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """``make run``: a first model if there is none, then the API and page."""
    from cryptonic.api.local_server import serve
    from cryptonic.jobs.retrain.first_models import ensure_models

    settings = settings_from(args)
    ensure_models(settings)
    serve(settings, args.host, args.port)
    return 0
