"""A read-only S3 store on the standard library: SigV4-signed GET, HEAD and ListObjectsV2.

Why it exists: serving only ever *reads* the model bucket, and botocore costs the serving cold
start ~0.12 s (imports plus building a client from its service model), a third of the whole
budget. This client needs ``http.client``, ``hmac`` and ``xml.etree`` and keeps a few connections
alive (:mod:`~cryptonic.store.s3_connections`: requests from several threads run in parallel).

It must be indistinguishable from the botocore :class:`~cryptonic.store.s3.S3Store` for what it
does: the same keys (:class:`~cryptonic.store.s3_objects.S3Objects`), the same exceptions and
messages and the same retries (:mod:`~cryptonic.store.s3_errors`), the same time budget
(:mod:`~cryptonic.store.budget`), signatures equal to botocore's (:mod:`~cryptonic.store.sigv4`).
Within the caller's deadline (:mod:`~cryptonic.store.deadline`) too: each wait (for a free
connection, to connect, for each read) takes at most what is left, no retry starts that the
deadline leaves no time for, and a call that finds none left fails before sending anything.
One deliberate difference: botocore silently follows a bucket's region redirect (two requests
per call); this client names the bucket's region in its error instead.

It is used only where it is safe to be simple: credentials and region from the environment (the
Lambda runtime always sets ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN`` and ``AWS_REGION``) and an endpoint it can sign for
(:mod:`~cryptonic.store.endpoints`). Anything else goes to botocore. Writes are refused: the
serving role cannot write anyway.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Literal
from xml.etree import ElementTree

from cryptonic.errors import AccessDeniedError, ConfigError, StoreError
from cryptonic.store.budget import SERVING, Budget
from cryptonic.store.contract import BINARY_CONTENT_TYPE, FolderListing, ObjectInfo
from cryptonic.store.deadline import remaining, require_time
from cryptonic.store.endpoints import ReaderEndpoint, endpoint_override, reader_endpoint
from cryptonic.store.objects import strip_etag
from cryptonic.store.s3_connections import MAX_CONNECTIONS, ConnectionPool
from cryptonic.store.s3_errors import Call, S3Failure, rule_for, store_error, unreachable
from cryptonic.store.s3_objects import S3Objects
from cryptonic.store.sigv4 import (
    Credentials,
    canonical_query,
    env_credentials,
    sign,
    uri_encode_key,
)

__all__ = ["S3ReadOnlyStore"]

_STALE = (ConnectionResetError, BrokenPipeError, http.client.BadStatusLine)
"""How a kept-alive connection that the server closed while idle fails on its next request."""


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class _Page:
    """One ListObjectsV2 page: keys, common prefixes (URL-decoded) and the next page's token."""

    keys: list[str]
    folders: list[str]
    token: str | None


class S3ReadOnlyStore(S3Objects):
    """The read half of :class:`~cryptonic.store.s3.S3Store`: same keys, ETags and errors."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        *,
        credentials: Credentials,
        region: str,
        endpoint: str | None = None,
        budget: Budget = SERVING,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(bucket, prefix)
        target = reader_endpoint(bucket, region, endpoint)
        if target is None:
            raise ConfigError(
                f"the stdlib S3 reader cannot sign for {self.uri} in {region}"
                + (f" at {endpoint}" if endpoint else "")
                + ": open it with S3Store (botocore)"
            )
        self._credentials, self._region, self._budget = credentials, region, budget
        self._target: ReaderEndpoint = target
        self._pool = ConnectionPool(target, max_connections)

    @classmethod
    def from_environment(
        cls, bucket: str, prefix: str = "", env: Mapping[str, str] | None = None
    ) -> S3ReadOnlyStore | None:
        """The reader for ``bucket`` as the environment configures S3, or ``None`` when only
        botocore can serve it (no credentials or region in the environment, another partition,
        FIPS or dual-stack, a bucket name that is no host name)."""
        values = os.environ if env is None else env
        found = env_credentials(values)
        if found is None:
            return None
        credentials, region = found
        override = endpoint_override(values)
        if reader_endpoint(bucket, region, override, values) is None:
            return None
        return cls(bucket, prefix, credentials=credentials, region=region, endpoint=override)

    @property
    def region(self) -> str:
        return self._region

    @property
    def budget(self) -> Budget:
        return self._budget

    @property
    def endpoint(self) -> ReaderEndpoint:
        return self._target

    # -- HTTP ----------------------------------------------------------------------------------

    def _path(self, full_key: str | None) -> str:
        if full_key:
            return f"{self._target.base_path}/{uri_encode_key(full_key)}"
        return self._target.base_path or "/"

    def _timeouts(self, started: float) -> tuple[float, float]:
        """``(connect, read)`` timeouts of a wait starting now, in a call ``started`` then: the
        budget's, shrunk to its deadline and to what the caller's deadline leaves."""
        return self._budget.timeouts(time.monotonic() - started, remaining())

    def _exchange(
        self, method: str, path: str, query: Mapping[str, str], started: float
    ) -> _Answer:
        """One attempt on a connection of its own; a kept-alive connection found dead is
        replaced once, not counted. Each wait (a free connection, the connect with its TLS
        handshake, each read) takes at most what :meth:`_timeouts` allows when it starts."""
        target = path + ("?" + canonical_query(query) if query else "")
        with self._pool.slot(self._timeouts(started)[0]):
            for fresh in (False, True):
                conn, reused = self._pool.take(fresh=fresh)
                try:
                    if not reused:
                        conn.timeout = self._timeouts(started)[0]
                        conn.connect()
                    conn.sock.settimeout(self._timeouts(started)[1])
                    headers = sign(
                        method,
                        self._target.host,
                        path,
                        query,
                        self._credentials,
                        self._region,
                        dt.datetime.now(dt.UTC),
                    )
                    conn.request(method, target, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    if reused and isinstance(exc, _STALE):
                        continue
                    raise
                if response.will_close:
                    conn.close()
                else:
                    self._pool.give_back(conn)
                return _Answer(response.status, dict(response.getheaders()), body)
        raise AssertionError("unreachable")

    def _may_retry(self, attempt: int, started: float, delay: float) -> bool:
        return self._budget.may_retry(attempt, time.monotonic() - started, delay, remaining())

    def _request(
        self, method: str, full_key: str | None, call: Call, query: Mapping[str, str] | None = None
    ) -> _Answer:
        """The final answer after the retries the table, the budget and the caller's deadline
        allow (may be an error answer: the caller raises it); no answer at all raises
        StoreUnavailableError, as does a deadline already passed (before anything is sent)."""
        path, params = self._path(full_key), dict(query or {})
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            require_time(f"{call.action} {call.where}")
            try:
                answer = self._exchange(method, path, params, started)
            except (OSError, http.client.HTTPException) as exc:
                delay = self._budget.backoff(attempt, throttled=False)
                if not self._may_retry(attempt, started, delay):
                    raise unreachable(call, self._target.url, exc) from exc
            else:
                if answer.status < 300:
                    return answer
                rule = rule_for(_failure(answer))
                delay = self._budget.backoff(attempt, throttled=rule.throttled)
                if not rule.retry or not self._may_retry(attempt, started, delay):
                    return answer
            time.sleep(delay)

    def _answer(
        self, method: str, full_key: str | None, call: Call, query: Mapping[str, str] | None = None
    ) -> _Answer:
        answer = self._request(method, full_key, call, query)
        if answer.status >= 300:
            raise store_error(_failure(answer), call)
        return answer

    def _call(self, action: str, where: str) -> Call:
        return Call(action, where, self._bucket, self._region)

    # -- reads ---------------------------------------------------------------------------------

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        full = self._full(key)
        answer = self._answer("GET", full, self._call("read", self._where(key)))
        return answer.body, _etag(answer.headers)

    def get_bytes(self, key: str) -> bytes:
        return self.get_with_etag(key)[0]

    def _head(self, key: str) -> ObjectInfo:
        full = self._full(key)
        answer = self._answer("HEAD", full, self._call("head", self._where(key)))
        modified = _header(answer.headers, "Last-Modified")
        return ObjectInfo(
            key=key,
            etag=_etag(answer.headers),
            size=int(_header(answer.headers, "Content-Length") or 0),
            last_modified=parsedate_to_datetime(modified) if modified else dt.datetime.now(dt.UTC),
        )

    def _bucket_missing(self) -> bool:
        try:
            answer = self._request("HEAD", None, self._call("head", self.uri))
        except StoreError:
            return False
        return answer.status == 404

    def _pages(self, prefix: str, delimiter: str | None = None) -> Iterator[_Page]:
        """ListObjectsV2 pages of a listing, each a call of its own (its own deadline check)."""
        call = self._call("list", self._list_where(prefix))
        query = {
            "list-type": "2",
            "prefix": self._list_prefix(prefix),
            "max-keys": str(self.page_size),
            "encoding-type": "url",
        }
        if delimiter is not None:
            query["delimiter"] = delimiter
        while True:
            page = _listing(self._answer("GET", None, call, query).body, call)
            yield page
            if page.token is None:
                return
            query = {**query, "continuation-token": page.token}

    def list(self, prefix: str = "") -> list[str]:
        return self._relative(key for page in self._pages(prefix) for key in page.keys)

    def list_folder(self, prefix: str = "") -> FolderListing:
        pages = list(self._pages(prefix, "/"))
        return self._folder_listing(
            (key for page in pages for key in page.keys),
            (folder for page in pages for folder in page.folders),
        )

    # -- writes: never from serving -----------------------------------------------------------

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
        content_type: str = BINARY_CONTENT_TYPE,
    ) -> str:
        raise AccessDeniedError(f"{self._where(key)}: this store is read-only (serving)")

    def delete(self, key: str) -> None:
        raise AccessDeniedError(f"{self._where(key)}: this store is read-only (serving)")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


def _etag(headers: Mapping[str, str]) -> str:
    return strip_etag(_header(headers, "ETag") or "")


def _failure(answer: _Answer) -> S3Failure:
    """The error answer as botocore's parser reads it: the body's ``<Error>`` if it has one,
    else the status and its reason phrase."""
    fields: dict[str, str] = {}
    if answer.body:
        try:
            root = ElementTree.fromstring(answer.body)
        except ElementTree.ParseError:
            root = None
        if root is not None:
            error = root if _local(root.tag) == "Error" else root.find(".//{*}Error")
            for child in error if error is not None else ():
                fields[_local(child.tag)] = child.text or ""
    return S3Failure.of(
        answer.status,
        fields.get("Code", ""),
        fields.get("Message", ""),
        headers=answer.headers,
        region=fields.get("Region"),
    )


def _listing(body: bytes, call: Call) -> _Page:
    """One ListObjectsV2 page: its keys and common prefixes (URL-decoded), the next token."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise StoreError(
            f"{call.action} {call.where}: S3 answered something that is not XML ({exc})"
        ) from exc
    keys: list[str] = []
    folders: list[str] = []
    truncated, token = False, None
    for element in root:
        name = _local(element.tag)
        if name in {"Contents", "CommonPrefixes"}:
            found = keys if name == "Contents" else folders
            wanted = "Key" if name == "Contents" else "Prefix"
            for child in element:
                if _local(child.tag) == wanted and child.text is not None:
                    found.append(urllib.parse.unquote_plus(child.text))
        elif name == "IsTruncated":
            truncated = (element.text or "").strip() == "true"
        elif name == "NextContinuationToken":
            token = element.text or None
    return _Page(keys, folders, token if truncated else None)
