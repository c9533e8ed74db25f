"""``python -m docs.tools.site_pictures SITE OUT [--mermaid FILE]``: pages of the built site
(``make docs`` writes it to build/site) as PNGs, drawn by the same headless Chromium as the
browser tests, to look at a change of the docs before it is merged.

The site is served from a loopback port for the time it takes. Material loads Mermaid from a
CDN when a page has a diagram; offline, ``--mermaid`` names a local ``mermaid.min.js`` (the npm
package's ``dist/mermaid.min.js``) that answers that request instead, so the diagrams are drawn.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAGES = {"home": "", "runbooks": "operating/runbooks/", "architecture": "architecture/"}
"""Picture name -> the page's path in the site."""
MERMAID_CDN = "https://unpkg.com/mermaid@11/dist/mermaid.min.js"
"""What Material's bundle asks for when a page holds a diagram and ``mermaid`` is undefined."""
VIEWPORT = {"width": 1280, "height": 900}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per request on stderr."""


@contextlib.contextmanager
def serving_folder(folder: Path) -> Iterator[str]:
    """A static server of ``folder`` on a free loopback port; its base URL, stopped on exit."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="docs-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def draw_pages(site: Path, out: Path, mermaid: Path | None = None) -> list[Path]:
    """Each page of :data:`PAGES`: its first screen (``NAME.png``) and the whole page
    (``NAME-full.png``)."""
    from tests.fixtures.browser import chromium

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serving_folder(site) as base, chromium() as browser:
        for name, path in PAGES.items():
            page = browser.new_page(viewport=VIEWPORT)
            if mermaid is not None:
                page.route(MERMAID_CDN, lambda route: route.fulfill(path=str(mermaid)))
            page.goto(base + path, wait_until="networkidle")
            if mermaid is not None and page.locator("pre.mermaid, div.mermaid").count():
                page.wait_for_selector("div.mermaid", state="attached", timeout=15_000)
            for suffix, full in (("", False), ("-full", True)):
                target = out / f"{name}{suffix}.png"
                page.screenshot(path=str(target), full_page=full)
                written.append(target)
            page.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.tools.site_pictures")
    parser.add_argument("site", type=Path, help="the built site (build/site)")
    parser.add_argument("out", type=Path, help="folder of the PNGs")
    parser.add_argument("--mermaid", type=Path, help="a local mermaid.min.js for the diagrams")
    args = parser.parse_args(argv)
    for path in draw_pages(args.site, args.out, args.mermaid):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
