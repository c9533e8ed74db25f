"""Artifact stores: one contract, and clients that keep it on a local folder and on S3.

A store holds opaque objects under ``/``-separated keys relative to its root (the ``prefix`` of
``s3://bucket/prefix`` or the folder of ``file://path``). Semantics every store shares:

* ETags are the unquoted lower-case md5 hex of the bytes (S3's quotes are stripped). A multipart
  S3 upload would have a ``<md5>-<n>`` ETag; we never do multipart uploads.
* ``put_bytes(..., if_none_match="*")`` creates or fails with :class:`ConflictError`;
  ``put_bytes(..., if_match=etag)`` replaces only if the object still has that ETag (a missing
  object is a conflict too). Of two writers racing with the same condition exactly one wins.
* ``delete`` of a missing key is a no-op (as on S3).
* ``list(prefix)`` is a string-prefix match (as on S3), returns keys relative to the root, sorted;
  S3 "folder markers" (keys ending in ``/``) are not objects and are never listed.
* Failures are :class:`~cryptonic.errors.StoreError` subclasses, never raw botocore/OS errors.

The clients live in their own modules and are imported on first use, so importing this package
costs nothing and a local user never loads botocore:

* :mod:`cryptonic.store.local` - :class:`LocalStore`, a folder;
* :mod:`cryptonic.store.s3` - :class:`S3Store`, read and write through botocore, retrying as
  :mod:`~cryptonic.store.s3_retries` decides;
* :mod:`cryptonic.store.s3_reader` - :class:`S3ReadOnlyStore`, the serving cold start's
  stdlib reader, signing with :mod:`~cryptonic.store.sigv4` for the endpoints
  :mod:`~cryptonic.store.endpoints` allows;
* shared by both S3 clients: :mod:`~cryptonic.store.s3_objects` (addressing, listings, HEAD),
  :mod:`~cryptonic.store.s3_errors` (the one table from S3's answers to our errors and retries)
  and :mod:`~cryptonic.store.budget` (timeouts, attempts, deadline).
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from cryptonic.config import DEFAULT_STORE_URI
from cryptonic.errors import BucketNotFoundError, ConfigError

if TYPE_CHECKING:
    from cryptonic.store.local import LocalStore
    from cryptonic.store.s3 import S3Store
    from cryptonic.store.s3_reader import S3ReadOnlyStore

__all__ = [
    "BINARY_CONTENT_TYPE",
    "DEFAULT_STORE_URI",
    "JSON_CONTENT_TYPE",
    "ArtifactStore",
    "BucketNotFoundError",
    "LocalStore",
    "ObjectInfo",
    "S3ReadOnlyStore",
    "S3Store",
    "endpoint_override",
    "open_store",
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


def endpoint_override(env: Mapping[str, str] | None = None) -> str | None:
    """The S3 endpoint the environment sets (MinIO, LocalStack, moto), as botocore reads it."""
    values = os.environ if env is None else env
    return values.get("AWS_ENDPOINT_URL_S3") or values.get("AWS_ENDPOINT_URL") or None


def open_store(uri: str | None = None, *, read_only: bool = False) -> ArtifactStore:
    """Open ``s3://bucket[/prefix]`` or ``file://path`` (relative paths allowed).

    ``None`` or an empty string opens the default ``file://./.cryptonic``. ``read_only`` (the
    serving path) opens S3 with the light SigV4 reader of :mod:`cryptonic.store.s3_reader` when
    the environment holds credentials and a region (as it always does in Lambda) and the reader
    can sign for the endpoint; otherwise with the botocore :class:`S3Store`. Either way on the
    serving time budget (:data:`cryptonic.store.budget.SERVING`).
    """
    uri = (uri or DEFAULT_STORE_URI).strip()
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "file":
        if not rest:
            raise ConfigError(
                f"store URI {uri!r} has no path: use file://./.cryptonic or file:///abs"
            )
        from cryptonic.store.local import LocalStore

        return LocalStore(rest)
    if sep and scheme == "s3":
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise ConfigError(f"store URI {uri!r} has no bucket: use s3://bucket/prefix")
        from cryptonic.store.budget import BATCH, SERVING

        if read_only:
            from cryptonic.store.s3_reader import S3ReadOnlyStore

            reader = S3ReadOnlyStore.from_environment(bucket, prefix)
            if reader is not None:
                return reader
        from cryptonic.store.s3 import S3Store

        return S3Store(bucket, prefix, budget=SERVING if read_only else BATCH)
    raise ConfigError(
        f"unsupported store URI {uri!r}: use s3://bucket/prefix or file://path "
        "(e.g. file://./.cryptonic)"
    )


_CLIENTS = {
    "LocalStore": "cryptonic.store.local",
    "S3Store": "cryptonic.store.s3",
    "S3ReadOnlyStore": "cryptonic.store.s3_reader",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """``from cryptonic.store import S3Store`` loads that client's module only when asked.

        The clients import this module for the contract; importing them here, eagerly, would
        make a cycle and put every client on the serving cold start.
        """
        module = _CLIENTS.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)
