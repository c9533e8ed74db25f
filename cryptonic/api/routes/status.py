"""``GET /status``: which model serves a ticker, how it was trained and how well it backtested."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import NO_STORE
from cryptonic.api.params import TickerQuery
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.schemas import StatusResponse
from cryptonic.api.state.serving import ServingState


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["models"])

    @api.get(
        "/status",
        response_model=StatusResponse,
        responses=errors(404, 422, 503),
        summary="The served model: version, training, data range, backtest vs persistence",
    )
    async def get_status(ticker: TickerQuery = None) -> Response:
        """App version, model version, ``trained_at`` (manifest), ``promoted_at``, data range,
        backtest metrics of the model and of persistence with the skill, the gate decision, and
        ``refresh``: the served forecast's ``as_of`` and age and when the next refresh is due."""
        champion = await state.champion_async(ticker)
        return Response(
            champion.status_body(state.now()),
            media_type="application/json",
            headers={"Cache-Control": NO_STORE},
        )

    return api
