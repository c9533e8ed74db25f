"""Serving Lambda handler: the cryptonic FastAPI app behind API Gateway, through Mangum.

Everything is built at import, once per container: logging, settings from the environment, the
store, the app, and the default ticker's champion, within ``WARM_DEADLINE_SECONDS`` (2 s of
Lambda's 10 s init limit), its reads made while FastAPI imports (:mod:`cryptonic.api.cold_start`).
That last step never raises: a store that does not answer in time
leaves the requests that need it to answer 503 while ``/health`` and the page answer; an init
that failed would be retried by Lambda inside every request. Other tickers load on their first
request, each request within its own deadline. No lifespan hook: Mangum would run it on every
invocation. Never imports TensorFlow, Keras or pandas (the image does not install them).

The garbage collector is off while all that is built: the imports and the models they build
allocate enough objects to run it about a hundred times, full collections included, and nothing
they make is garbage. What survives is then frozen (never scanned again) and the collector goes
back on for the requests (bench/cold_start_suspects.py measures what this saves).
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI
    from mangum import Mangum


def _start() -> tuple[FastAPI, Mangum]:
    """The app and its handler, built with the collector paused (the cold start)."""
    gc.disable()
    try:
        from cryptonic.api.cold_start import started_app
        from cryptonic.logs import configure_lambda_logging

        configure_lambda_logging()
        app = started_app()
        from mangum import Mangum

        return app, Mangum(app, lifespan="off")
    finally:
        gc.freeze()
        gc.enable()


app, handler = _start()
