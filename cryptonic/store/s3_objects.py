"""What both S3 clients share: bucket and prefix, how keys are addressed, listings, HEAD.

The botocore store and the stdlib reader must name the same objects, list the same keys and
report the same places in their messages; this is the one copy of that logic. The clients
implement the transport (``_head``, ``_bucket_missing``) and map their failures with
:mod:`cryptonic.store.s3_errors`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cryptonic.errors import ConfigError, NotFoundError, StoreError
from cryptonic.store.contract import FolderListing, ObjectInfo, validate_key, validate_prefix
from cryptonic.store.objects import JsonObjects
from cryptonic.store.s3_errors import Call, S3Failure, store_error

__all__ = ["S3Objects"]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


class S3Objects(JsonObjects):
    """Objects under ``s3://bucket/prefix``, whatever client moves the bytes."""

    page_size = 1000
    """Entries per ListObjectsV2 page (S3's maximum; tests lower it to exercise the paging)."""

    def __init__(self, bucket: str, prefix: str = "") -> None:
        if not _BUCKET_RE.match(bucket) or ".." in bucket:
            raise ConfigError(
                f"invalid S3 bucket name {bucket!r}: 3-63 lower-case letters, digits, '.' or '-'"
            )
        prefix = prefix.strip("/")
        if prefix:
            validate_prefix(prefix)
        self._bucket = bucket
        self._prefix = prefix

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def uri(self) -> str:
        return f"s3://{self._bucket}/{self._prefix}" if self._prefix else f"s3://{self._bucket}"

    @property
    def region(self) -> str:
        """The region requests are signed for (named in region errors)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    # -- addressing

    def _full(self, key: str) -> str:
        validate_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def _where(self, key: str) -> str:
        return f"s3://{self._bucket}/{self._full(key)}" if key else self.uri

    def _root(self) -> str:
        return f"{self._prefix}/" if self._prefix else ""

    def _list_prefix(self, prefix: str) -> str:
        """The full S3 prefix of a listing; ``prefix`` may end in ``/``, unlike a key."""
        return self._root() + validate_prefix(prefix)

    def _list_where(self, prefix: str) -> str:
        return f"s3://{self._bucket}/{self._list_prefix(prefix)}"

    def _relative(self, full_keys: Iterable[str]) -> list[str]:
        """Listed keys relative to the root, sorted; folder markers (``a/b/``) are no objects."""
        root = self._root()
        return sorted(
            key[len(root) :]
            for key in full_keys
            if key.startswith(root) and len(key) > len(root) and not key.endswith("/")
        )

    def _folder_listing(
        self, full_keys: Iterable[str], full_folders: Iterable[str]
    ) -> FolderListing:
        """A delimiter listing's keys and common prefixes, relative to the root, sorted."""
        root = self._root()
        folders = sorted(
            folder[len(root) :]
            for folder in full_folders
            if folder.startswith(root) and len(folder) > len(root)
        )
        return FolderListing(tuple(folders), tuple(self._relative(full_keys)))

    def _error(self, failure: S3Failure, action: str, where: str) -> StoreError:
        return store_error(failure, Call(action, where, self._bucket, self.region))

    # -- HEAD, with the one question its empty error body cannot answer

    def _head(self, key: str) -> ObjectInfo:
        raise NotImplementedError

    def _bucket_missing(self) -> bool:
        """Whether a HEAD of the bucket says 404 (any other failure: we cannot tell)."""
        raise NotImplementedError

    def head(self, key: str) -> ObjectInfo:
        try:
            return self._head(key)
        except NotFoundError as exc:
            # A HEAD answer has no body, so a 404 does not say whether the key or the whole
            # bucket is missing; a wrong bucket must not read as "nothing published yet".
            if self._bucket_missing():
                missing = self._error(S3Failure.of(404, "NoSuchBucket"), "head", self._where(key))
                raise missing from exc.__cause__ or exc
            raise

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except NotFoundError:
            return False
        return True
