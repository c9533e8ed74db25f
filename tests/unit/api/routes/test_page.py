"""``GET /`` and its assets, served from package data with relative URLs.

The page's script is plain ES modules: ``main.js`` imports the others by URLs relative to its
own, all under the release's path ``static/page-<hash>/``. The tests follow those imports as a
browser resolves them (against the page's ``<base href>``, then against each module's URL), at
``/`` and under a stage prefix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from cryptonic.api import create_app
from cryptonic.api.routes.page import (
    ASSET_CACHE_CONTROL,
    OTHER_RELEASE_CACHE_CONTROL,
    RELEASE_CACHE_CONTROL,
    STATIC_DIR,
    load_release,
)
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from cryptonic.store.local import LocalStore
from tests.fixtures.api import assert_security_headers
from tests.fixtures.published import api_client

MODULE_SPECIFIER = re.compile(
    r"""^\s*(?:import|export)\b[\w\s{},*$]*?\bfrom\s*["']([^"']+)["']"""
    r"""|^\s*import\s*["']([^"']+)["']"""
    r"""|\bimport\s*\(\s*["']([^"']+)["']""",
    re.MULTILINE,
)
"""``import … from "x"``, ``export … from "x"``, ``import "x"`` and ``import("x")``."""
NOT_THE_PAGES = {"docs.js"}
"""Static scripts the page does not load: ``docs.js`` starts Swagger UI on ``/docs``."""
SVG_NAMESPACE = '"http://www.w3.org/2000/svg"'
RELEASE = load_release().prefix


def module_specifiers(source: str) -> list[str]:
    return [next(s for s in groups if s) for groups in MODULE_SPECIFIER.findall(source)]


def page_modules(client: Any, prefix: str) -> dict[str, Any]:
    """Every script the page at ``prefix + "/"`` loads, by URL path, with its response."""
    page = client.get(prefix + "/")
    assert page.status_code == 200
    base = re.search(r'<base href="([^"]+)">', page.text)
    assert base is not None
    scripts = re.findall(r"<script\b[^>]*>", page.text)
    assert scripts
    entries = [re.search(r'\bsrc="([^"]+)"', tag) for tag in scripts]
    assert all('type="module"' in tag for tag in scripts), "imports need a module script"
    queue = [urljoin(base.group(1), entry.group(1)) for entry in entries if entry is not None]
    served: dict[str, Any] = {}
    while queue:
        url = queue.pop()
        if url in served:
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        served[url] = response
        for specifier in module_specifiers(response.text):
            assert specifier.startswith("./"), f"{url}: {specifier} is not relative to the module"
            queue.append(urljoin(url, specifier))
    return served


@pytest.fixture(params=["", "/Prod"], ids=["root", "stage-prefix"])
def prefixed(request: Any, settings: Settings, local_store: LocalStore) -> tuple[Any, str]:
    """A client of the app served at ``/`` or under an API Gateway stage prefix."""
    prefix = request.param
    app = create_app(settings, Registry(local_store), root_path=prefix)
    return api_client(app), prefix


def test_module_specifiers_are_found():
    source = """import { a, b } from "./a.js";
import {
  c,
} from './c.js';
export { d } from "./d.js";
import "./e.js";
const f = import("./f.js");
export function g() { return "from here"; }
"""
    assert module_specifiers(source) == ["./a.js", "./c.js", "./d.js", "./e.js", "./f.js"]


def test_page_and_assets_use_relative_urls(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<base href="/">' in page.text
    urls = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert urls
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls)
    assert f'<script type="module" src="static/{RELEASE}/main.js"></script>' in page.text
    assert f"static/{RELEASE}/style.css" in urls
    for name, kind in [("main.js", "text/javascript"), ("style.css", "text/css")]:
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(kind)
        again = client.get(f"/static/{name}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304


def test_every_imported_module_is_served_as_javascript(prefixed):
    client, prefix = prefixed
    served = page_modules(client, prefix)
    here = f"{prefix}/static/{RELEASE}"
    assert f"{here}/main.js" in served
    assert {f"{here}/api.js", f"{here}/chart.js"} <= set(served)
    for url, response in served.items():
        assert url.startswith(f"{here}/"), url
        assert response.headers["content-type"].startswith("text/javascript"), url
        assert response.headers["cache-control"] == RELEASE_CACHE_CONTROL, url
        assert response.headers["x-content-type-options"] == "nosniff", url
        etag = response.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.headers["etag"] == etag


def test_the_page_preloads_exactly_the_modules_main_imports(prefixed):
    """``modulepreload`` fetches the whole import graph at once, not one import level per round
    trip: a module missing from the list loads late, one listed but not imported is wasted."""
    client, prefix = prefixed
    page = client.get(prefix + "/")
    base = f"{prefix}/"
    hrefs = re.findall(r'<link rel="modulepreload" href="([^"]+)">', page.text)
    preloaded = [urljoin(base, href) for href in hrefs]
    assert len(preloaded) == len(set(preloaded))
    imported = set(page_modules(client, prefix)) - {f"{prefix}/static/{RELEASE}/main.js"}
    assert set(preloaded) == imported


def test_every_script_in_static_is_loaded_by_the_page_or_docs(client):
    """No module left behind that nothing imports, none imported that is missing."""
    loaded = {url.rsplit("/", 1)[1] for url in page_modules(client, "")}
    scripts = {path.name for path in STATIC_DIR.glob("*.js")}
    assert loaded == scripts - NOT_THE_PAGES
    assert client.get("/static/docs.js").status_code == 200


def test_static_is_one_flat_folder_of_served_files(client):
    """The route serves ``/static/{name}`` (no subfolders) and pyproject ships ``static/*``."""
    paths = sorted(STATIC_DIR.iterdir())
    assert [p.name for p in paths if not p.is_file()] == []
    for path in paths:
        if path.name == "index.html":
            continue
        asset = client.get(f"/static/{path.name}")
        assert asset.status_code == 200, path.name
        assert asset.content == path.read_bytes()


def test_scripts_load_nothing_from_another_origin():
    for path in STATIC_DIR.glob("*.js"):
        script = path.read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
        assert "http://" not in script, path.name
        assert "https://" not in script, path.name


def test_page_has_the_security_headers_and_nothing_inline(client):
    page = client.get("/")
    assert_security_headers(page)
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, "inline script"
    assert "<style" not in page.text
    assert re.search(r"\s(style|on\w+)=", page.text) is None, "inline style or handler"
    for name in ("main.js", "style.css"):
        asset = client.get(f"/static/{name}")
        assert asset.headers["x-content-type-options"] == "nosniff"
        again = client.get(f"/static/{name}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.headers["x-content-type-options"] == "nosniff"


def test_the_release_path_names_the_content(tmp_path: Path):
    """A deploy that changes any asset (or the page) serves them under a new path, so a module
    cached from one release never meets a module of another."""
    for path in STATIC_DIR.iterdir():
        if path.is_file():
            (tmp_path / path.name).write_bytes(path.read_bytes())
    assert load_release(tmp_path).prefix == RELEASE
    chart = tmp_path / "chart.js"
    chart.write_text(chart.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    changed = load_release(tmp_path)
    assert changed.prefix != RELEASE
    assert changed.prefix.startswith("page-")


def test_another_releases_path_is_served_but_never_cached(client):
    """During a deploy an old instance may be asked for the new release's path (or the other way
    round): it answers with what it has, and no cache keeps that answer."""
    asset = client.get("/static/page-0123456789abcdef/main.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == OTHER_RELEASE_CACHE_CONTROL
    assert asset.content == (STATIC_DIR / "main.js").read_bytes()
    plain = client.get("/static/main.js")
    assert plain.headers["cache-control"] == ASSET_CACHE_CONTROL
    assert client.get(f"/static/{RELEASE}/nothing.js").status_code == 404
