"""The serving app's cold start: the default ticker's champion loads while FastAPI is imported.

A cold start does two slow things one after the other if left alone: it imports FastAPI (and
builds the app), which only takes CPU, then warms the default ticker, which mostly waits on the
store (seven reads in three rounds: about 25 ms on loopback, about 100 ms on S3 at 30 ms a
request). Here the warm-up starts first, in a thread, and its reads wait while the main thread
imports FastAPI and builds the routes. That is why the serving state, the registry, the store
and the error shapes never import FastAPI (an import-linter contract holds it), and why this
module imports the app only inside :func:`started_app`.

The warm-up keeps its own deadline (``WARM_DEADLINE_SECONDS``) and never raises
(:meth:`ServingState.warm`); the join waits at most as long, so a store that does not answer
cannot hold the init past it. bench/cold_start_suspects.py measures what the overlap saves.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from cryptonic.api.state.serving import ServingState
from cryptonic.config import Settings, get_settings
from cryptonic.registry.registry import open_registry

if TYPE_CHECKING:
    from fastapi import FastAPI


def started_app(settings: Settings | None = None) -> FastAPI:
    """The serving app over ``settings.store_uri``, its default ticker's champion loaded (or
    given up on within ``WARM_DEADLINE_SECONDS``) while FastAPI was imported and the app built."""
    settings = settings or get_settings()
    state = ServingState(settings, open_registry(settings.store_uri, read_only=True))
    warming = threading.Thread(target=state.warm, name="cryptonic-warm-up", daemon=True)
    warming.start()

    from cryptonic.api.app import create_app  # FastAPI: the warm-up's reads wait meanwhile

    app = create_app(settings, state=state)
    warming.join(max(0.0, settings.warm_deadline_seconds))
    return app
