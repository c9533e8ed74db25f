"""``GET /docs``: Swagger UI served by the app itself, from the assets fastapi-offline vendors.

FastAPI's default page loads Swagger UI from a CDN, which breaks on a closed network and adds a
third party to every visit. The assets are read on the first request for them, never at import:
the serving cold start does not pay for a page most callers never open.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, Response

from cryptonic.api.errors import ApiError

ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}
"""Swagger UI 5 (it reads the OpenAPI 3.1 that FastAPI writes; 4.x cannot)."""
ASSET_PREFIX = "/static/swagger/"
"""Under /static/ so API Gateway's existing ``/static/{proxy+}`` route reaches them."""


def router() -> APIRouter:
    api = APIRouter(include_in_schema=False)
    loaded: dict[str, bytes] = {}

    @api.get("/docs")
    async def docs(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json",
            title="cryptonic API",
            swagger_js_url=f"{root}{ASSET_PREFIX}swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSET_PREFIX}swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSET_PREFIX}favicon.png",
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
            body, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"}
        )

    return api
