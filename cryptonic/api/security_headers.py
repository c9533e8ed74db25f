"""Security headers of the HTML the app serves (the page, ``/docs``) and of its static assets.

The Content-Security-Policy allows exactly what those pages load, all from this origin: scripts
and style sheets from files (no inline ``<script>`` or ``<style>``: the Swagger UI start-up is
``static/docs.js`` for that reason), ``data:`` images (the page's empty favicon, Swagger UI's
CSS icons) and ``fetch`` to the API. Nothing may frame them (clickjacking), no MIME type is
sniffed, and no Referer leaves the site. The JSON API does not need these: browsers do not
render it.
"""

from __future__ import annotations

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'self'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
"""One policy for the page and ``/docs``: neither needs more than the other."""

ASSET_HEADERS: dict[str, str] = {"X-Content-Type-Options": "nosniff"}
"""Static scripts, styles and images: served with the type we say, never sniffed."""

HTML_HEADERS: dict[str, str] = {
    **ASSET_HEADERS,
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
    "Referrer-Policy": "no-referrer",
}
"""The page and ``/docs``."""
