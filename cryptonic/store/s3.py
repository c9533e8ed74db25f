"""The read-write S3 store, through botocore: what training, the CLI and retrain use.

The endpoint comes from botocore's own resolution, which honours ``AWS_ENDPOINT_URL_S3`` and
``AWS_ENDPOINT_URL``; with such an override we use path-style addressing, which MinIO,
LocalStack and moto expect. Credentials and region come from the standard chain. Timeouts,
attempts and the deadline come from a :class:`~cryptonic.store.budget.Budget`.

The caller's deadline (:mod:`cryptonic.store.deadline`) shrinks each call as well. botocore fixes
its timeouts when a client is built, so each is shrunk its own way:

* the read timeout per request, through the ``read_timeout`` botocore reads from a request's
  context (boto/botocore#3770; the pinned botocore has it):
  :class:`~cryptonic.store.s3_retries.BudgetRetries` sets it to what is left before each
  attempt, and starts no attempt that the deadline leaves no time for;
* the connect timeout per client: a call with less time left than the budget's connect timeout
  goes through a client built with a shorter one, from a ladder of halvings
  (:meth:`~cryptonic.store.budget.Budget.connect_tier`), built when first needed on the store's
  botocore session (a few ms each: the service model is loaded once). Only the end of a deadline
  needs them, so a store rarely holds more than its first client.

A call that finds no time left raises :class:`~cryptonic.errors.StoreUnavailableError` before
sending anything. An attempt waits at most what was left when it started to connect and as much
again to read (the read timeout is set before the connection is made).

``botocore`` is imported only when an :class:`S3Store` builds its client: local users and the
serving cold start (which reads with :mod:`cryptonic.store.s3_reader`) do not pay for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from typing import Any, Literal

from cryptonic.errors import (
    AccessDeniedError,
    ConfigError,
    ConflictError,
    CryptonicError,
    NotFoundError,
    StoreError,
)
from cryptonic.store.budget import BATCH, Budget
from cryptonic.store.contract import BINARY_CONTENT_TYPE, FolderListing, ObjectInfo
from cryptonic.store.deadline import require_time
from cryptonic.store.endpoints import endpoint_override
from cryptonic.store.objects import check_conditions, md5_hex, strip_etag
from cryptonic.store.s3_errors import Call, S3Failure, store_error, unreachable
from cryptonic.store.s3_objects import S3Objects
from cryptonic.store.s3_retries import BudgetRetries

__all__ = ["S3Store", "failure_of", "make_s3_client", "map_botocore_error"]

log = logging.getLogger("cryptonic.store")


class S3Store(S3Objects):
    """Objects under ``s3://bucket/prefix``, read and written through botocore.

    Conditional writes survive retries: when botocore resends a conditional PUT (its first
    answer lost, or S3's retryable ``409 ConditionalRequestConflict``) and the retry fails its
    condition, the store re-reads the object before it reports a conflict; if it holds exactly
    the bytes of this call, the write happened and its ETag is returned.
    """

    def __init__(self, bucket: str, prefix: str = "", *, budget: Budget = BATCH) -> None:
        super().__init__(bucket, prefix)
        self._budget = budget
        self._session = _botocore_session()
        self._client = make_s3_client(budget, session=self._session)
        self._clients: dict[float, Any] = {budget.connect_s: self._client}
        self._clients_lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The client on the budget's own timeouts (the one used outside a short deadline)."""
        return self._client

    @property
    def budget(self) -> Budget:
        return self._budget

    @property
    def region(self) -> str:
        return str(getattr(getattr(self._client, "meta", None), "region_name", None) or "")

    def _endpoint(self) -> str:
        url = getattr(getattr(self._client, "meta", None), "endpoint_url", None)
        return str(endpoint_override() or url or "the AWS endpoint")

    def _failed(self, exc: Exception, action: str, where: str) -> CryptonicError:
        call = Call(action, where, self._bucket, self.region)
        return map_botocore_error(exc, call, endpoint=self._endpoint())

    def _client_now(self, action: str, where: str) -> Any:
        """The client for a call starting now: one whose connect timeout fits the caller's
        deadline; StoreUnavailableError, and nothing sent, when the deadline has passed."""
        tier = self._budget.connect_tier(require_time(f"{action} {where}"))
        client = self._clients.get(tier)
        if client is None:
            with self._clients_lock:
                client = self._clients.get(tier)
                if client is None:
                    shorter = dataclasses.replace(self._budget, connect_s=tier)
                    client = make_s3_client(shorter, session=self._session)
                    self._clients[tier] = client
        return client

    # -- reads

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        full, where = self._full(key), self._where(key)
        client = self._client_now("read", where)
        try:
            response = client.get_object(Bucket=self._bucket, Key=full)
            body = response["Body"]
            try:
                data: bytes = body.read()
            finally:
                body.close()
        except Exception as exc:
            raise self._failed(exc, "read", where) from exc
        return data, strip_etag(str(response.get("ETag", "")))

    def get_bytes(self, key: str) -> bytes:
        return self.get_with_etag(key)[0]

    def _head(self, key: str) -> ObjectInfo:
        full, where = self._full(key), self._where(key)
        client = self._client_now("head", where)
        try:
            response = client.head_object(Bucket=self._bucket, Key=full)
        except Exception as exc:
            raise self._failed(exc, "head", where) from exc
        return ObjectInfo(
            key=key,
            etag=strip_etag(str(response.get("ETag", ""))),
            size=int(response.get("ContentLength", 0)),
            last_modified=response.get("LastModified") or dt.datetime.now(dt.UTC),
        )

    def _bucket_missing(self) -> bool:
        try:
            self._client_now("head", self.uri).head_bucket(Bucket=self._bucket)
        except Exception as exc:
            return isinstance(self._failed(exc, "head", self.uri), NotFoundError)
        return False

    def _pages(self, prefix: str, delimiter: str | None = None) -> Iterator[dict[str, Any]]:
        """ListObjectsV2 pages of a listing, each a call of its own (its own deadline check)."""
        where = self._list_where(prefix)
        params: dict[str, Any] = {
            "Bucket": self._bucket,
            "Prefix": self._list_prefix(prefix),
            "MaxKeys": self.page_size,
        }
        if delimiter is not None:
            params["Delimiter"] = delimiter
        while True:
            client = self._client_now("list", where)
            try:
                page: dict[str, Any] = client.list_objects_v2(**params)
            except Exception as exc:
                raise self._failed(exc, "list", where) from exc
            yield page
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return
            params["ContinuationToken"] = token

    def list(self, prefix: str = "") -> list[str]:
        keys = [
            str(item["Key"]) for page in self._pages(prefix) for item in page.get("Contents", ())
        ]
        return self._relative(keys)

    def list_folder(self, prefix: str = "") -> FolderListing:
        keys: list[str] = []
        folders: list[str] = []
        for page in self._pages(prefix, "/"):
            keys.extend(str(item["Key"]) for item in page.get("Contents", ()))
            folders.extend(str(item["Prefix"]) for item in page.get("CommonPrefixes", ()))
        return self._folder_listing(keys, folders)

    # -- writes

    def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        if_match: str | None = None,
        if_none_match: Literal["*"] | None = None,
        content_type: str = BINARY_CONTENT_TYPE,
    ) -> str:
        full = self._full(key)
        check_conditions(if_match, if_none_match)
        data = bytes(data)
        kwargs: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": full,
            "Body": data,
            "ContentType": content_type,
        }
        if if_match is not None:
            kwargs["IfMatch"] = f'"{strip_etag(if_match)}"'
        if if_none_match is not None:
            kwargs["IfNoneMatch"] = if_none_match
        client = self._client_now("write", self._where(key))
        try:
            response = client.put_object(**kwargs)
        except Exception as exc:
            mapped = self._failed(exc, "write", self._where(key))
            if isinstance(mapped, ConflictError):
                if _retried(exc) and (etag := self._written_by_this_call(key, data)) is not None:
                    log.info(
                        "%s: a retried conditional write found its own bytes", self._where(key)
                    )
                    return etag
                condition = (
                    "If-None-Match: *"
                    if if_none_match
                    else f"If-Match: {strip_etag(if_match or '')}"
                )
                what = "already exists" if if_none_match else "changed"
                raise ConflictError(f"{self._where(key)} {what} ({condition})") from exc
            if if_match is not None and isinstance(mapped, NotFoundError):
                # S3 answers If-Match on a missing key with 404 NoSuchKey: the object we expected
                # is gone, which for the caller is a lost race.
                raise ConflictError(
                    f"{self._where(key)} no longer exists (If-Match: {strip_etag(if_match)})"
                ) from exc
            raise mapped from exc
        etag = response.get("ETag")
        return strip_etag(str(etag)) if etag else md5_hex(data)

    def _written_by_this_call(self, key: str, data: bytes) -> str | None:
        """The ETag of ``key`` if it holds exactly ``data``, else ``None``.

        Asked only when botocore retried a conditional PUT and the retry lost: the first attempt
        may have written ``data`` and lost its answer, and the retry then fails its condition on
        our own write. Equal bytes mean the write happened; anything else is a real conflict.
        """
        try:
            info = self._head(key)
            if info.etag == md5_hex(data):
                return info.etag
            if info.size != len(data):
                return None
            stored, etag = self.get_with_etag(key)  # an ETag that is no md5 (SSE-KMS)
        except NotFoundError:
            return None
        return etag if stored == data else None

    def delete(self, key: str) -> None:
        full, where = self._full(key), self._where(key)
        client = self._client_now("delete", where)
        try:
            client.delete_object(Bucket=self._bucket, Key=full)
        except Exception as exc:
            raise self._failed(exc, "delete", where) from exc


def _botocore_session() -> Any:
    """A botocore session (imported here and only here): boto3's is a thin layer over it that
    costs ~45 ms of imports on the serving cold start and adds nothing we use; the credential
    chain and ``AWS_ENDPOINT_URL_S3`` are botocore's own."""
    try:
        import botocore.session
    except ImportError as exc:  # pragma: no cover - botocore is a dependency of the S3 store
        raise ConfigError("an s3:// store needs botocore: pip install botocore") from exc
    return botocore.session.get_session()


def make_s3_client(budget: Budget = BATCH, *, session: Any = None) -> Any:
    """An S3 client on ``budget``, from ``session`` (default: a new botocore session).

    Clients of one session share its loaded service model, so a second one costs a few ms.
    """
    session = session if session is not None else _botocore_session()
    from botocore.config import Config

    options: dict[str, Any] = {
        "connect_timeout": budget.connect_s,
        "read_timeout": budget.read_s,
        # botocore's own retries off: BudgetRetries decides, by the table both clients share
        "retries": {"total_max_attempts": 1, "mode": "standard"},
    }
    if endpoint_override():
        options["s3"] = {"addressing_style": "path"}
    try:
        client = session.create_client("s3", config=Config(**options))
    except Exception as exc:
        # e.g. an invalid AWS_ENDPOINT_URL_S3 or region
        raise ConfigError(f"cannot create an S3 client: {exc}") from exc
    BudgetRetries(budget).register(client.meta.events)
    return client


def _retried(exc: BaseException) -> bool:
    """Whether botocore sent the request more than once before this error answer."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    return int(response.get("ResponseMetadata", {}).get("RetryAttempts") or 0) > 0


def failure_of(exc: Any) -> S3Failure:
    """A botocore ``ClientError`` as the table reads it."""
    error = exc.response.get("Error", {})
    meta = exc.response.get("ResponseMetadata", {})
    return S3Failure.of(
        int(meta.get("HTTPStatusCode") or 0),
        str(error.get("Code", "")),
        str(error.get("Message", "")),
        headers=meta.get("HTTPHeaders"),
        region=error.get("Region"),
    )


def map_botocore_error(exc: BaseException, call: Call, *, endpoint: str) -> CryptonicError:
    """Translate a botocore exception into our StoreError family (the caller chains ``from``)."""
    if isinstance(exc, CryptonicError):
        return exc
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        return store_error(failure_of(exc), call)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AccessDeniedError(
            f"{call.action} {call.where}: no AWS credentials found (set AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an IAM role)"
        )
    if isinstance(exc, bx.CredentialRetrievalError | bx.TokenRetrievalError):
        return AccessDeniedError(f"{call.action} {call.where}: cannot load AWS credentials ({exc})")
    if isinstance(
        exc,
        bx.EndpointConnectionError
        | bx.ConnectTimeoutError
        | bx.ReadTimeoutError
        | bx.ConnectionClosedError
        | bx.SSLError
        | bx.HTTPClientError,
    ):
        return unreachable(call, endpoint, exc)
    if isinstance(exc, bx.ParamValidationError):
        return ConfigError(f"{call.action} {call.where}: invalid S3 request ({exc})")
    if isinstance(exc, bx.BotoCoreError):
        return StoreError(f"{call.action} {call.where} failed ({type(exc).__name__}: {exc})")
    if isinstance(exc, OSError):
        return unreachable(call, endpoint, exc)
    raise exc  # a bug, not a store failure: let it surface as is
