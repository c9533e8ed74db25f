"""One table from S3's answers to our errors and retry decisions, for both S3 clients.

Why one table: the botocore store and the stdlib reader used to map failures each in their own
way and drifted apart (an expired token was "access denied" in one and a generic error in the
other; 5xx was retried by one only). Both now describe a failed answer as an :class:`S3Failure`
and ask :func:`rule_for` which exception it becomes, with which message, and whether to retry.
"""

from __future__ import annotations

import http.client
from collections.abc import Mapping
from dataclasses import dataclass

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)

__all__ = [
    "RULES",
    "Call",
    "Rule",
    "S3Failure",
    "rule_for",
    "store_error",
    "unreachable",
]


@dataclass(frozen=True)
class Call:
    """The call that failed, in the words every message uses."""

    action: str
    """``read``, ``head``, ``list``, ``write`` or ``delete``."""
    where: str
    """``s3://bucket/key`` of the object, or of the listed prefix."""
    bucket: str
    region: str
    """The region the client signs for."""


@dataclass(frozen=True)
class S3Failure:
    """A non-2xx answer, as botocore's parser reads it (so both clients see the same fields).

    An answer without an error body (every HEAD) has the status as its code and the HTTP reason
    phrase as its message, exactly as botocore reports it.
    """

    status: int
    code: str
    message: str
    bucket_region: str | None = None

    @classmethod
    def of(
        cls,
        status: int,
        code: str = "",
        message: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        region: str | None = None,
    ) -> S3Failure:
        """Normalize what a client parsed; ``region`` is an error body's ``<Region>``."""
        code = code or str(status)
        message = message or http.client.responses.get(status, "") or code
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return cls(status, code, message, lowered.get("x-amz-bucket-region") or region or None)


@dataclass(frozen=True)
class Rule:
    """One row: which answers it covers, what they become, and whether to try again."""

    error: type[StoreError]
    template: str
    codes: frozenset[str] = frozenset()
    statuses: frozenset[int] = frozenset()
    retry: bool = False
    throttled: bool = False
    needs_region: bool = False
    """Only when S3 named the bucket's region (a code that also has other causes)."""

    def matches_code(self, failure: S3Failure) -> bool:
        return failure.code in self.codes and (bool(failure.bucket_region) or not self.needs_region)

    def matches_status(self, failure: S3Failure) -> bool:
        return failure.status in self.statuses


_DENIED = (
    "{action} {where}: access denied ({code}: {message}); check the AWS credentials and that "
    "they may read/write this bucket and prefix"
)
_UNAVAILABLE = "{action} {where}: S3 unavailable ({code}: {message})"
_CONFLICT = "{action} {where}: conditional write lost ({code}: {message})"
_REGION = "{action} {where}: S3 bucket {bucket!r} {region_hint}"

RULES: tuple[Rule, ...] = (
    Rule(
        BucketNotFoundError,
        "S3 bucket {bucket!r} does not exist ({action} {where})",
        codes=frozenset({"NoSuchBucket"}),
    ),
    Rule(
        StoreError,
        _REGION,
        codes=frozenset({"PermanentRedirect", "IllegalLocationConstraintException"}),
        statuses=frozenset({301}),
    ),
    Rule(
        StoreError,
        _REGION,
        codes=frozenset({"AuthorizationHeaderMalformed"}),
        needs_region=True,
    ),
    Rule(
        ConflictError,
        _CONFLICT,
        codes=frozenset({"PreconditionFailed"}),
        statuses=frozenset({412}),
    ),
    Rule(
        ConflictError,
        _CONFLICT,
        codes=frozenset({"ConditionalRequestConflict"}),
        statuses=frozenset({409}),
        retry=True,
    ),
    Rule(
        NotFoundError,
        "{where} not found",
        codes=frozenset({"NoSuchKey", "NotFound", "NoSuchVersion"}),
        statuses=frozenset({404}),
    ),
    Rule(
        AccessDeniedError,
        _DENIED,
        codes=frozenset(
            {
                "AccessDenied",
                "AllAccessDisabled",
                "AccountProblem",
                "ExpiredToken",
                "InvalidAccessKeyId",
                "InvalidObjectState",
                "InvalidToken",
                "SignatureDoesNotMatch",
                "TokenRefreshRequired",
            }
        ),
        statuses=frozenset({401, 403}),
    ),
    Rule(
        StoreUnavailableError,
        _UNAVAILABLE,
        codes=frozenset(
            {"SlowDown", "Throttling", "ThrottlingException", "RequestThrottled", "TooManyRequests"}
        ),
        statuses=frozenset({429}),
        retry=True,
        throttled=True,
    ),
    Rule(
        StoreUnavailableError,
        _UNAVAILABLE,
        codes=frozenset(
            {"InternalError", "ServiceUnavailable", "RequestTimeout", "RequestTimeoutException"}
        ),
        statuses=frozenset({500, 502, 503, 504}),
        retry=True,
    ),
    Rule(StoreUnavailableError, _UNAVAILABLE, statuses=frozenset(range(500, 600))),
)
"""Codes are matched first (in order), then statuses: ``NoSuchBucket`` is a 404 too."""

DEFAULT = Rule(StoreError, "{action} {where} failed ({code}: {message})")


def rule_for(failure: S3Failure) -> Rule:
    """The row for an answer (:data:`DEFAULT` when none matches)."""
    for rule in RULES:
        if rule.matches_code(failure):
            return rule
    for rule in RULES:
        if rule.matches_status(failure):
            return rule
    return DEFAULT


def _region_hint(failure: S3Failure, call: Call) -> str:
    if failure.bucket_region:
        return (
            f"is in region {failure.bucket_region}, not {call.region or 'the configured one'}: "
            f"set AWS_REGION={failure.bucket_region} ({failure.code}: {failure.message})"
        )
    return (
        f"is not in region {call.region or 'the configured one'} and S3 did not say which "
        f"region it is in ({failure.code}: {failure.message})"
    )


def store_error(failure: S3Failure, call: Call) -> StoreError:
    """The exception for a failed answer (the caller chains it ``from`` the original)."""
    rule = rule_for(failure)
    return rule.error(
        rule.template.format(
            action=call.action,
            where=call.where,
            bucket=call.bucket,
            code=failure.code,
            message=failure.message,
            region_hint=_region_hint(failure, call),
        )
    )


def unreachable(call: Call, endpoint: str, exc: BaseException) -> StoreUnavailableError:
    """No answer at all: refused, reset, timed out, TLS or DNS failure."""
    return StoreUnavailableError(
        f"{call.action} {call.where}: cannot reach S3 at {endpoint} ({type(exc).__name__}: {exc})"
    )
