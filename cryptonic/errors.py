"""One exception family, so callers (CLI, API, Lambda handlers) can tell our errors from bugs.

Every error carries a stable machine-readable ``code`` that the HTTP API and the retrain summary
report next to the human message.
"""

from __future__ import annotations


class CryptonicError(Exception):
    """Base of every error this package raises on purpose."""

    code: str = "error"


class ConfigError(CryptonicError):
    """A setting or argument has a value we cannot use."""

    code = "bad_config"


class DataError(CryptonicError):
    """Price data is missing, malformed or too short for the model."""

    code = "bad_data"


class ModelError(CryptonicError):
    """A model cannot be built, loaded, trained or exported as asked."""

    code = "model_error"


class PredictionError(CryptonicError):
    """Inputs to a forecast are invalid (wrong length, not finite, not positive)."""

    code = "bad_input"


class StoreError(CryptonicError):
    """The artifact store failed; subclasses say how. Never a raw botocore traceback."""

    code = "store_error"


class NotFoundError(StoreError):
    """A key (or a whole version, ticker or champion) does not exist."""

    code = "not_found"


class BucketNotFoundError(StoreError):
    """The S3 bucket itself is missing: a misconfigured ``STORE_URI``, not a missing object.

    Deliberately not a :class:`NotFoundError`: code that reads "not found" as "nothing published
    yet" (no champion, no version) must not mistake a wrong bucket name for an empty store.
    """

    code = "bucket_not_found"


class AccessDeniedError(StoreError):
    """Credentials are missing or lack permission for the bucket/prefix."""

    code = "access_denied"


class StoreUnavailableError(StoreError):
    """The endpoint cannot be reached (network, DNS, timeout, 5xx)."""

    code = "store_unavailable"


class ConflictError(StoreError):
    """A conditional write lost: someone else changed the object first."""

    code = "conflict"


class IntegrityError(StoreError):
    """An artifact's bytes do not match the sha256 its manifest records."""

    code = "integrity_error"


class DamagedPointerError(IntegrityError):
    """A pointer that cannot be read, with the ETag of the damaged object: a repair writes on
    that ETag, so it never replaces a pointer someone repaired meanwhile."""

    def __init__(self, message: str, etag: str) -> None:
        super().__init__(message)
        self.etag = etag


class NoModelError(NotFoundError):
    """A ticker has no champion yet: nothing has been trained and promoted."""

    code = "no_model"


class DispatchFailedError(CryptonicError):
    """A dispatch could not send every job, or the ticker list was unusable (after sending)."""

    code = "dispatch_failed"


class RetrainFailedError(CryptonicError):
    """At least one ticker of a retrain run failed (the others ran and are published)."""

    code = "retrain_failed"


class StaleDataError(DataError):
    """The latest close is missing for longer than ``REFRESH_MAX_MISSED_DAYS`` trading days."""

    code = "stale_data"


class RefreshFailedError(CryptonicError):
    """At least one ticker of a refresh run failed (the others ran and are logged)."""

    code = "refresh_failed"
