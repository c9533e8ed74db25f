"""``GET /tickers``: the served tickers, a page at a time, each with its champion version and the
served forecast's ``as_of``, ``age_hours`` and ``stale`` flag; the page's ticker selector reads it.

Cheap by construction, for a service of hundreds of tickers: no model is loaded to answer it
(a summary comes from the champion in memory, else from the ticker's pointers, read at most
every ``CACHE_TTL_SECONDS``: :mod:`cryptonic.api.state.ticker_summaries`), listing does not count as
using a ticker (it keeps no champion in the LRU), and the list is paged by symbol (``limit`` /
``cursor``, like ``GET /models``). One request reads the pointers of at most 16 tickers not
summarized yet (``READS_PER_REQUEST`` of ticker_summaries), only while the request's deadline
lasts: the rows it did not read say so (``unread``), and the next requests fill them in. The
served tickers are those in TICKERS and those with models in the store (the store's listing is
re-read at most every few seconds).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from cryptonic.api.error_docs import errors
from cryptonic.api.errors import NO_STORE, invalid_cursor
from cryptonic.api.params import cursor_query, limit_query
from cryptonic.api.resource_router import ResourceRouter
from cryptonic.api.responses.encoding import encode
from cryptonic.api.responses.tickers import tickers_response
from cryptonic.api.schemas import TickersResponse
from cryptonic.api.state.serving import ServingState
from cryptonic.config import normalize_ticker

DEFAULT_LIMIT = 100
MAX_LIMIT = 200
"""Most tickers one page lists (what it reads from the store is bounded apart: 16 tickers)."""

LimitQuery = Annotated[int, limit_query(MAX_LIMIT, "Tickers per page")]
CursorQuery = Annotated[
    str | None, cursor_query("tickers after this symbol", max_length=40, examples=["BTC-USD"])
]


def router(state: ServingState, *, documented: bool) -> APIRouter:
    api = ResourceRouter(documented=documented, tags=["service"])

    @api.get(
        "/tickers",
        response_model=TickersResponse,
        responses=errors(422),
        summary="The served tickers with their champion and forecast freshness, paged",
    )
    def get_tickers(limit: LimitQuery = DEFAULT_LIMIT, cursor: CursorQuery = None) -> Response:
        """Every ticker this service forecasts (those in TICKERS and those with models in the
        store), sorted by symbol, with the version serving it (``champion``, null before its
        first model), the served forecast's ``as_of``, ``age_hours`` and ``stale`` (as
        ``/predict`` would say) and whether this instance has it ``loaded``; pass
        ``next_cursor`` back as ``cursor`` for the next page. No model is loaded to answer, and
        a slow store never holds the page past the request's deadline: the rows it could not
        read in time are flagged ``unread``."""
        after = _cursor(cursor)
        served = state.served_tickers()
        start = (
            0
            if after is None
            else next((i for i, t in enumerate(served) if t > after), len(served))
        )
        chosen = served[start : start + limit]
        more = start + limit < len(served)
        rows = state.summaries.summaries(chosen, state.now())
        body = tickers_response(
            rows,
            default=state.default_ticker,
            total=len(served),
            next_cursor=chosen[-1] if more and chosen else None,
        )
        return Response(
            encode(body), media_type="application/json", headers={"Cache-Control": NO_STORE}
        )

    return api


def _cursor(raw: str | None) -> str | None:
    """The symbol to continue after (upper-cased), or 422 when it cannot be a ticker."""
    if raw is None or raw == "":
        return None
    try:
        value = normalize_ticker(raw)
    except ValueError:
        raise invalid_cursor() from None
    return value
