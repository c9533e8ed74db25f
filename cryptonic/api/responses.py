"""OpenAPI documentation of the error answers each endpoint can give."""

from __future__ import annotations

from typing import Any

from cryptonic.api.schemas import ErrorResponse

_DESCRIPTIONS = {
    400: "The request body is not valid JSON",
    404: "Unknown ticker (not configured and not in the model store)",
    422: "Invalid parameters or body",
    503: "No model yet for this ticker, or the model store is unavailable",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the given error statuses, all with :class:`ErrorResponse`."""
    return {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(status, "Error")}
        for status in statuses
    }
