"""``GET /models``: the published versions of a ticker (read-only; promotion is a CLI operation)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.bodies import encode, models_response
from cryptonic.api.deps import TickerQuery
from cryptonic.api.errors import NO_STORE, api_error_of
from cryptonic.api.responses import errors
from cryptonic.api.schemas import ModelsResponse
from cryptonic.api.state import ServingState
from cryptonic.errors import StoreError


def router(state: ServingState) -> APIRouter:
    api = APIRouter(tags=["models"])

    @api.get(
        "/models",
        response_model=ModelsResponse,
        responses=errors(404, 422, 503),
        summary="Published versions of a ticker, newest first",
    )
    def get_models(ticker: TickerQuery = None) -> Response:
        """Every published version with its backtest MAPE, persistence MAPE, skill and the gate's
        decision. Read-only: promote and roll back with ``cryptonic models ...``."""
        name = state.normalize(ticker)
        state.require_known(name)
        try:
            versions = state.registry.list_versions(name)
        except StoreError as exc:
            raise api_error_of(exc, name) from exc
        champion = next((str(m["version"]) for m in versions if m.get("champion")), None)
        body = models_response(
            name,
            [(str(m["version"]), m) for m in versions],
            champion=champion,
            pinned=state.settings.model_version,
        )
        return Response(
            encode(body), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api
