"""Request parameters shared by several routes, declared once so their OpenAPI text agrees."""

from __future__ import annotations

from typing import Annotated

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
