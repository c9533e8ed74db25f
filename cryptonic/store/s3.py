"""The read-write S3 store, through botocore: what training, the CLI and retrain use.

``botocore`` is imported only when an :class:`S3Store` builds its client: local users and the
serving cold start (which reads with :mod:`cryptonic.store.s3_reader`) do not pay for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, NoReturn

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConfigError,
    ConflictError,
    CryptonicError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store import BINARY_CONTENT_TYPE, ObjectInfo, endpoint_override, validate_prefix
from cryptonic.store.objects import check_conditions, md5_hex, strip_etag
from cryptonic.store.s3_objects import S3Objects

__all__ = ["S3Store"]

# S3 client behaviour: fail in seconds when the endpoint is unreachable.
S3_CONNECT_TIMEOUT_S = 2.0
S3_READ_TIMEOUT_S = 15.0
S3_MAX_ATTEMPTS = 2


class S3Store(S3Objects):
    """Objects under ``s3://bucket/prefix``.

    The endpoint comes from botocore's own resolution, which honours ``AWS_ENDPOINT_URL_S3`` and
    ``AWS_ENDPOINT_URL`` (botocore >= 1.31); when such an override is set we use path-style
    addressing, which MinIO, LocalStack and moto all expect. Credentials and region come from the
    standard chain. Connect timeout and retries are short so an unreachable endpoint fails in
    seconds with :class:`StoreUnavailableError`.
    """

    def __init__(self, bucket: str, prefix: str = "", *, client: Any = None) -> None:
        super().__init__(bucket, prefix)
        self._client = client if client is not None else _make_s3_client()

    @property
    def client(self) -> Any:
        return self._client

    def _call(self, action: str, key: str, fn: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except Exception as exc:
            self._raise(exc, action, key)

    def _raise(self, exc: Exception, action: str, key: str) -> NoReturn:
        raise _map_s3_error(
            exc, action=action, where=self._where(key), bucket=self._bucket
        ) from exc

    # -- reads

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        full = self._full(key)
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=full)
            body = response["Body"]
            try:
                data: bytes = body.read()
            finally:
                body.close()
        except Exception as exc:
            self._raise(exc, "read", key)
        return data, strip_etag(str(response.get("ETag", "")))

    def get_bytes(self, key: str) -> bytes:
        return self.get_with_etag(key)[0]

    def head(self, key: str) -> ObjectInfo:
        full = self._full(key)
        try:
            response = self._client.head_object(Bucket=self._bucket, Key=full)
        except Exception as exc:
            if _s3_status(exc) == 404:
                # HEAD has no error body: tell a missing bucket from a missing key.
                self._check_bucket()
            self._raise(exc, "head", key)
        return ObjectInfo(
            key=key,
            etag=strip_etag(str(response.get("ETag", ""))),
            size=int(response.get("ContentLength", 0)),
            last_modified=response.get("LastModified") or dt.datetime.now(dt.UTC),
        )

    def _check_bucket(self) -> None:
        try:
            self._client.head_bucket(Bucket=self._bucket)
        except Exception as exc:
            if _s3_status(exc) == 404:
                raise BucketNotFoundError(
                    f"S3 bucket {self._bucket!r} does not exist (store {self.uri})"
                ) from exc
            # anything else: let the caller report the original error

    def list(self, prefix: str = "") -> list[str]:
        prefix = validate_prefix(prefix)
        root = f"{self._prefix}/" if self._prefix else ""
        keys: list[str] = []
        try:
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self._bucket, Prefix=root + prefix):
                for item in page.get("Contents", ()):
                    full = str(item["Key"])
                    if full.startswith(root) and not full.endswith("/"):
                        keys.append(full[len(root) :])
        except Exception as exc:
            raise _map_s3_error(
                exc, action="list", where=f"s3://{self._bucket}/{root}{prefix}", bucket=self._bucket
            ) from exc
        return sorted(keys)

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
        kwargs: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": full,
            "Body": bytes(data),
            "ContentType": content_type,
        }
        if if_match is not None:
            kwargs["IfMatch"] = f'"{strip_etag(if_match)}"'
        if if_none_match is not None:
            kwargs["IfNoneMatch"] = if_none_match
        try:
            response = self._client.put_object(**kwargs)
        except Exception as exc:
            mapped = _map_s3_error(exc, action="write", where=self._where(key), bucket=self._bucket)
            if isinstance(mapped, ConflictError):
                condition = (
                    "If-None-Match: *"
                    if if_none_match
                    else f"If-Match: {strip_etag(if_match or '')}"
                )
                what = "already exists" if if_none_match else "changed"
                raise ConflictError(f"{self._where(key)} {what} ({condition})") from exc
            if if_match is not None and _s3_code(exc) in {"NoSuchKey", "404", "NotFound"}:
                # S3 answers If-Match on a missing key with 404 NoSuchKey: the object we expected
                # is gone, which for the caller is a lost race.
                raise ConflictError(
                    f"{self._where(key)} no longer exists (If-Match: {strip_etag(if_match)})"
                ) from exc
            raise mapped from exc
        etag = response.get("ETag")
        return strip_etag(str(etag)) if etag else md5_hex(bytes(data))

    def delete(self, key: str) -> None:
        self._call(
            "delete", key, self._client.delete_object, Bucket=self._bucket, Key=self._full(key)
        )


def _make_s3_client() -> Any:
    """An S3 client with short timeouts, straight from botocore (imported here and only here).

    boto3's session is a thin layer over botocore's that costs ~45 ms of imports on the serving
    cold start and adds nothing we use; the credential chain and ``AWS_ENDPOINT_URL_S3`` are
    botocore's own.
    """
    try:
        import botocore.session
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - botocore is a dependency of the S3 store
        raise ConfigError("an s3:// store needs botocore: pip install botocore") from exc
    options: dict[str, Any] = {
        "connect_timeout": S3_CONNECT_TIMEOUT_S,
        "read_timeout": S3_READ_TIMEOUT_S,
        "retries": {"total_max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
    }
    if endpoint_override():
        options["s3"] = {"addressing_style": "path"}
    try:
        return botocore.session.get_session().create_client("s3", config=Config(**options))
    except Exception as exc:
        # e.g. an invalid AWS_ENDPOINT_URL_S3 or region
        raise ConfigError(f"cannot create an S3 client: {exc}") from exc


_NOT_FOUND_CODES = {"NoSuchKey", "404", "NotFound", "NoSuchVersion"}
_DENIED_CODES = {
    "AccessDenied",
    "403",
    "Forbidden",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "InvalidToken",
    "TokenRefreshRequired",
    "AllAccessDisabled",
    "AccountProblem",
    "InvalidObjectState",
}
_CONFLICT_CODES = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}
_UNAVAILABLE_CODES = {
    "ServiceUnavailable",
    "SlowDown",
    "InternalError",
    "RequestTimeout",
    "503",
    "500",
    "Throttling",
    "ThrottlingException",
}


def _s3_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", ""))


def _s3_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return int(status) if status is not None else None


def _map_s3_error(exc: BaseException, *, action: str, where: str, bucket: str) -> CryptonicError:
    """Translate a botocore exception into our StoreError family (the caller chains ``from``)."""
    if isinstance(exc, CryptonicError):
        return exc
    from botocore import exceptions as bx

    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or code
        status = _s3_status(exc) or 0
        if code == "NoSuchBucket":
            return BucketNotFoundError(f"S3 bucket {bucket!r} does not exist ({action} {where})")
        if code in _CONFLICT_CODES or status in {409, 412}:
            return ConflictError(f"{action} {where}: conditional write lost ({code}: {message})")
        if code in _NOT_FOUND_CODES or status == 404:
            return NotFoundError(f"{where} not found")
        if code in _DENIED_CODES or status in {401, 403}:
            return AccessDeniedError(
                f"{action} {where}: access denied ({code}: {message}); check the AWS credentials "
                "and that they may read/write this bucket and prefix"
            )
        if code in _UNAVAILABLE_CODES or status >= 500 or status == 429:
            return StoreUnavailableError(f"{action} {where}: S3 unavailable ({code}: {message})")
        return StoreError(f"{action} {where} failed ({code}: {message})")
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AccessDeniedError(
            f"{action} {where}: no AWS credentials found (set AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, AWS_PROFILE or an IAM role)"
        )
    if isinstance(exc, bx.CredentialRetrievalError | bx.TokenRetrievalError):
        return AccessDeniedError(f"{action} {where}: cannot load AWS credentials ({exc})")
    if isinstance(
        exc,
        bx.EndpointConnectionError
        | bx.ConnectTimeoutError
        | bx.ReadTimeoutError
        | bx.ConnectionClosedError
        | bx.SSLError
        | bx.HTTPClientError,
    ):
        endpoint = endpoint_override() or "the AWS endpoint"
        return StoreUnavailableError(
            f"{action} {where}: cannot reach S3 at {endpoint} ({type(exc).__name__}: {exc})"
        )
    if isinstance(exc, bx.ParamValidationError):
        return ConfigError(f"{action} {where}: invalid S3 request ({exc})")
    if isinstance(exc, bx.BotoCoreError):
        return StoreError(f"{action} {where} failed ({type(exc).__name__}: {exc})")
    if isinstance(exc, OSError):
        return StoreUnavailableError(f"{action} {where}: {exc}")
    raise exc  # a bug, not a store failure: let it surface as is
