"""``GET /``: the page, and ``GET /static/{name}``: its assets, all served from package data.

The page's URLs are relative and resolved against ``<base href="{root_path}/">``, so it works at
``/`` locally and under an API Gateway stage prefix such as ``/Prod/``. Its script is plain ES
modules with no build step: ``static/main.js`` imports the others by URLs relative to its own
(``./api.js``), so each module is one more file served here. Browsers run a module only when it
comes with a JavaScript media type, hence ``.js`` in ``ASSET_TYPES``. ``static/`` stays one flat
folder: the route takes a single name and pyproject ships ``api/static/*``.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from cryptonic.api.errors import ApiError
from cryptonic.api.security_headers import ASSET_HEADERS, HTML_HEADERS
from cryptonic.api.state.serving import ServingState

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
"""``cryptonic/api/static``: package data (pyproject.toml ships it)."""
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
ASSET_CACHE_CONTROL = "public, max-age=300"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def load_assets(folder: Path = STATIC_DIR) -> tuple[str, dict[str, Asset]]:
    """The page template and every asset, read once."""
    template = (folder / "index.html").read_text(encoding="utf-8")
    assets: dict[str, Asset] = {}
    for path in sorted(folder.iterdir()):
        media_type = ASSET_TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        assets[path.name] = Asset(body, media_type, etag)
    return template, assets


def router(state: ServingState) -> APIRouter:
    template, assets = load_assets()
    pages: dict[str, bytes] = {}
    api = APIRouter(include_in_schema=False)

    @api.get("/")
    async def index(request: Request) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        body = pages.get(root)
        if body is None:
            body = template.replace("{{BASE}}", html.escape(root + "/", quote=True)).encode()
            if len(pages) < 16:
                pages[root] = body
        return Response(
            body,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache", **HTML_HEADERS},
        )

    @api.get("/static/{name}")
    async def static(name: str, request: Request) -> Response:
        asset = assets.get(name)
        if asset is None:
            raise ApiError(404, "not_found", f"no such asset: {name}")
        headers = {"ETag": asset.etag, "Cache-Control": ASSET_CACHE_CONTROL, **ASSET_HEADERS}
        if request.headers.get("if-none-match") == asset.etag:
            return Response(status_code=304, headers=headers)
        return Response(asset.body, media_type=asset.media_type, headers=headers)

    return api
