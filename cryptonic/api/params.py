"""Request parameters shared by several routes, declared once so their OpenAPI text agrees.

The paging parameters differ per resource only in their bound and in what a page holds, so each
route declares its own from :func:`limit_query` and :func:`cursor_query`, which hold the rest: the
lower bound, the wording, the type.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

TickerQuery = Annotated[
    str | None,
    Query(
        description="Yahoo Finance symbol (default: the first configured ticker)",
        examples=["BTC-USD"],
        max_length=40,
    ),
]
"""``?ticker=``: normalized and checked by :meth:`ServingState.normalize`, not here."""


def limit_query(most: int, counted: str) -> Any:
    """The ``Query`` of ``?limit=`` (for an ``int``): 1 to ``most`` items; ``counted`` says what
    is counted (e.g. "Versions per page"), the bound is added to it."""
    return Query(ge=1, le=most, description=f"{counted} (at most {most})")


def cursor_query(
    after: str,
    *,
    examples: list[str],
    pattern: str | None = None,
    max_length: int | None = None,
) -> Any:
    """The ``Query`` of ``?cursor=`` (for a ``str | None``): the previous page's
    ``next_cursor``; ``after`` says what the next page holds, ``pattern`` or ``max_length``
    refuse what cannot be a cursor before the route runs."""
    return Query(
        description=f"The `next_cursor` of the previous page: {after}",
        pattern=pattern,
        max_length=max_length,
        examples=examples,
    )
