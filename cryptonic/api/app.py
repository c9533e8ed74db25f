"""The FastAPI application: ``create_app()`` wires settings, registry, cache and routers.

No lifespan hook: Mangum runs one per invocation. Nothing here touches the store; the Lambda
handler's cold start (:mod:`cryptonic.api.cold_start`) loads the default ticker's champion
during the function's init, while FastAPI imports. Each request runs inside one deadline
(:mod:`cryptonic.api.request_deadline`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cryptonic import __version__
from cryptonic.api.error_handlers import install_error_handlers
from cryptonic.api.errors import error_response
from cryptonic.api.head_requests import HeadAsGet
from cryptonic.api.request_deadline import DeadlineMiddleware
from cryptonic.api.routes import (
    docs,
    health,
    historic,
    models,
    page,
    predict,
    status,
    tickers,
    track_record,
)
from cryptonic.api.state.serving import ServingState
from cryptonic.config import Settings, get_settings
from cryptonic.registry.registry import Registry, open_registry

log = logging.getLogger("cryptonic.api")

DESCRIPTION = """\
Forecasts of the next 7 daily closes of Yahoo Finance tickers by an LSTM retrained weekly.

* `GET /predict` - the champion's latest forecast, refreshed daily from the latest close (cached,
  `ETag`, `If-None-Match` -> 304), with its `as_of`, `age_hours` and a `stale` flag
* `POST /predict` - a forecast from the closes you send, by the champion model (LiteRT)
* `GET /track-record` - how the served forecasts did on the closes that came after them, next to
  the persistence forecast (the last close)
* `GET /tickers` - the served tickers with their champion version and the forecast's `as_of`,
  `age_hours` and `stale` (paged; no model is loaded to answer)
* `GET /historic`, `GET /status`, `GET /models`, `GET /health`

Errors are `{"success": false, "error": {"code", "message"}}`.
"""


def stage_prefix(scope: Scope) -> str:
    """The path prefix API Gateway hides from the app (e.g. ``/Prod``), from Mangum's event.

    Mangum 0.22 always sets ``root_path`` to ``""``. REST APIs (payload v1) call the app with
    the resource path (``/predict``) while the browser sees ``/Prod/predict``
    (``requestContext.path``); HTTP APIs (v2) with a named stage pass the stage in the path.
    """
    event = scope.get("aws.event")
    if not isinstance(event, dict):
        return ""
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return ""
    if event.get("version") == "2.0":
        stage = context.get("stage")
        path = scope.get("path", "")
        if isinstance(stage, str) and stage and stage != "$default":
            prefix = f"/{stage}"
            if path == prefix or path.startswith(prefix + "/"):
                return prefix
        return ""
    outer, inner = context.get("path"), event.get("path")
    if isinstance(outer, str) and isinstance(inner, str) and inner and outer != inner:
        inner = inner if inner != "/" else ""
        if outer.endswith(inner) and outer.startswith("/"):
            return outer[: len(outer) - len(inner)].rstrip("/")
    return ""


class EdgeMiddleware:
    """Our outermost middleware but :class:`HeadAsGet`: sets ``root_path``; turns an unhandled
    error into a 500.

    Starlette's own error middleware would answer too, but re-raises afterwards; here the error is
    logged once with its traceback and the client gets the generic JSON error, nothing more.
    """

    def __init__(self, app: ASGIApp, root_path: str = "") -> None:
        self.app = app
        self.root_path = root_path.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not scope.get("root_path"):
            prefix = self.root_path or stage_prefix(scope)
            if prefix:
                scope = dict(scope)
                scope["root_path"] = prefix
                path = scope.get("path", "")
                if path != prefix and not path.startswith(prefix + "/"):
                    scope["path"] = prefix + path  # ASGI: path includes root_path
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not started:
                response = error_response(
                    500, "internal_error", "internal error; see the server log"
                )
                await response(scope, receive, send)


def create_app(
    settings: Settings | None = None,
    registry: Registry | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    root_path: str | None = None,
    wall_clock: Callable[[], dt.datetime] | None = None,
    state: ServingState | None = None,
) -> FastAPI:
    """The serving app over ``registry`` (default: the store of ``settings.store_uri``).

    ``clock`` (monotonic seconds) drives the champion cache's TTL, ``wall_clock`` (UTC) the
    served forecast's age; tests pass fake ones.
    ``root_path`` (default: ``settings.root_path``, env ``ROOT_PATH``) fixes the public path
    prefix; without it the prefix is taken from each API Gateway event.
    ``state``: a :class:`ServingState` made beforehand (the cold start makes it first, to warm it
    while FastAPI imports: :mod:`cryptonic.api.cold_start`); it has its own registry and clocks.
    """
    settings = settings or get_settings()
    if state is None:
        registry = registry or open_registry(settings.store_uri, read_only=True)
        state = ServingState(settings, registry, clock=clock, wall_clock=wall_clock)
    app = _routed(state, documented=False)
    app.openapi = _openapi_of_twin(app, state)  # type: ignore[method-assign]
    app.state.serving = state
    install_error_handlers(app)
    app.add_middleware(DeadlineMiddleware, seconds=settings.request_deadline_seconds)
    prefix = settings.root_path if root_path is None else root_path
    app.add_middleware(EdgeMiddleware, root_path=prefix)
    app.add_middleware(HeadAsGet)  # the last added, the outermost: even a 500 has no body
    return app


def _routed(state: ServingState, *, documented: bool) -> FastAPI:
    """The app with every resource's routes, their response models declared if ``documented``
    (:mod:`cryptonic.api.resource_router`)."""
    app = FastAPI(
        title="cryptonic",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # our own /docs: Swagger UI without a CDN (cryptonic/api/routes/docs.py)
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    for module in (predict, historic, status, track_record, models, tickers, health, page):
        app.include_router(module.router(state, documented=documented))
    app.include_router(docs.router())
    return app


def _openapi_of_twin(app: FastAPI, state: ServingState) -> Callable[[], dict[str, Any]]:
    """``app.openapi`` for the serving app: the document of a twin whose routes declare their
    response models, built on the first ask and kept (FastAPI's own cache, ``openapi_schema``).
    The twin only describes: it is never served, so no middleware and no error handlers."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _routed(state, documented=True).openapi()
        return app.openapi_schema

    return openapi


def serving_state(app: Any) -> ServingState:
    """The :class:`ServingState` of an app made by :func:`create_app`."""
    state = app.state.serving
    assert isinstance(state, ServingState)
    return state


def warm(app: FastAPI) -> str | None:
    """Load the default ticker's champion within ``WARM_DEADLINE_SECONDS`` (the cold start):
    the version loaded, or None; never raises (see :meth:`ServingState.warm`)."""
    return serving_state(app).warm()
