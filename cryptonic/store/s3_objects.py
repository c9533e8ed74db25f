"""What both S3 clients share: the bucket and prefix, how keys are addressed, existence checks.

The botocore store and the stdlib reader must name the same objects and report the same places
in their messages; this is the one copy of that arithmetic.
"""

from __future__ import annotations

import re

from cryptonic.errors import ConfigError, NotFoundError
from cryptonic.store import ObjectInfo, validate_key, validate_prefix
from cryptonic.store.objects import JsonObjects

__all__ = ["S3Objects"]

_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


class S3Objects(JsonObjects):
    """What every S3 store shares: the bucket and prefix, key addressing, existence checks."""

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

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.uri!r})"

    def _full(self, key: str) -> str:
        validate_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def _where(self, key: str) -> str:
        return f"s3://{self._bucket}/{self._full(key)}" if key else self.uri

    def head(self, key: str) -> ObjectInfo:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        try:
            self.head(key)
        except NotFoundError:
            return False
        return True
