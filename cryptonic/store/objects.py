"""What every store client shares beneath the contract: ETags, write conditions, JSON on bytes.

One copy of each so the clients cannot disagree on what an ETag looks like, which conditions are
valid, how JSON is encoded or which error bad JSON is.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from cryptonic.errors import ConfigError, IntegrityError
from cryptonic.store.contract import BINARY_CONTENT_TYPE, JSON_CONTENT_TYPE


def check_conditions(if_match: str | None, if_none_match: str | None) -> None:
    """Refuse a write whose condition no store can honour, before any I/O."""
    if if_match is not None and if_none_match is not None:
        raise ConfigError("put: pass if_match or if_none_match, not both")
    if if_none_match is not None and if_none_match != "*":
        raise ConfigError(f"put: if_none_match must be '*', got {if_none_match!r}")
    if if_match is not None and not if_match.strip('"'):
        raise ConfigError("put: if_match must be a non-empty ETag")


def md5_hex(data: bytes) -> str:
    """The ETag S3 gives a single-part upload of ``data``, which the local store gives too."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def strip_etag(etag: str) -> str:
    """An ETag as we hand it out: S3's quotes and weak prefix removed."""
    return etag.strip().removeprefix("W/").strip('"')


def dump_json(value: Any) -> bytes:
    """Stable bytes for a value: sorted keys, so equal values get equal ETags."""
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def load_json(data: bytes, where: str) -> Any:
    """Parse stored JSON; bytes that are not JSON are a damaged artifact, not a bug."""
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{where} is not valid JSON: {exc}") from exc


class JsonObjects:
    """JSON on top of a store's bytes: one encoding (and one error for bad JSON) for all."""

    def get_bytes(self, key: str) -> bytes:
        raise NotImplementedError

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
        content_type: str = BINARY_CONTENT_TYPE,
    ) -> str:
        raise NotImplementedError

    def _where(self, key: str) -> str:
        raise NotImplementedError

    def get_json(self, key: str) -> Any:
        return load_json(self.get_bytes(key), self._where(key))

    def put_json(
        self,
        key: str,
        value: Any,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
    ) -> str:
        return self.put_bytes(
            key,
            dump_json(value),
            if_match=if_match,
            if_none_match=if_none_match,
            content_type=JSON_CONTENT_TYPE,
        )
