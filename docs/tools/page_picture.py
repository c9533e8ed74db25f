"""``python -m docs.tools.page_picture [PNG]``: the page as a reader sees it, for the site's home.

The app serves the tests' fixture data (tests/fixtures/published.py: a tiny model trained on
synthetic prices, published, then refreshed daily for twelve days by the real refresh, as
tests/e2e/api/routes/test_page.py does), and Debian's headless Chromium, driven by Playwright
through the browser tests' own machinery, saves the page once its script has drawn it. A page
that logged an error or broke its Content-Security-Policy is not saved: the picture shows what
works. Trains the tiny model first: seconds.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docs.tools import DOCS, DocsError

PICTURE = DOCS / "images" / "page.png"
VIEWPORT = {"width": 1280, "height": 1000}


def draw_page(out: Path) -> Path:
    """Serve the fixture champion and save the page's picture to ``out``."""
    from cryptonic.api import create_app
    from cryptonic.config import Settings
    from cryptonic.forecast.freshness import close_final_at
    from cryptonic.registry.registry import Registry
    from cryptonic.store.local import LocalStore
    from tests.fixtures.api import FakeWallClock
    from tests.fixtures.browser import chromium, open_page, serving
    from tests.fixtures.published import build_published_model, publish_version
    from tests.fixtures.refreshed import fixture_dates, refresh_through

    with tempfile.TemporaryDirectory(prefix="cryptonic-page-") as tmp:
        store = LocalStore(Path(tmp) / "store")
        registry = Registry(store)
        publish_version(registry, build_published_model(), days=280)
        made = close_final_at(fixture_dates()[290])
        refresh_through(store, range(279, 291), Path(tmp), now=made)
        settings = Settings(store_uri=store.uri, cache_ttl_seconds=0)
        wall = FakeWallClock(made + dt.timedelta(hours=3))
        app = create_app(settings, registry, wall_clock=wall)
        with serving(app) as base, chromium() as browser:
            watched = open_page(browser, f"{base}/", viewport=VIEWPORT)
            if watched.problems or watched.csp:
                raise DocsError(f"the page did not draw cleanly: {watched.problems + watched.csp}")
            out.parent.mkdir(parents=True, exist_ok=True)
            watched.page.screenshot(path=str(out), full_page=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else PICTURE
    print(f"wrote {draw_page(out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
