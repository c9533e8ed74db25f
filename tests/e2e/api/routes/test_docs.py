"""``/docs`` in real headless Chromium: Swagger UI renders from the app's own assets."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry import Registry
from tests.fixtures.browser import serving

pytestmark = pytest.mark.slow


def test_api_docs_render_without_any_cdn(browser, tmp_path):
    """Swagger UI draws the operations from assets the app serves; nothing else is fetched."""
    from cryptonic.store import LocalStore

    store = LocalStore(tmp_path / "empty")
    app = create_app(Settings(store_uri=store.uri), Registry(store))
    with serving(app) as base:
        page = browser.new_page()
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = page.eval_on_selector_all(
            ".opblock-summary-path", "nodes => nodes.map(n => n.textContent.trim())"
        )
        assert {"/predict", "/historic", "/status", "/models", "/health"} <= set(paths)
        assert all(url.startswith(base) for url in requested), requested
        page.close()
