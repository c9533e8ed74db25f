"""``GET /health``: liveness without store I/O (200 even before any model exists)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic import __version__
from cryptonic.api.champion_cache import dumps
from cryptonic.api.errors import NO_STORE
from cryptonic.api.schemas import HealthResponse
from cryptonic.api.state import ServingState


def router(state: ServingState) -> APIRouter:
    api = APIRouter(tags=["service"])

    @api.get("/health", response_model=HealthResponse, summary="Liveness and what is loaded")
    async def get_health() -> Response:
        """Always 200 while the process runs; lists the champions this instance has in memory."""
        champions = {
            ticker: {
                "version": champion.version,
                "promoted_at": champion.promoted_at,
                "checked_seconds_ago": round(age, 3),
            }
            for ticker, (champion, age) in state.cache.cached().items()
        }
        payload = {
            "status": "ok",
            "app_version": __version__,
            "store": state.store_kind,
            "tickers": state.tickers,
            "champions": champions,
        }
        return Response(
            dumps(payload), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api
