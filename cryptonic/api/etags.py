"""Entity tags of the bodies we serve and ``If-None-Match`` matching (RFC 9110, weak comparison).

A client (or CloudFront) that already holds the current forecast gets a 304 without a body.
"""

from __future__ import annotations

import hashlib


def body_etag(body: bytes, prefix: str = "") -> str:
    """A strong ETag naming ``body``: ``"<prefix>.<16 hex of its sha256>"`` (or just the hex)."""
    digest = hashlib.sha256(body).hexdigest()[:16]
    return f'"{prefix}.{digest}"' if prefix else f'"{digest}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, ``*`` matches)."""
    bare = etag.strip('"')
    for candidate in if_none_match.split(","):
        value = candidate.strip()
        if value == "*":
            return True
        if value.removeprefix("W/").strip('"') == bare:
            return True
    return False
