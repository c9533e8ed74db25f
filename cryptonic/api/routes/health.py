"""``GET /health``: liveness without store I/O (200 even before any model exists)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.errors import NO_STORE
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.health import health_response
from cryptonic.api.schemas import HealthResponse
from cryptonic.api.state.serving import ServingState


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["service"])

    @api.get("/health", response_model=HealthResponse, summary="Liveness and what is loaded")
    async def get_health() -> Response:
        """Always 200 while the process runs; lists the champions this instance has in memory."""
        cached = {
            ticker: (champion.version, champion.promoted_at, champion.forecast_as_of, age)
            for ticker, (champion, age) in state.cache.cached().items()
        }
        body = health_response(state.store_kind, state.tickers, cached)
        return Response(
            encode(body), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api
