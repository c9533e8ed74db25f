"""``GET /track-record``: how the served forecasts did on the closes that came after them.

Read from the one summary the daily refresh writes per ticker (cryptonic.registry.track_record),
kept in memory and re-checked by ETag at most every TTL. Tickers in TICKERS or with models in the
store; an unknown one is a 404 that lists the store at most once per TTL window.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import api_error_of
from cryptonic.api.params import TickerQuery, limit_query
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.track_record import track_record_response
from cryptonic.api.schemas import TrackRecordResponse
from cryptonic.api.state.serving import ServingState
from cryptonic.errors import CryptonicError
from cryptonic.registry.track_record import SHOWN_FORECASTS

DEFAULT_LIMIT = 20
TRACK_RECORD_MAX_AGE_S = 300

LimitQuery = Annotated[int, limit_query(SHOWN_FORECASTS, "Forecasts to list, newest first")]


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["forecast"])

    @api.get(
        "/track-record",
        response_model=TrackRecordResponse,
        responses=errors(
            404, 422, 503, descriptions={404: "Unknown ticker (not one this service forecasts)"}
        ),
        summary="The live track record: served forecasts scored against persistence",
    )
    def get_track_record(ticker: TickerQuery = None, limit: LimitQuery = DEFAULT_LIMIT) -> Response:
        """Every served forecast (one per day) scored on the closes that came after it: MAPE and
        the persistence MAPE of the same days (the last close as the forecast), pooled in
        ``summary`` with ``skill`` = 1 - MAPE / persistence MAPE; ``rolling_coverage``, the
        served band's coverage over the last 8 and 26 weeks (a band drifting from its level
        shows there first); the newest ``limit`` listed, the newest 8 with each day's
        prediction and realized close. Empty before the first daily refresh."""
        name = state.normalize(ticker)
        state.require_known(name)
        try:
            record = state.track_records.get(name)
        except CryptonicError as exc:
            raise api_error_of(exc, name) from exc
        body = track_record_response(name, record, limit=limit)
        return Response(
            encode(body),
            media_type="application/json",
            headers={"Cache-Control": f"public, max-age={TRACK_RECORD_MAX_AGE_S}"},
        )

    return api
