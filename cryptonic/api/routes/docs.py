"""``GET /docs``: Swagger UI served by the app itself, from the assets fastapi-offline vendors.

FastAPI's default page loads Swagger UI from a CDN, which breaks on a closed network and adds a
third party to every visit; it also starts Swagger UI with an inline script, which a strict
Content-Security-Policy refuses. Here the page is ours: the start-up is ``static/docs.js`` and
the OpenAPI URL travels in a ``data-`` attribute. The vendored assets are read on the first
request for them, never at import: the serving cold start does not pay for a page most callers
never open.
"""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from starlette.responses import Response

from cryptonic.api.errors import ApiError
from cryptonic.api.security_headers import ASSET_HEADERS, HTML_HEADERS

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
"""Swagger UI 5 (it reads the OpenAPI 3.1 that FastAPI writes; 4.x cannot)."""
ASSET_PREFIX = "/static/swagger/"
"""Under /static/ so API Gateway's existing ``/static/{proxy+}`` route reaches them."""

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>cryptonic API</title>
  <link rel="stylesheet" href="{root}{assets}swagger-ui.css">
  <link rel="icon" href="{root}{assets}favicon.png">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{root}/openapi.json"></div>
  <script src="{root}{assets}swagger-ui-bundle.js"></script>
  <script src="{root}/static/docs.js"></script>
</body>
</html>
"""


def docs_page(root: str) -> bytes:
    """The /docs HTML for the public path prefix ``root`` (``""`` or e.g. ``/Prod``)."""
    return PAGE.format(root=html.escape(root, quote=True), assets=ASSET_PREFIX).encode()


def router() -> APIRouter:
    api = APIRouter(include_in_schema=False)
    loaded: dict[str, bytes] = {}

    @api.get("/docs")
    async def docs(request: Request) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return Response(
            docs_page(root), media_type="text/html; charset=utf-8", headers=HTML_HEADERS
        )

    @api.get(ASSET_PREFIX + "{name}")
    async def asset(name: str) -> Response:
        media_type = ASSETS.get(name)
        if media_type is None:
            raise ApiError(404, "not_found", f"no such asset: {name}")
        body = loaded.get(name)
        if body is None:
            from importlib.resources import files

            body = loaded[name] = (files("fastapi_offline") / "static" / name).read_bytes()
        return Response(
            body,
            media_type=media_type,
            headers={"Cache-Control": "public, max-age=86400", **ASSET_HEADERS},
        )

    return api
