"""A folder that mirrors the S3 layout, for development, tests and the CLI without AWS.

Why a folder and not a mock: the registry's guarantees (atomic publishes, compare-and-swap on the
champion pointer) must hold for a developer's runs too, across threads and processes. And the
caller's deadline (:mod:`cryptonic.store.deadline`) too: a call that finds it passed fails as on
S3, before touching the folder, so a request that runs out of time behaves the same on a laptop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from cryptonic.config import LOCAL_STORE_DIR
from cryptonic.errors import (
    AccessDeniedError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store.contract import (
    BINARY_CONTENT_TYPE,
    FolderListing,
    ObjectInfo,
    validate_key,
    validate_prefix,
)
from cryptonic.store.deadline import require_time
from cryptonic.store.objects import JsonObjects, check_conditions, md5_hex, strip_etag

__all__ = ["LocalStore"]

_LOCK_NAME = ".cryptonic.lock"
_TMP_PREFIX = ".tmp-"


class LocalStore(JsonObjects):
    """A folder that mirrors the S3 layout. Atomic writes; conditional writes under a file lock.

    Every write (and delete) holds an exclusive ``fcntl.flock`` on ``<root>/.cryptonic.lock``, so
    conditional writes are race-safe across threads and processes sharing the folder. Readers take
    no lock: a write lands with ``os.replace`` so a reader sees the old or the new bytes, never a
    partial file.
    """

    def __init__(self, root: str | os.PathLike[str] = LOCAL_STORE_DIR) -> None:
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

    def _start(self, action: str, key: str) -> None:
        """The deadline's check before any I/O (a local call takes no time worth shrinking)."""
        require_time(f"{action} {self._where(key)}")

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
        etag = md5_hex(path.read_bytes())
        with self._etags_lock:
            self._etags[key] = (stamp, etag)
        return etag

    # -- reads

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        self._start("read", key)
        try:
            return path.read_bytes()
        except IsADirectoryError as exc:
            raise NotFoundError(f"{self._where(key)} not found (it is a folder)") from exc
        except OSError as exc:
            raise self._os_error(exc, key, "read") from exc

    def get_with_etag(self, key: str) -> tuple[bytes, str]:
        data = self.get_bytes(key)
        return data, md5_hex(data)

    def head(self, key: str) -> ObjectInfo:
        path = self._path(key)
        self._start("head", key)
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
        path = self._path(key)
        self._start("head", key)
        return path.is_file()

    def _folder_of(self, prefix: str) -> Path:
        """The directory a listing of ``prefix`` starts from (the part up to its last ``/``)."""
        base_rel = validate_prefix(prefix).rpartition("/")[0]
        return self._root.joinpath(*base_rel.split("/")) if base_rel else self._root

    def list(self, prefix: str = "") -> list[str]:
        base = self._folder_of(prefix)
        self._start("list", prefix)
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

    def list_folder(self, prefix: str = "") -> FolderListing:
        base = self._folder_of(prefix)
        self._start("list", prefix)
        start, _, name_prefix = prefix.rpartition("/")
        start = f"{start}/" if start else ""
        folders: list[str] = []
        keys: list[str] = []
        try:
            with os.scandir(base) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.name.startswith(name_prefix):
                        continue  # temp files, the lock file, or not under the prefix
                    if entry.is_dir(follow_symlinks=False):
                        if _holds_objects(entry.path):
                            folders.append(f"{start}{entry.name}/")
                    elif entry.is_file():
                        keys.append(f"{start}{entry.name}")
        except (FileNotFoundError, NotADirectoryError):
            return FolderListing((), ())
        except OSError as exc:
            raise self._os_error(exc, prefix, "list") from exc
        return FolderListing(tuple(sorted(folders)), tuple(sorted(keys)))

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
        check_conditions(if_match, if_none_match)
        self._start("write", key)
        data = bytes(data)
        with self._locked(key):
            if if_none_match == "*" and path.exists():
                raise ConflictError(f"{self._where(key)} already exists (If-None-Match: *)")
            if if_match is not None:
                try:
                    current = self._etag_of(path, key)
                except FileNotFoundError as exc:
                    raise ConflictError(
                        f"{self._where(key)} no longer exists (If-Match: {strip_etag(if_match)})"
                    ) from exc
                except OSError as exc:
                    raise self._os_error(exc, key, "head") from exc
                if current != strip_etag(if_match):
                    raise ConflictError(
                        f"{self._where(key)} changed: its ETag is {current}, "
                        f"expected {strip_etag(if_match)} (If-Match)"
                    )
            try:
                _atomic_write(path, data)
            except OSError as exc:
                raise self._os_error(exc, key, "write") from exc
        return md5_hex(data)

    def delete(self, key: str) -> None:
        path = self._path(key)
        self._start("delete", key)
        with self._locked(key):
            try:
                path.unlink()
            except FileNotFoundError:
                return
            except IsADirectoryError as exc:
                raise NotFoundError(f"{self._where(key)} is a folder, not an object") from exc
            except OSError as exc:
                raise self._os_error(exc, key, "delete") from exc


def _holds_objects(folder: str) -> bool:
    """Whether a directory holds an object at any depth: S3 has no empty folders, so an empty
    directory (left by a delete, or holding only a temp file) is no folder here either."""
    for _, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if any(not name.startswith(".") for name in filenames):
            return True
    return False


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
