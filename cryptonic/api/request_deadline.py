"""One deadline per request: every store call a request makes takes what is left of it.

A store call has its own budget (:mod:`cryptonic.store.budget`), but a request may make several
(a cold ticker: the pointer, the manifest, the artifacts, the forecast log; ``GET /tickers``: a
page of pointers), and Lambda stops the function at its timeout whatever they cost: the client
then gets API Gateway's bare 5xx instead of our 503. So each request runs inside one
:func:`~cryptonic.store.deadline.deadline`: store calls past it fail at once with
:class:`~cryptonic.errors.StoreUnavailableError`, which answers 503 ``store_unavailable`` (the
champion in memory, if any, keeps serving).

How long: ``REQUEST_DEADLINE_SECONDS``, and never more than the Lambda context says remains of
the invocation (Mangum passes it as ``scope["aws.context"]``) minus :data:`LAMBDA_MARGIN_S`, the
time left to build and return the answer.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from cryptonic.store.deadline import deadline

LAMBDA_MARGIN_S: Final = 1.0
"""Seconds of the invocation kept for answering once the store calls are cut off."""


def request_seconds(scope: Scope, configured: float) -> float:
    """The seconds a request may spend on the store: ``configured``, or less when the Lambda
    context has less left (after the margin); never negative."""
    context = scope.get("aws.context")
    left_ms = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(left_ms):
        return configured  # not under Lambda (uvicorn, tests), or an event without a context
    try:
        left = float(left_ms()) / 1000.0 - LAMBDA_MARGIN_S
    except (TypeError, ValueError):
        return configured
    return max(0.0, min(configured, left))


class DeadlineMiddleware:
    """Runs each HTTP request inside its deadline (the context variable follows it into the
    thread pool that runs the synchronous endpoints)."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with deadline(request_seconds(scope, self.seconds)):
            await self.app(scope, receive, send)
