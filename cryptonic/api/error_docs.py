"""OpenAPI documentation of the error answers each endpoint can give.

Apart from :mod:`cryptonic.api.errors` on purpose: that module makes the answers while requests
run (the app, the state and the routes raise and map errors through it); this one only describes
them, for the routes' declarations when the app is built. Both name the one
:class:`~cryptonic.api.schemas.ErrorResponse`, so the document and the answers cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptonic.api.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "The request body is not valid JSON",
    404: "Unknown ticker (not configured and not in the model store)",
    422: "Invalid parameters or body",
    503: "No model yet for this ticker, or the model store is unavailable",
}


def errors(
    *statuses: int, descriptions: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given error statuses, all with :class:`ErrorResponse`;
    ``descriptions`` overrides the default text of a status for one endpoint."""
    texts = {**_DESCRIPTIONS, **(descriptions or {})}
    return {
        status: {"model": ErrorResponse, "description": texts.get(status, "Error")}
        for status in statuses
    }
