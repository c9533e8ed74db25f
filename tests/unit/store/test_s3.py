"""botocore failures become our StoreError family through the shared table (no network)."""

from __future__ import annotations

import pytest
from botocore import exceptions as bx

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store.s3 import map_botocore_error
from cryptonic.store.s3_errors import Call

CALL = Call("read", "s3://b/k", "b", "us-east-1")


def mapped_of(exc: Exception) -> Exception:
    return map_botocore_error(exc, CALL, endpoint="http://127.0.0.1:1")


def client_error(code: str, status: int, message: str = "msg") -> bx.ClientError:
    return bx.ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status},
        },
        "PutObject",
    )


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (client_error("NoSuchKey", 404), NotFoundError),
        (client_error("404", 404), NotFoundError),
        (client_error("NoSuchBucket", 404), BucketNotFoundError),
        (client_error("AccessDenied", 403), AccessDeniedError),
        (client_error("403", 403), AccessDeniedError),
        (client_error("InvalidAccessKeyId", 403), AccessDeniedError),
        (client_error("SignatureDoesNotMatch", 403), AccessDeniedError),
        (client_error("ExpiredToken", 400), AccessDeniedError),
        (client_error("PreconditionFailed", 412), ConflictError),
        (client_error("412", 412), ConflictError),
        (client_error("ConditionalRequestConflict", 409), ConflictError),
        (client_error("InternalError", 500), StoreUnavailableError),
        (client_error("ServiceUnavailable", 503), StoreUnavailableError),
        (client_error("SlowDown", 503), StoreUnavailableError),
        (client_error("Weird", 502), StoreUnavailableError),
        (client_error("InvalidArgument", 400), StoreError),
        (bx.NoCredentialsError(), AccessDeniedError),
        (
            bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
            AccessDeniedError,
        ),
        (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), StoreUnavailableError),
        (bx.ConnectTimeoutError(endpoint_url="http://10.255.255.1"), StoreUnavailableError),
        (bx.ReadTimeoutError(endpoint_url="http://x"), StoreUnavailableError),
    ],
)
def test_mapping(exc: Exception, expected: type[StoreError]) -> None:
    mapped = mapped_of(exc)
    assert type(mapped) is expected
    assert "s3://b/k" in str(mapped) or "'b'" in str(mapped)
    assert "Traceback" not in str(mapped)


def test_not_found_message_names_the_object() -> None:
    mapped = mapped_of(client_error("NoSuchKey", 404))
    assert str(mapped) == "s3://b/k not found"


def test_missing_bucket_names_the_bucket() -> None:
    mapped = mapped_of(client_error("NoSuchBucket", 404))
    assert isinstance(mapped, StoreError)
    assert not isinstance(mapped, NotFoundError)  # a wrong bucket is not "nothing there yet"
    assert "bucket 'b' does not exist" in str(mapped)


def test_bugs_are_not_disguised_as_store_errors() -> None:
    with pytest.raises(KeyError):
        mapped_of(KeyError("x"))
