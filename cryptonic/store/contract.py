"""The store contract: what every artifact store client does, and the keys it accepts.

A store holds opaque objects under ``/``-separated keys relative to its root (the ``prefix`` of
``s3://bucket/prefix`` or the folder of ``file://path``). Semantics every store shares:

* ETags are the unquoted lower-case md5 hex of the bytes (S3's quotes are stripped). A multipart
  S3 upload would have a ``<md5>-<n>`` ETag; we never do multipart uploads.
* ``put_bytes(..., if_none_match="*")`` creates or fails with :class:`ConflictError`;
  ``put_bytes(..., if_match=etag)`` replaces only if the object still has that ETag (a missing
  object is a conflict too). Of two writers racing with the same condition exactly one wins.
* ``delete`` of a missing key is a no-op (as on S3).
* ``list(prefix)`` is a string-prefix match (as on S3), returns keys relative to the root, sorted;
  S3 "folder markers" (keys ending in ``/``) are not objects and are never listed. It costs one
  request per 1,000 keys under the prefix, however deep.
* ``list_folder(prefix)`` is S3's ListObjectsV2 with ``Delimiter="/"``: the keys directly under
  the prefix and the "folders" one level down (``<prefix><name>/``, each once, however many keys
  it holds), relative to the root, sorted. It costs one request per 1,000 entries, so the
  tickers at the root cost what the tickers do, not what their versions and logs hold. A folder
  exists while it holds an object: the local store never lists an empty directory, as S3 cannot
  (only a folder marker, which we never write, would make S3 list an empty folder).
* Every call takes what is left of the caller's deadline (:mod:`cryptonic.store.deadline`) and,
  when none is left, raises :class:`~cryptonic.errors.StoreUnavailableError` before any I/O.
* Failures are :class:`~cryptonic.errors.StoreError` subclasses, never raw botocore/OS errors.

The clients (:mod:`~cryptonic.store.local`, :mod:`~cryptonic.store.s3`,
:mod:`~cryptonic.store.s3_reader`) import this module; it imports none of them, so the contract
costs nothing to import and has no cycle with the clients.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

from cryptonic.errors import ConfigError

__all__ = [
    "BINARY_CONTENT_TYPE",
    "JSON_CONTENT_TYPE",
    "ArtifactStore",
    "FolderListing",
    "ObjectInfo",
    "validate_key",
    "validate_prefix",
]

JSON_CONTENT_TYPE = "application/json"
BINARY_CONTENT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class ObjectInfo:
    """What ``head`` tells about one object."""

    key: str
    etag: str
    size: int
    last_modified: dt.datetime


@dataclass(frozen=True)
class FolderListing:
    """What ``list_folder(prefix)`` finds directly under a prefix, relative to the store root."""

    folders: tuple[str, ...]
    """``<prefix><name>/`` of every folder one level down, sorted."""
    keys: tuple[str, ...]
    """The objects directly under the prefix (not in a folder below it), sorted."""


@runtime_checkable
class ArtifactStore(Protocol):
    """The operations the registry needs; every store client implements them."""

    @property
    def uri(self) -> str: ...

    def get_bytes(self, key: str) -> bytes: ...

    def get_with_etag(self, key: str) -> tuple[bytes, str]: ...

    def get_json(self, key: str) -> Any: ...

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
        content_type: str = BINARY_CONTENT_TYPE,
    ) -> str: ...

    def put_json(
        self,
        key: str,
        value: Any,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
    ) -> str: ...

    def head(self, key: str) -> ObjectInfo: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> list[str]: ...

    def list_folder(self, prefix: str = "") -> FolderListing: ...

    def delete(self, key: str) -> None: ...


def validate_key(key: str) -> str:
    """Check a store key: relative, ``/``-separated, no empty, ``.``/``..`` or hidden segments.

    Raises :class:`ConfigError` for anything that could escape the store root or collide with the
    local store's temp and lock files.
    """
    if not isinstance(key, str) or not key:
        raise ConfigError(f"invalid store key {key!r}: it must be a non-empty string")
    if "\\" in key or "\x00" in key or key.startswith("/"):
        raise ConfigError(f"invalid store key {key!r}: use a relative key with '/' separators")
    for part in key.split("/"):
        if not part or part.startswith(".") or not part.isprintable():
            raise ConfigError(
                f"invalid store key {key!r}: empty, '.', '..' or hidden path segments "
                "are not allowed"
            )
    return key


def validate_prefix(prefix: str) -> str:
    """Check a listing prefix: like a key, but it may be empty or end in ``/`` (a folder)."""
    if prefix == "":
        return prefix
    if not isinstance(prefix, str) or "\\" in prefix or "\x00" in prefix or prefix.startswith("/"):
        raise ConfigError(f"invalid store prefix {prefix!r}: use a relative prefix")
    if any(part in {".", ".."} for part in prefix.split("/")):
        raise ConfigError(f"invalid store prefix {prefix!r}: '.' and '..' are not allowed")
    return prefix
