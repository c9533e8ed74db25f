"""``GET /historic``: daily closes from the champion's training snapshot (csv module, no pandas)."""

from __future__ import annotations

import bisect
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import ApiError
from cryptonic.api.params import TickerQuery
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.historic import historic_response
from cryptonic.api.schemas import HistoricResponse, IsoDate
from cryptonic.api.state.serving import ServingState
from cryptonic.errors import DataError

HISTORIC_MAX_AGE_S = 300


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["prices"])

    @api.get(
        "/historic",
        response_model=HistoricResponse,
        responses=errors(404, 422, 503),
        summary="Daily closes the champion model was trained on",
    )
    async def get_historic(
        ticker: TickerQuery = None,
        start: Annotated[IsoDate | None, Query(description="First date, YYYY-MM-DD")] = None,
        end: Annotated[IsoDate | None, Query(description="Last date, YYYY-MM-DD")] = None,
    ) -> Response:
        """Closes between ``start`` and ``end`` (inclusive; default: the whole snapshot)."""
        if start is not None and end is not None and start > end:
            raise ApiError(422, "invalid_range", f"start {start} is after end {end}")
        champion = await state.champion_async(ticker)
        try:
            prices = champion.loaded_version.prices()
        except DataError as exc:
            raise ApiError(
                503, "no_data", f"no price snapshot is available for {champion.ticker}"
            ) from exc
        lo = 0 if start is None else bisect.bisect_left(prices.dates, start.isoformat())
        hi = (
            len(prices.dates) if end is None else bisect.bisect_right(prices.dates, end.isoformat())
        )
        body = historic_response(
            champion.ticker, champion.version, prices.dates[lo:hi], prices.closes[lo:hi]
        )
        return Response(
            encode(body),
            media_type="application/json",
            headers={"Cache-Control": f"public, max-age={HISTORIC_MAX_AGE_S}"},
        )

    return api
