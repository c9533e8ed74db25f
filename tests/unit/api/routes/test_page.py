"""``GET /`` and its assets, served from package data with relative URLs."""

from __future__ import annotations

import re

from tests.fixtures.api import assert_security_headers


def test_page_and_assets_use_relative_urls(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<base href="/">' in page.text
    urls = re.findall(r'(?:href|src)="([^"]+)"', page.text)
    assert urls
    assert all(not u.startswith(("http:", "https:", "//")) for u in urls)
    assert "static/app.js" in urls
    assert "static/style.css" in urls
    for name, kind in [("app.js", "text/javascript"), ("style.css", "text/css")]:
        asset = client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(kind)
        again = client.get(f"/static/{name}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304
    script = client.get("/static/app.js").text
    assert "http://" not in script.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in script


def test_page_has_the_security_headers_and_nothing_inline(client):
    page = client.get("/")
    assert_security_headers(page)
    assert re.search(r"<script(?![^>]*\bsrc=)", page.text) is None, "inline script"
    assert "<style" not in page.text
    assert re.search(r"\s(style|on\w+)=", page.text) is None, "inline style or handler"
    for name in ("app.js", "style.css"):
        asset = client.get(f"/static/{name}")
        assert asset.headers["x-content-type-options"] == "nosniff"
        again = client.get(f"/static/{name}", headers={"If-None-Match": asset.headers["etag"]})
        assert again.headers["x-content-type-options"] == "nosniff"
