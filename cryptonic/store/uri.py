"""Open a store from its URI: ``s3://bucket[/prefix]`` or ``file://path``.

The clients live in their own modules and are imported here on first use, so a local user never
loads botocore and the serving cold start loads only the reader it needs:

* :mod:`cryptonic.store.local` - :class:`LocalStore`, a folder;
* :mod:`cryptonic.store.s3` - :class:`S3Store`, read and write through botocore, retrying as
  :mod:`~cryptonic.store.s3_retries` decides;
* :mod:`cryptonic.store.s3_reader` - :class:`S3ReadOnlyStore`, the serving cold start's
  stdlib reader, signing with :mod:`~cryptonic.store.sigv4` for the endpoints
  :mod:`~cryptonic.store.endpoints` allows, over a bounded pool of kept-alive connections
  (:mod:`~cryptonic.store.s3_connections`);
* shared by both S3 clients: :mod:`~cryptonic.store.s3_objects` (addressing, listings, HEAD),
  :mod:`~cryptonic.store.s3_errors` (the one table from S3's answers to our errors and retries)
  and :mod:`~cryptonic.store.budget` (timeouts, attempts, deadline), under the caller's deadline
  (:mod:`~cryptonic.store.deadline`), which every client honours, the local one included.
"""

from __future__ import annotations

from cryptonic.config import DEFAULT_STORE_URI
from cryptonic.errors import ConfigError
from cryptonic.store.contract import ArtifactStore

__all__ = ["open_store"]


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
