"""``HEAD`` answered as ``GET`` without its body, on every route that answers ``GET``.

Uptime checks and ``curl -I`` ask with ``HEAD``; FastAPI's routes only accept the methods they
declare, so every one of ours answered 405. Declaring ``HEAD`` on each route would put a second
operation per path into the OpenAPI document; answering it here keeps the routes and the
document as they are. The response is the ``GET`` response, headers (``ETag``,
``Content-Length``, ``Cache-Control``) included, and its body is dropped, as RFC 9110 asks.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a ``HEAD`` request runs as ``GET`` and its response body is not sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
