"""A read-only S3 store on the standard library: SigV4-signed GET, HEAD and ListObjectsV2.

Why it exists: serving only ever *reads* the model bucket, and botocore costs the serving cold
start ~0.12 s (imports plus building a client from its service model), a third of the whole
budget. This client needs ``http.client``, ``hmac`` and ``xml.etree``, keeps one connection
alive per host, and signs requests exactly as botocore's ``S3SigV4Auth`` does (the tests check
signatures against moto's server, which verifies them with botocore).

It is used only where it is safe to be simple: credentials and region from the environment (the
Lambda runtime always sets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN`` and ``AWS_REGION``) and a DNS-compatible bucket name. Anything else (a
profile, SSO, an instance role) goes to the botocore :class:`~cryptonic.store.s3.S3Store`. Writes
are refused: the serving role cannot write anyway.
"""

from __future__ import annotations

import datetime as dt
import http.client
import re
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Literal
from xml.etree import ElementTree

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store import ObjectInfo
from cryptonic.store.s3_objects import S3Objects
from cryptonic.store.sigv4 import Credentials, canonical_query, env_credentials, sign

__all__ = ["S3ReadOnlyStore"]

TIMEOUT_S = 5.0
_DNS_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


class S3ReadOnlyStore(S3Objects):
    """The read half of :class:`~cryptonic.store.S3Store`, same keys, ETags and errors."""

    page_size = 1000
    """Keys per ListObjectsV2 page (S3's maximum)."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        credentials: Credentials,
        region: str,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(bucket, prefix)
        self._credentials, self._region = credentials, region
        if endpoint:  # MinIO, LocalStack, moto: path-style, as the botocore store does
            parsed = urllib.parse.urlsplit(endpoint)
            self._secure = parsed.scheme == "https"
            self._host = parsed.netloc
            self._base = f"{parsed.path.rstrip('/')}/{bucket}"
        else:
            self._secure, self._host, self._base = True, f"{bucket}.s3.{region}.amazonaws.com", ""
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    @classmethod
    def usable(cls, bucket: str) -> bool:
        """Whether this client can serve ``bucket`` (else use the botocore store)."""
        return bool(_DNS_BUCKET.match(bucket)) and env_credentials() is not None

    # -- HTTP ----------------------------------------------------------------------------------
    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            kind = http.client.HTTPSConnection if self._secure else http.client.HTTPConnection
            self._conn = kind(self._host, timeout=TIMEOUT_S)
        return self._conn

    def _request(
        self, method: str, full_key: str | None, query: Mapping[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        path = self._base + "/" + (urllib.parse.quote(full_key, safe="/-_.~") if full_key else "")
        params = dict(query or {})
        target = path + ("?" + canonical_query(params) if params else "")
        with self._lock:
            for attempt in (1, 2):  # once more on a connection the server closed while idle
                headers = sign(
                    method,
                    self._host,
                    path,
                    params,
                    self._credentials,
                    self._region,
                    dt.datetime.now(dt.UTC),
                )
                conn = self._connection()
                try:
                    conn.request(method, target, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    self._conn = None
                    if attempt == 2:
                        raise StoreUnavailableError(
                            f"cannot reach S3 for {self.uri}: {exc}"
                        ) from exc
                    continue
                return response.status, response.headers, body
        raise AssertionError("unreachable")

    def _check(self, status: int, body: bytes, key: str, action: str) -> None:
        if status < 300:
            return
        code = _error_code(body)
        where = self._where(key)
        if code == "NoSuchBucket":
            raise BucketNotFoundError(f"S3 bucket {self._bucket!r} does not exist ({self.uri})")
        if status == 404:
            raise NotFoundError(f"{where} not found")
        if status == 403:
            raise AccessDeniedError(f"access denied to {where} ({action}: {code or status})")
        if status in (409, 412):
            raise ConflictError(f"{where}: {code or status}")
        if status >= 500 or status == 429:
            raise StoreUnavailableError(f"S3 unavailable for {where} ({code or status})")
        raise StoreError(f"S3 {action} of {where} failed: {code or status}")

    # -- reads ---------------------------------------------------------------------------------
    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        status, headers, body = self._request("GET", self._full(key))
        self._check(status, body, key, "get")
        return body, str(headers.get("ETag", "")).strip('"')

    def get_bytes(self, key: str) -> bytes:
        return self.get_with_etag(key)[0]

    def head(self, key: str) -> ObjectInfo:
        status, headers, body = self._request("HEAD", self._full(key))
        self._check(status, body, key, "head")
        modified = headers.get("Last-Modified")
        return ObjectInfo(
            key=key,
            etag=str(headers.get("ETag", "")).strip('"'),
            size=int(headers.get("Content-Length") or 0),
            last_modified=_http_date(modified) if modified else dt.datetime.now(dt.UTC),
        )

    def list(self, prefix: str = "") -> list[str]:
        full = f"{self._prefix}/{prefix}" if self._prefix else prefix
        keys: list[str] = []
        query = {"list-type": "2", "prefix": full, "max-keys": str(self.page_size)}
        while True:
            status, _, body = self._request("GET", None, query)
            self._check(status, body, prefix, "list")
            fields = _fields(body)
            strip = len(self._prefix) + 1 if self._prefix else 0
            keys += [k[strip:] for k in fields.get("Key", [])]
            token = (fields.get("NextContinuationToken") or [""])[0]
            if (fields.get("IsTruncated") or [""])[0] != "true" or not token:
                return sorted(keys)
            query = {**query, "continuation-token": token}

    # -- writes: never from serving -----------------------------------------------------------
    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
        content_type: str = "application/octet-stream",
    ) -> str:
        raise AccessDeniedError(f"{self._where(key)}: this store is read-only (serving)")

    def delete(self, key: str) -> None:
        raise AccessDeniedError(f"{self._where(key)}: this store is read-only (serving)")


def _fields(body: bytes) -> dict[str, list[str]]:
    """Text of every element of an S3 XML answer by local tag name (namespace or not)."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise StoreError(f"S3 answered something that is not XML: {exc}") from exc
    found: dict[str, list[str]] = {}
    for element in root.iter():
        if element.text is not None:
            found.setdefault(element.tag.rpartition("}")[2], []).append(element.text)
    return found


def _error_code(body: bytes) -> str:
    if not body:
        return ""
    try:
        return (_fields(body).get("Code") or [""])[0]
    except StoreError:
        return ""


def _http_date(value: str) -> dt.datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value)
