"""The table from S3's answers to our errors and retries (no network)."""

from __future__ import annotations

import pytest

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store.s3_errors import (
    DEFAULT,
    RULES,
    Call,
    S3Failure,
    rule_for,
    store_error,
    unreachable,
)

CALL = Call("read", "s3://b/models/k", "b", "us-east-1")


@pytest.mark.parametrize(
    ("status", "code", "expected", "retry"),
    [
        (404, "NoSuchKey", NotFoundError, False),
        (404, "", NotFoundError, False),  # HEAD: no body
        (404, "NoSuchBucket", BucketNotFoundError, False),
        (403, "AccessDenied", AccessDeniedError, False),
        (403, "", AccessDeniedError, False),
        (403, "InvalidAccessKeyId", AccessDeniedError, False),
        (403, "SignatureDoesNotMatch", AccessDeniedError, False),
        (400, "ExpiredToken", AccessDeniedError, False),
        (400, "InvalidToken", AccessDeniedError, False),
        (400, "TokenRefreshRequired", AccessDeniedError, False),
        (412, "PreconditionFailed", ConflictError, False),
        (412, "", ConflictError, False),
        (409, "ConditionalRequestConflict", ConflictError, True),
        (500, "InternalError", StoreUnavailableError, True),
        (503, "ServiceUnavailable", StoreUnavailableError, True),
        (503, "SlowDown", StoreUnavailableError, True),
        (429, "", StoreUnavailableError, True),
        (502, "", StoreUnavailableError, True),
        (504, "", StoreUnavailableError, True),
        (400, "RequestTimeout", StoreUnavailableError, True),
        (501, "NotImplemented", StoreUnavailableError, False),
        (301, "PermanentRedirect", StoreError, False),
        (301, "", StoreError, False),
        (400, "InvalidArgument", StoreError, False),
        (400, "", StoreError, False),
    ],
)
def test_rows(status: int, code: str, expected: type[StoreError], retry: bool) -> None:
    failure = S3Failure.of(status, code)
    assert rule_for(failure).retry is retry
    error = store_error(failure, CALL)
    assert type(error) is expected
    assert "s3://b/models/k" in str(error) or "'b'" in str(error)


def test_codes_win_over_statuses() -> None:
    # a 404 is "not found" unless S3 says which: the bucket
    assert rule_for(S3Failure.of(404, "NoSuchBucket")).error is BucketNotFoundError
    # a 400 is generic unless the code says more
    assert rule_for(S3Failure.of(400, "ExpiredToken")).error is AccessDeniedError
    assert rule_for(S3Failure.of(400)) is DEFAULT


def test_throttling_backs_off_longer() -> None:
    assert rule_for(S3Failure.of(503, "SlowDown")).throttled
    assert rule_for(S3Failure.of(429)).throttled
    assert not rule_for(S3Failure.of(500, "InternalError")).throttled


def test_no_code_is_in_two_rows() -> None:
    seen: dict[str, int] = {}
    for n, rule in enumerate(RULES):
        for code in rule.codes:
            assert code not in seen or rule.needs_region, (code, seen.get(code), n)
            seen[code] = n


def test_an_answer_without_a_body_reads_as_botocore_reads_it() -> None:
    failure = S3Failure.of(403)
    assert (failure.code, failure.message) == ("403", "Forbidden")
    assert S3Failure.of(404).message == "Not Found"
    assert S3Failure.of(599).message == "599"  # no reason phrase: the code


def test_the_bucket_region_comes_from_the_header_or_the_body() -> None:
    assert (
        S3Failure.of(301, headers={"X-Amz-Bucket-Region": "eu-west-1"}).bucket_region == "eu-west-1"
    )
    assert (
        S3Failure.of(400, "AuthorizationHeaderMalformed", region="ap-south-1").bucket_region
        == "ap-south-1"
    )
    assert S3Failure.of(301).bucket_region is None


def test_messages() -> None:
    def message(status: int, code: str = "", text: str = "", **kw: str) -> str:
        return str(store_error(S3Failure.of(status, code, text, **kw), CALL))  # type: ignore[arg-type]

    assert message(404, "NoSuchKey") == "s3://b/models/k not found"
    assert message(404, "NoSuchBucket") == "S3 bucket 'b' does not exist (read s3://b/models/k)"
    assert message(403, "AccessDenied", "Access Denied").startswith(
        "read s3://b/models/k: access denied (AccessDenied: Access Denied); check the AWS"
    )
    assert message(503, "SlowDown", "Reduce your rate.") == (
        "read s3://b/models/k: S3 unavailable (SlowDown: Reduce your rate.)"
    )
    assert message(400, "Weird", "odd") == "read s3://b/models/k failed (Weird: odd)"
    assert message(412, "PreconditionFailed", "At least one of the preconditions failed.") == (
        "read s3://b/models/k: conditional write lost "
        "(PreconditionFailed: At least one of the preconditions failed.)"
    )


def test_region_messages_name_the_bucket_region() -> None:
    known = store_error(S3Failure.of(301, headers={"x-amz-bucket-region": "eu-west-1"}), CALL)
    assert str(known) == (
        "read s3://b/models/k: S3 bucket 'b' is in region eu-west-1, not us-east-1: "
        "set AWS_REGION=eu-west-1 (301: Moved Permanently)"
    )
    unknown = store_error(S3Failure.of(301, "PermanentRedirect", "Use the endpoint."), CALL)
    assert "is not in region us-east-1 and S3 did not say which region" in str(unknown)
    # the same code without a region is some other malformed header: not a region error
    other = store_error(S3Failure.of(400, "AuthorizationHeaderMalformed", "bad"), CALL)
    assert str(other) == "read s3://b/models/k failed (AuthorizationHeaderMalformed: bad)"


def test_unreachable_names_the_endpoint() -> None:
    error = unreachable(CALL, "https://b.s3.us-east-1.amazonaws.com", TimeoutError("timed out"))
    assert isinstance(error, StoreUnavailableError)
    assert str(error) == (
        "read s3://b/models/k: cannot reach S3 at https://b.s3.us-east-1.amazonaws.com "
        "(TimeoutError: timed out)"
    )
