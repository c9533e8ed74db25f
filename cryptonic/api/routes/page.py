"""``GET /``: the page, and ``GET /static/{name}``: its assets, all served from package data.

The page's URLs are relative and resolved against ``<base href="{root_path}/">``, so it works at
``/`` locally and under an API Gateway stage prefix such as ``/Prod/``. Its script is plain ES
modules with no build step: ``static/main.js`` imports the others by URLs relative to its own
(``./api.js``), so each module is one more file served here. Browsers run a module only when it
comes with a JavaScript media type, hence ``.js`` in ``ASSET_TYPES``. ``static/`` stays one flat
folder: the route takes a single name and pyproject ships ``api/static/*``.

The page asks for its assets under a path named by their content, ``static/page-<release>/``
(:data:`Release.prefix`: a hash of every asset), and a module imports its neighbours relative to
its own URL, so one page load takes every file from one release. A browser may keep those for a
year (``immutable``): a deploy changes the path, the page (``no-cache``) names the new one, and
no cached module of the old release can meet a new one (with a plain ``static/main.js`` cached
for minutes, a changed export would break the page until the cache expired). A request for a
release this instance does not hold (another instance still runs the old code during a deploy)
gets today's file, never cached. ``static/{name}`` stays for ``/docs`` (``docs.js``) and links.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import Response

from cryptonic.api.errors import ApiError
from cryptonic.api.resource_router import ResourceRouter
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
"""Assets under their plain name (``/docs`` loads ``docs.js`` so)."""
RELEASE_CACHE_CONTROL = "public, max-age=31536000, immutable"
"""Assets under their release's path never change."""
OTHER_RELEASE_CACHE_CONTROL = "no-store"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


@dataclass(frozen=True)
class Release:
    """The page template and its assets as shipped, named by their content."""

    template: str
    assets: dict[str, Asset]
    prefix: str
    """``page-<16 hex>``: the path segment every asset of this release is served under."""

    def page(self, root: str) -> bytes:
        """The page for the public prefix ``root`` (``""`` or e.g. ``/Prod``)."""
        base = html.escape(root + "/", quote=True)
        return self.template.replace("{{BASE}}", base).replace("{{ASSETS}}", self.prefix).encode()


def load_release(folder: Path = STATIC_DIR) -> Release:
    """The page template and every asset, read once."""
    template = (folder / "index.html").read_text(encoding="utf-8")
    assets: dict[str, Asset] = {}
    release = hashlib.sha256(template.encode())
    for path in sorted(folder.iterdir()):
        media_type = ASSET_TYPES.get(path.suffix)
        if media_type is None or not path.is_file():
            continue
        body = path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        assets[path.name] = Asset(body, media_type, f'"{digest[:16]}"')
        release.update(f"{path.name}:{digest}".encode())
    return Release(template, assets, f"page-{release.hexdigest()[:16]}")


def asset_response(asset: Asset, cache_control: str, request: Request) -> Response:
    """The asset, or 304 when the client holds these bytes."""
    headers = {"ETag": asset.etag, "Cache-Control": cache_control, **ASSET_HEADERS}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)


def router(state: ServingState, *, documented: bool) -> APIRouter:
    release = load_release()
    pages: dict[str, bytes] = {}
    api = ResourceRouter(documented=documented, include_in_schema=False)

    def asset_of(name: str) -> Asset:
        asset = release.assets.get(name)
        if asset is None:
            raise ApiError(404, "not_found", f"no such asset: {name}")
        return asset

    @api.get("/")
    async def index(request: Request) -> Response:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        body = pages.get(root)
        if body is None:
            body = release.page(root)
            if len(pages) < 16:
                pages[root] = body
        return Response(
            body,
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache", **HTML_HEADERS},
        )

    @api.get("/static/page-{version}/{name}")
    async def released(version: str, name: str, request: Request) -> Response:
        current = f"page-{version}" == release.prefix
        policy = RELEASE_CACHE_CONTROL if current else OTHER_RELEASE_CACHE_CONTROL
        return asset_response(asset_of(name), policy, request)

    @api.get("/static/{name}")
    async def static(name: str, request: Request) -> Response:
        return asset_response(asset_of(name), ASSET_CACHE_CONTROL, request)

    return api
