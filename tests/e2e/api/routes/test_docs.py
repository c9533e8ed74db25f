"""``/docs`` in real headless Chromium: Swagger UI renders from the app's own assets, under the
Content-Security-Policy, with no violation even when an operation is tried out."""

from __future__ import annotations

import pytest

from cryptonic.api import create_app
from cryptonic.config import Settings
from cryptonic.registry.registry import Registry
from tests.fixtures.browser import serving, watch

pytestmark = pytest.mark.slow


def test_api_docs_render_without_any_cdn(browser, tmp_path):
    """Swagger UI draws the operations from assets the app serves; nothing else is fetched."""
    from cryptonic.store.local import LocalStore

    store = LocalStore(tmp_path / "empty")
    app = create_app(Settings(store_uri=store.uri), Registry(store))
    with serving(app) as base:
        watched = watch(browser)
        page = watched.page
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        response = page.goto(f"{base}/docs")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = page.eval_on_selector_all(
            ".opblock-summary-path", "nodes => nodes.map(n => n.textContent.trim())"
        )
        assert {"/predict", "/historic", "/status", "/models", "/health"} <= set(paths)

        # open GET /health, try it out: Swagger UI renders the live response
        page.click("#operations-service-get_health_health_get .opblock-summary")
        page.click("#operations-service-get_health_health_get .try-out__btn")
        page.click("#operations-service-get_health_health_get .execute")
        page.wait_for_selector(
            ".live-responses-table tr.response .response-col_status", timeout=10_000
        )
        assert "200" in page.inner_text(".live-responses-table tr.response .response-col_status")
        page.close()
    assert all(url.startswith(base) for url in requested), requested
    assert watched.csp == []
    assert watched.problems == []
