"""One error shape for every failed answer: ``{success: false, error: {code, message}}``.

Our own failures are :class:`ApiError` (status, code, message) or a
:class:`~cryptonic.errors.CryptonicError` mapped by :func:`api_error_of`. The handlers that give
FastAPI's validation errors, Starlette's 404/405 and any bug the same shape are
:mod:`cryptonic.api.error_handlers`: this module does not import FastAPI, so the serving state
(which raises these errors) can start loading the default champion before FastAPI is imported.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from cryptonic.api.schemas import ErrorDetail, ErrorResponse
from cryptonic.errors import (
    AccessDeniedError,
    ConfigError,
    CryptonicError,
    DataError,
    IntegrityError,
    ModelError,
    NoModelError,
    NotFoundError,
    PredictionError,
    StoreError,
)

log = logging.getLogger("cryptonic.api")

NO_STORE = "no-store"


class ApiError(Exception):
    """An answer other than success, with its HTTP status and stable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_body(code: str, message: str) -> bytes:
    """The documented :class:`ErrorResponse`, serialized."""
    return ErrorResponse(error=ErrorDetail(code=code, message=message)).model_dump_json().encode()


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The JSON error answer (never cached by clients or API Gateway)."""
    merged = {"Cache-Control": NO_STORE, **(headers or {})}
    return Response(
        error_body(code, message), status_code=status, media_type="application/json", headers=merged
    )


def no_model_error(ticker: str) -> ApiError:
    return ApiError(
        503,
        "no_model",
        f"no model for {ticker} yet: train one with `cryptonic retrain --ticker {ticker}` "
        "(or invoke the retrain function), then try again",
        headers={"Retry-After": "300"},
    )


def invalid_cursor() -> ApiError:
    """A ``?cursor=`` that no page gave out: one answer whichever check refused it."""
    return ApiError(
        422, "invalid_cursor", "invalid cursor: pass the next_cursor of the previous page"
    )


def api_error_of(exc: CryptonicError, ticker: str | None = None) -> ApiError:
    """Map one of our exceptions to an HTTP answer; store details go to the log, not the client."""
    mapped = _mapped(exc, ticker)
    if mapped.status >= 500:
        log.warning("answering %d %s: [%s] %s", mapped.status, mapped.code, exc.code, exc)
    return mapped


def _mapped(exc: CryptonicError, ticker: str | None) -> ApiError:
    what = f" of {ticker}" if ticker else ""
    if isinstance(exc, NoModelError):
        return no_model_error(ticker or "this ticker")
    if isinstance(exc, IntegrityError):
        return ApiError(
            503,
            "integrity_error",
            f"a stored file{what} is damaged (it failed its integrity check) and no earlier copy "
            "is loaded; the server log names the file",
        )
    if isinstance(exc, AccessDeniedError):
        return ApiError(503, "store_unavailable", "the model store refused access; try later")
    if isinstance(exc, NotFoundError):
        # A pinned MODEL_VERSION that is not published. (A missing bucket is a StoreError:
        # store_unavailable below, with the bucket named in the server log.)
        return ApiError(
            503, "model_unavailable", f"the configured model{what} is not in the model store"
        )
    if isinstance(exc, StoreError):
        return ApiError(503, "store_unavailable", "the model store is unavailable; try again later")
    if isinstance(exc, PredictionError):
        return ApiError(422, "bad_input", str(exc))
    if isinstance(exc, ConfigError):
        return ApiError(422, "bad_request", str(exc))
    if isinstance(exc, ModelError):
        return ApiError(503, "model_error", f"the model{what} cannot be used; see the server log")
    if isinstance(exc, DataError):
        return ApiError(503, "bad_data", f"the price data{what} cannot be read; see the server log")
    return ApiError(500, "internal_error", "internal error; see the server log")


def _loc(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    return ".".join(parts) if parts else "request"


def validation_message(errors: list[Any], limit: int = 3) -> str:
    """``where: what`` for the first few errors, without echoing the input values."""
    shown = []
    for err in errors[:limit]:
        if isinstance(err, dict):
            shown.append(f"{_loc(err.get('loc', ()))}: {err.get('msg', 'invalid')}")
    more = len(errors) - len(shown)
    text = "; ".join(shown) or "invalid request"
    return f"{text} (and {more} more)" if more > 0 else text
