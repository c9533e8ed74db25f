"""``GET /models``: the published versions of a ticker, a page at a time (read-only; promotion is
a CLI operation).

Tickers in TICKERS and those with models in the store (added through ``tickers.json``) are
listed; an unknown one is a 404 that lists the store at most once per TTL window, since anyone
can call this endpoint with any symbol.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import NO_STORE, api_error_of
from cryptonic.api.params import TickerQuery, cursor_query, limit_query
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.models import models_response
from cryptonic.api.schemas import ModelsResponse
from cryptonic.api.state.serving import ServingState
from cryptonic.errors import CryptonicError
from cryptonic.registry.keys import VERSION_PATTERN
from cryptonic.registry.track_record import LiveScores

log = logging.getLogger("cryptonic.api")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
"""Most versions one page returns (about two years of weekly retrains)."""

LimitQuery = Annotated[int, limit_query(MAX_LIMIT, "Versions per page")]
CursorQuery = Annotated[
    str | None,
    cursor_query(
        "versions older than this one",
        pattern=VERSION_PATTERN.pattern,
        examples=["20261123T192000Z-1a2b3c4"],
    ),
]


def live_records(state: ServingState, ticker: str) -> dict[str, LiveScores]:
    """Each version's live record from the track record; none when it cannot be read (the
    listing is this endpoint's answer, the live records its annotation)."""
    try:
        record = state.track_records.get(ticker)
    except CryptonicError as exc:
        log.warning("no live records for /models of %s: %s", ticker, exc)
        return {}
    return dict(record.versions) if record is not None else {}


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["models"])

    @api.get(
        "/models",
        response_model=ModelsResponse,
        responses=errors(
            404, 422, 503, descriptions={404: "Unknown ticker (not one this service forecasts)"}
        ),
        summary="Published versions of a ticker, newest first, a page at a time",
    )
    def get_models(
        ticker: TickerQuery = None,
        limit: LimitQuery = DEFAULT_LIMIT,
        cursor: CursorQuery = None,
    ) -> Response:
        """Published versions with their backtest MAPE, persistence MAPE, skill, the gate's
        decision and their ``live`` record (forecasts scored after the fact, as champion or as
        shadow challenger), newest first; pass ``next_cursor`` back as ``cursor`` for the next
        page. Read-only: promote and roll back with ``cryptonic models ...``."""
        name = state.normalize(ticker)
        state.require_known(name)
        try:
            page = state.versions.page(name, limit=limit, cursor=cursor)
            pinned = state.cache.pinned_version(name)
        except CryptonicError as exc:
            raise api_error_of(exc, name) from exc
        body = models_response(
            name,
            page.versions,
            champion=page.champion,
            pinned=pinned,
            next_cursor=page.next_cursor,
            live=live_records(state, name),
        )
        return Response(
            encode(body), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api
