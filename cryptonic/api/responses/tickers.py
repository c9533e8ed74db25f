"""The ``GET /tickers`` body: a page of the served tickers.

Its rows are :class:`~cryptonic.api.schemas.TickerInfo` as the state builds them
(:mod:`cryptonic.api.state.ticker_summaries`): one type for one row, so there is nothing to copy.
"""

from __future__ import annotations

from collections.abc import Iterable

from cryptonic.api.schemas import TickerInfo, TickersResponse


def tickers_response(
    rows: Iterable[TickerInfo], *, default: str, total: int, next_cursor: str | None
) -> TickersResponse:
    """One page of ``GET /tickers``: ``rows`` in the order given, ``total`` over every page."""
    return TickersResponse(
        default=default, total=total, tickers=list(rows), next_cursor=next_cursor
    )
