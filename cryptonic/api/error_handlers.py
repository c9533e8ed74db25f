"""The FastAPI exception handlers that answer every failure in the one error shape.

:class:`~cryptonic.api.errors.ApiError` and our :class:`~cryptonic.errors.CryptonicError` as
mapped by :func:`~cryptonic.api.errors.api_error_of`; FastAPI's validation errors (400 for a body
that is not JSON, else 422); Starlette's 404/405; anything else is a bug: logged with its
traceback and answered with a generic 500, never with the traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from cryptonic.api.errors import (
    ApiError,
    api_error_of,
    error_response,
    invalid_cursor,
    validation_message,
)
from cryptonic.errors import CryptonicError

log = logging.getLogger("cryptonic.api")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _cryptonic_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CryptonicError)
    mapped = api_error_of(exc)
    if mapped.status < 500:  # api_error_of logs the others
        log.warning(
            "%s %s -> %d %s: %s", request.method, request.url.path, mapped.status, exc.code, exc
        )
    return error_response(mapped.status, mapped.code, mapped.message, mapped.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(isinstance(e, dict) and e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", "the request body is not valid JSON")
    if errors and all(isinstance(e, dict) and e.get("loc") == ("query", "cursor") for e in errors):
        refused = invalid_cursor()  # what the route itself answers: one code per mistake
        return error_response(refused.status, refused.code, refused.message)
    return error_response(422, "validation_error", validation_message(errors))


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    if status == 404:
        message = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
    elif status == 405:
        message = f"method {request.method} not allowed on {request.url.path}"
    else:
        message = str(exc.detail) if exc.detail else "request failed"
    code = _HTTP_CODES.get(status, "http_error" if status < 500 else "internal_error")
    return error_response(status, code, message, exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "internal error; see the server log")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(CryptonicError, _cryptonic_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _internal_error)
