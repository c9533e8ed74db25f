"""Artifact stores: one protocol, an S3 implementation and a local-folder one with the same meaning.

A store holds opaque objects under ``/``-separated keys relative to its root (the ``prefix`` of
``s3://bucket/prefix`` or the folder of ``file://path``). Semantics shared by both stores:

* ETags are the unquoted lower-case md5 hex of the bytes (S3's quotes are stripped). A multipart
  S3 upload would have a ``<md5>-<n>`` ETag; we never do multipart uploads.
* ``put_bytes(..., if_none_match="*")`` creates or fails with :class:`ConflictError`;
  ``put_bytes(..., if_match=etag)`` replaces only if the object still has that ETag (a missing
  object is a conflict too). Of two writers racing with the same condition exactly one wins.
* ``delete`` of a missing key is a no-op (as on S3).
* ``list(prefix)`` is a string-prefix match (as on S3), returns keys relative to the root, sorted.
* Failures are :class:`~cryptonic.errors.StoreError` subclasses, never raw botocore/OS errors.

``botocore`` is imported only when an :class:`S3Store` is built: local users and the import of this
module do not pay for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn, Protocol, runtime_checkable

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConfigError,
    ConflictError,
    CryptonicError,
    IntegrityError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DEFAULT_STORE_URI",
    "ArtifactStore",
    "BucketNotFoundError",
    "LocalStore",
    "ObjectInfo",
    "S3Store",
    "open_store",
    "validate_key",
]

DEFAULT_STORE_URI = "file://./.cryptonic"

JSON_CONTENT_TYPE = "application/json"
BINARY_CONTENT_TYPE = "application/octet-stream"

# S3 client behaviour: fail in seconds when the endpoint is unreachable.
S3_CONNECT_TIMEOUT_S = 2.0
S3_READ_TIMEOUT_S = 15.0
S3_MAX_ATTEMPTS = 2

_LOCK_NAME = ".cryptonic.lock"
_TMP_PREFIX = ".tmp-"
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


@dataclass(frozen=True)
class ObjectInfo:
    """What ``head`` tells about one object."""

    key: str
    etag: str
    size: int
    last_modified: dt.datetime


@runtime_checkable
class ArtifactStore(Protocol):
    """The operations the registry needs; :class:`S3Store` and :class:`LocalStore` implement it."""

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


# --------------------------------------------------------------------------------------------
# Helpers shared by both stores


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


def _validate_prefix(prefix: str) -> str:
    if prefix == "":
        return prefix
    if not isinstance(prefix, str) or "\\" in prefix or "\x00" in prefix or prefix.startswith("/"):
        raise ConfigError(f"invalid store prefix {prefix!r}: use a relative prefix")
    if any(part in {".", ".."} for part in prefix.split("/")):
        raise ConfigError(f"invalid store prefix {prefix!r}: '.' and '..' are not allowed")
    return prefix


def _check_conditions(if_match: str | None, if_none_match: str | None) -> None:
    if if_match is not None and if_none_match is not None:
        raise ConfigError("put: pass if_match or if_none_match, not both")
    if if_none_match is not None and if_none_match != "*":
        raise ConfigError(f"put: if_none_match must be '*', got {if_none_match!r}")
    if if_match is not None and not if_match.strip('"'):
        raise ConfigError("put: if_match must be a non-empty ETag")


def _md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _strip_etag(etag: str) -> str:
    return etag.strip().removeprefix("W/").strip('"')


def _dump_json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _load_json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IntegrityError(f"{where} is not valid JSON: {exc}") from exc


# --------------------------------------------------------------------------------------------
# Local folder


class _JsonObjects:
    """JSON on top of a store's bytes: one encoding (and one error for bad JSON) for both."""

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
        return _load_json(self.get_bytes(key), self._where(key))

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
            _dump_json(value),
            if_match=if_match,
            if_none_match=if_none_match,
            content_type=JSON_CONTENT_TYPE,
        )


class LocalStore(_JsonObjects):
    """A folder that mirrors the S3 layout. Atomic writes; conditional writes under a file lock.

    Every write (and delete) holds an exclusive ``fcntl.flock`` on ``<root>/.cryptonic.lock``, so
    conditional writes are race-safe across threads and processes sharing the folder. Readers take
    no lock: a write lands with ``os.replace`` so a reader sees the old or the new bytes, never a
    partial file.
    """

    def __init__(self, root: str | os.PathLike[str] = ".cryptonic") -> None:
        path = Path(root).expanduser()
        self._root = path if path.is_absolute() else Path.cwd() / path
        self._etags: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._etags_lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self._root

    @property
    def uri(self) -> str:
        return f"file://{self._root}"

    def __repr__(self) -> str:
        return f"LocalStore({str(self._root)!r})"

    # -- paths and errors

    def _path(self, key: str) -> Path:
        return self._root.joinpath(*validate_key(key).split("/"))

    def _where(self, key: str) -> str:
        return f"{self.uri}/{key}"

    def _os_error(self, exc: OSError, key: str, action: str) -> StoreError:
        where = self._where(key)
        if isinstance(exc, FileNotFoundError | NotADirectoryError):
            return NotFoundError(f"{where} not found")
        if isinstance(exc, PermissionError):
            return AccessDeniedError(f"{action} {where}: permission denied ({exc.strerror})")
        if exc.errno in {errno.ENOSPC, errno.EROFS, errno.EIO, errno.EDQUOT}:
            return StoreUnavailableError(f"{action} {where}: {exc.strerror}")
        return StoreError(f"{action} {where} failed: {exc}")

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            handle = open(self._root / _LOCK_NAME, "a+b")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise self._os_error(exc, key, "lock") from exc
        try:
            _flock(handle.fileno(), exclusive=True)
            try:
                yield
            finally:
                _flock(handle.fileno(), exclusive=False)
        finally:
            handle.close()

    def _etag_of(self, path: Path, key: str) -> str:
        st = path.stat()
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._etags_lock:
            cached = self._etags.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        etag = _md5_hex(path.read_bytes())
        with self._etags_lock:
            self._etags[key] = (stamp, etag)
        return etag

    # -- reads

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except IsADirectoryError as exc:
            raise NotFoundError(f"{self._where(key)} not found (it is a folder)") from exc
        except OSError as exc:
            raise self._os_error(exc, key, "read") from exc

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        data = self.get_bytes(key)
        return data, _md5_hex(data)

    def head(self, key: str) -> ObjectInfo:
        path = self._path(key)
        try:
            if path.is_dir():
                raise NotFoundError(f"{self._where(key)} not found (it is a folder)")
            st = path.stat()
            etag = self._etag_of(path, key)
        except OSError as exc:
            raise self._os_error(exc, key, "head") from exc
        return ObjectInfo(
            key=key,
            etag=etag,
            size=st.st_size,
            last_modified=dt.datetime.fromtimestamp(st.st_mtime, tz=dt.UTC),
        )

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        prefix = _validate_prefix(prefix)
        base_rel = prefix.rpartition("/")[0]
        base = self._root.joinpath(*base_rel.split("/")) if base_rel else self._root
        if not base.is_dir():
            return []
        keys: list[str] = []
        try:
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                rel_dir = Path(dirpath).relative_to(self._root).as_posix()
                for name in filenames:
                    if name.startswith("."):
                        continue  # temp files, the lock file
                    key = name if rel_dir == "." else f"{rel_dir}/{name}"
                    if key.startswith(prefix):
                        keys.append(key)
        except OSError as exc:
            raise self._os_error(exc, prefix, "list") from exc
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
        del content_type  # a folder has no content types
        path = self._path(key)
        _check_conditions(if_match, if_none_match)
        data = bytes(data)
        with self._locked(key):
            if if_none_match == "*" and path.exists():
                raise ConflictError(f"{self._where(key)} already exists (If-None-Match: *)")
            if if_match is not None:
                try:
                    current = self._etag_of(path, key)
                except FileNotFoundError as exc:
                    raise ConflictError(
                        f"{self._where(key)} no longer exists (If-Match: {_strip_etag(if_match)})"
                    ) from exc
                except OSError as exc:
                    raise self._os_error(exc, key, "head") from exc
                if current != _strip_etag(if_match):
                    raise ConflictError(
                        f"{self._where(key)} changed: its ETag is {current}, "
                        f"expected {_strip_etag(if_match)} (If-Match)"
                    )
            try:
                _atomic_write(path, data)
            except OSError as exc:
                raise self._os_error(exc, key, "write") from exc
        return _md5_hex(data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        with self._locked(key):
            try:
                path.unlink()
            except FileNotFoundError:
                return
            except IsADirectoryError as exc:
                raise NotFoundError(f"{self._where(key)} is a folder, not an object") from exc
            except OSError as exc:
                raise self._os_error(exc, key, "delete") from exc


def _flock(fd: int, *, exclusive: bool) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: only threads of this process are serialized
        if exclusive:
            _FALLBACK_LOCK.acquire()
        else:
            _FALLBACK_LOCK.release()
        return
    fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_UN)


_FALLBACK_LOCK = threading.Lock()


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, ``os.replace``, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # not every platform lets us open a directory
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# --------------------------------------------------------------------------------------------
# S3


class S3Objects(_JsonObjects):
    """What every S3 store shares: the bucket and prefix, key addressing, existence checks."""

    def __init__(self, bucket: str, prefix: str = "") -> None:
        if not _BUCKET_RE.match(bucket) or ".." in bucket:
            raise ConfigError(
                f"invalid S3 bucket name {bucket!r}: 3-63 lower-case letters, digits, '.' or '-'"
            )
        prefix = prefix.strip("/")
        if prefix:
            _validate_prefix(prefix)
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
        return data, _strip_etag(str(response.get("ETag", "")))

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
            etag=_strip_etag(str(response.get("ETag", ""))),
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
        prefix = _validate_prefix(prefix)
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
        _check_conditions(if_match, if_none_match)
        kwargs: dict[str, Any] = {
            "Bucket": self._bucket,
            "Key": full,
            "Body": bytes(data),
            "ContentType": content_type,
        }
        if if_match is not None:
            kwargs["IfMatch"] = f'"{_strip_etag(if_match)}"'
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
                    else f"If-Match: {_strip_etag(if_match or '')}"
                )
                what = "already exists" if if_none_match else "changed"
                raise ConflictError(f"{self._where(key)} {what} ({condition})") from exc
            if if_match is not None and _s3_code(exc) in {"NoSuchKey", "404", "NotFound"}:
                # S3 answers If-Match on a missing key with 404 NoSuchKey: the object we expected
                # is gone, which for the caller is a lost race.
                raise ConflictError(
                    f"{self._where(key)} no longer exists (If-Match: {_strip_etag(if_match)})"
                ) from exc
            raise mapped from exc
        etag = response.get("ETag")
        return _strip_etag(str(etag)) if etag else _md5_hex(bytes(data))

    def delete(self, key: str) -> None:
        self._call(
            "delete", key, self._client.delete_object, Bucket=self._bucket, Key=self._full(key)
        )


def _endpoint_override() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


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
    if _endpoint_override():
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
        endpoint = _endpoint_override() or "the AWS endpoint"
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


# --------------------------------------------------------------------------------------------
# Factory


def open_store(uri: str | None = None, *, read_only: bool = False) -> ArtifactStore:
    """Open ``s3://bucket[/prefix]`` or ``file://path`` (relative paths allowed).

    ``None`` or an empty string opens the default ``file://./.cryptonic``. ``read_only`` (the
    serving path) opens S3 with the light SigV4 reader of :mod:`cryptonic.s3_reader` when the
    environment holds credentials and a region, as it always does in Lambda.
    """
    uri = (uri or DEFAULT_STORE_URI).strip()
    scheme, sep, rest = uri.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "file":
        if not rest:
            raise ConfigError(
                f"store URI {uri!r} has no path: use file://./.cryptonic or file:///abs"
            )
        return LocalStore(rest)
    if sep and scheme == "s3":
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise ConfigError(f"store URI {uri!r} has no bucket: use s3://bucket/prefix")
        if read_only:
            from cryptonic.s3_reader import S3ReadOnlyStore, env_credentials

            found = env_credentials()
            if found is not None and S3ReadOnlyStore.usable(bucket):
                credentials, region = found
                return S3ReadOnlyStore(
                    bucket,
                    prefix,
                    credentials=credentials,
                    region=region,
                    endpoint=_endpoint_override(),
                )
        return S3Store(bucket, prefix)
    raise ConfigError(
        f"unsupported store URI {uri!r}: use s3://bucket/prefix or file://path "
        "(e.g. file://./.cryptonic)"
    )
