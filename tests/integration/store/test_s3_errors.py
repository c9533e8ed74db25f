"""The one error table, end to end: every failure scenario against both S3 clients.

Each scenario runs on the botocore :class:`S3Store` (serving budget) and on the stdlib
:class:`S3ReadOnlyStore`, both opened from the same environment, and asserts the same exception
class and the same message (and the class we mean, so two equally wrong clients fail too).
moto's server gives the common answers (missing key or bucket, denied, bad credentials, folder
markers); the scripted S3 gives the ones moto cannot (expired token, throttling, 5xx, redirects).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConfigError,
    CryptonicError,
    IntegrityError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.registry.registry import Registry
from cryptonic.store.budget import SERVING
from cryptonic.store.s3 import S3Store
from cryptonic.store.s3_objects import S3Objects
from cryptonic.store.s3_reader import S3ReadOnlyStore
from tests.fixtures.s3 import moto_auth_enforced, s3_client
from tests.fixtures.s3_fakes import Answer, ScriptedS3, s3_error

Outcome = tuple[str, str]


def clients(bucket: str, prefix: str = "models") -> list[S3Objects]:
    """Both S3 clients for one bucket, configured by the same environment."""
    reader = S3ReadOnlyStore.from_environment(bucket, prefix)
    assert reader is not None, "the environment should let the reader serve this bucket"
    return [S3Store(bucket, prefix, budget=SERVING), reader]


def outcome(call: Callable[[], Any]) -> Outcome:
    try:
        value = call()
    except CryptonicError as exc:
        return type(exc).__name__, str(exc)
    return "ok", repr(value)


def same(
    bucket: str, call: Callable[[S3Objects], Any], expected: type[Exception] | None
) -> Outcome:
    """Run ``call`` on both clients; they must agree, on ``expected`` (``None``: success)."""
    botocore, reader = (outcome(lambda c=c: call(c)) for c in clients(bucket))
    assert botocore == reader
    assert botocore[0] == (expected.__name__ if expected else "ok"), botocore
    return botocore


READS: dict[str, Callable[[S3Objects], Any]] = {
    "get": lambda s: s.get_bytes("BTC-USD/champion.json"),
    "get_with_etag": lambda s: s.get_with_etag("BTC-USD/champion.json"),
    "get_json": lambda s: s.get_json("BTC-USD/champion.json"),
    "head": lambda s: s.head("BTC-USD/champion.json"),
    "exists": lambda s: s.exists("BTC-USD/champion.json"),
    "list": lambda s: s.list(),
    "list folder": lambda s: s.list("BTC-USD/versions/"),
    "list string prefix": lambda s: s.list("BTC"),
}


# -- moto: the common answers --------------------------------------------------------------


@pytest.mark.parametrize("read", ["get", "get_with_etag", "get_json", "head"])
def test_missing_key(s3_bucket: str, read: str) -> None:
    _, message = same(s3_bucket, READS[read], NotFoundError)
    assert message == f"s3://{s3_bucket}/models/BTC-USD/champion.json not found"


def test_missing_key_does_not_exist(s3_bucket: str) -> None:
    assert same(s3_bucket, READS["exists"], None) == ("ok", "False")


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize("read", sorted(READS))
def test_missing_bucket(read: str) -> None:
    """HEAD included (its 404 has no body): a wrong bucket is never "no such key"."""
    _, message = same("cryptonic-no-such-bucket", READS[read], BucketNotFoundError)
    assert "S3 bucket 'cryptonic-no-such-bucket' does not exist" in message


def test_folder_markers_are_not_listed(s3_bucket: str) -> None:
    raw = s3_client()
    for key in ["models/", "models/BTC-USD/", "models/BTC-USD/versions/", "models/BTC-USD/x"]:
        raw.put_object(Bucket=s3_bucket, Key=key, Body=b"" if key.endswith("/") else b"1")
    raw.put_object(Bucket=s3_bucket, Key="other/BTC-USD/y", Body=b"1")
    assert same(s3_bucket, READS["list"], None) == ("ok", "['BTC-USD/x']")
    assert same(s3_bucket, READS["list folder"], None) == ("ok", "[]")
    assert same(s3_bucket, lambda s: s.list("BTC-USD/"), None) == ("ok", "['BTC-USD/x']")
    assert same(s3_bucket, lambda s: s.list("BTC-USD"), None) == ("ok", "['BTC-USD/x']")
    # a marker is no object: as a key it is refused before any request
    same(s3_bucket, lambda s: s.get_bytes("BTC-USD/"), ConfigError)


def test_listing_with_and_without_a_trailing_slash(s3_bucket: str) -> None:
    raw = s3_client()
    for key in ["a/1", "a/10", "ab/1", "a/sub/3", "b/2"]:
        raw.put_object(Bucket=s3_bucket, Key=f"models/{key}", Body=b"x")
    assert same(s3_bucket, lambda s: s.list("a/"), None)[1] == "['a/1', 'a/10', 'a/sub/3']"
    assert same(s3_bucket, lambda s: s.list("a"), None)[1] == "['a/1', 'a/10', 'a/sub/3', 'ab/1']"
    assert same(s3_bucket, lambda s: s.list("a/1"), None)[1] == "['a/1', 'a/10']"
    assert same(s3_bucket, lambda s: s.list("zzz/"), None)[1] == "[]"
    same(s3_bucket, lambda s: s.list("../x"), ConfigError)


AWKWARD = ["a b/c+d=e&f", "100%/~tilde", "ünï/cödé €", "x/y;z,(1)!*'@$"]


def test_awkward_keys_read_alike(s3_bucket: str) -> None:
    writer = S3Store(s3_bucket, "models")
    for n, key in enumerate(AWKWARD):
        writer.put_bytes(key, f"payload {n}".encode())
    for key in AWKWARD:
        same(s3_bucket, lambda s, k=key: s.get_with_etag(k), None)
        assert same(s3_bucket, lambda s, k=key: s.head(k).size, None)[1] == str(len(b"payload 0"))
    assert same(s3_bucket, READS["list"], None)[1] == repr(sorted(AWKWARD))


def test_unreadable_json_is_an_integrity_error(s3_bucket: str) -> None:
    s3_client().put_object(Bucket=s3_bucket, Key="models/BTC-USD/champion.json", Body=b"{no")
    same(s3_bucket, READS["get_json"], IntegrityError)


def _iam_user(endpoint: str, actions: list[str]) -> tuple[str, str]:
    import boto3

    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    name = f"user-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def _use(monkeypatch: pytest.MonkeyPatch, key: str, secret: str, token: str | None = None) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    if token:
        monkeypatch.setenv("AWS_SESSION_TOKEN", token)


@pytest.mark.parametrize("read", ["get", "head", "list", "list folder", "exists"])
def test_access_denied(
    s3_bucket: str, aws_env: str, monkeypatch: pytest.MonkeyPatch, read: str
) -> None:
    s3_client().put_object(Bucket=s3_bucket, Key="models/BTC-USD/champion.json", Body=b"{}")
    _use(monkeypatch, *_iam_user(aws_env, ["iam:GetUser"]))
    with moto_auth_enforced(aws_env):
        _, message = same(s3_bucket, READS[read], AccessDeniedError)
    assert "access denied" in message
    assert ("(403: Forbidden)" if read in {"head", "exists"} else "(AccessDenied: ") in message


@pytest.mark.parametrize(
    ("secret_of", "code"),
    [
        (lambda key, secret: ("AKIAWRONGWRONGWRONG0", "wrong"), "InvalidAccessKeyId"),
        (lambda key, secret: (key, "not-" + secret), "SignatureDoesNotMatch"),
    ],
)
def test_bad_credentials(
    s3_bucket: str, aws_env: str, monkeypatch: pytest.MonkeyPatch, secret_of: Any, code: str
) -> None:
    _use(monkeypatch, *secret_of(*_iam_user(aws_env, ["s3:*"])))
    with moto_auth_enforced(aws_env):
        for read in ("get", "list folder"):
            assert f"({code}: " in same(s3_bucket, READS[read], AccessDeniedError)[1]
        assert "(403: Forbidden)" in same(s3_bucket, READS["head"], AccessDeniedError)[1]


def test_invalid_session_token(
    s3_bucket: str, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Temporary credentials with a token S3 rejects: a 400, still "access denied"."""
    import boto3

    iam = boto3.client("iam", endpoint_url=aws_env, region_name="us-east-1")
    role = iam.create_role(RoleName=f"role-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument="{}")
    sts = boto3.client("sts", endpoint_url=aws_env, region_name="us-east-1")
    temporary = sts.assume_role(RoleArn=role["Role"]["Arn"], RoleSessionName="serving")
    credentials = temporary["Credentials"]
    _use(monkeypatch, credentials["AccessKeyId"], credentials["SecretAccessKey"], "not-the-token")
    with moto_auth_enforced(aws_env):
        for read in ("get", "list"):
            assert "(InvalidToken: " in same(s3_bucket, READS[read], AccessDeniedError)[1]
        # HEAD has no body to say why: a 400 is a plain store error in both clients
        assert "failed (400: Bad Request)" in same(s3_bucket, READS["head"], StoreError)[1]


# -- the scripted S3: answers moto does not give ----------------------------------------------


def same_scripted(
    fake: ScriptedS3,
    answers: list[Answer],
    call: Callable[[S3Objects], Any],
    expected: type[Exception] | None,
    *,
    same_requests: bool = True,
) -> tuple[Outcome, int]:
    """Both clients against the same script: same outcome and (unless told otherwise) the same
    number of requests, that is the same retries."""
    results = []
    for client in clients("model-bucket"):
        fake.answer(*answers)
        results.append((outcome(lambda c=client: call(c)), len(fake.requests)))
    assert results[0][0] == results[1][0]
    if same_requests:
        assert results[0][1] == results[1][1]
    assert results[0][0][0] == (expected.__name__ if expected else "ok"), results[0]
    return results[0]


EXPIRED = s3_error(400, "ExpiredToken", "The provided token has expired.")


@pytest.mark.parametrize("read", ["get", "list", "list folder"])
def test_expired_token_is_access_denied(scripted_s3: ScriptedS3, read: str) -> None:
    (_, message), requests = same_scripted(scripted_s3, [EXPIRED], READS[read], AccessDeniedError)
    assert "(ExpiredToken: The provided token has expired.)" in message
    assert requests == 1  # not worth retrying


@pytest.mark.parametrize(
    "answer",
    [
        s3_error(503, "SlowDown", "Please reduce your request rate."),
        s3_error(500, "InternalError", "We encountered an internal error. Please try again."),
        s3_error(503, "ServiceUnavailable", "Please reduce your request rate."),
        Answer(502, b"<html>Bad Gateway</html>"),
        s3_error(400, "RequestTimeout", "Your socket connection to the server was not read."),
    ],
    ids=["SlowDown", "InternalError", "ServiceUnavailable", "502 without XML", "RequestTimeout"],
)
def test_transient_errors_are_retried_within_the_budget(
    scripted_s3: ScriptedS3, answer: Answer
) -> None:
    (_, message), requests = same_scripted(
        scripted_s3, [answer], READS["get"], StoreUnavailableError
    )
    assert requests == SERVING.attempts
    assert message.startswith(
        "read s3://model-bucket/models/BTC-USD/champion.json: S3 unavailable ("
    )
    ok = Answer(200, b"{}", {"ETag": '"99914b932bd37a50b983c5e7c90ae93b"'})
    (result, requests) = same_scripted(scripted_s3, [answer, ok], READS["get_with_etag"], None)
    assert result == ("ok", "(b'{}', '99914b932bd37a50b983c5e7c90ae93b')")
    assert requests == 2


def test_other_client_errors_are_not_retried(scripted_s3: ScriptedS3) -> None:
    answer = s3_error(400, "InvalidArgument", "Invalid argument.")
    (_, message), requests = same_scripted(scripted_s3, [answer], READS["get"], StoreError)
    assert message.endswith("failed (InvalidArgument: Invalid argument.)")
    assert requests == 1


def test_a_failed_folder_listing_names_the_folder(scripted_s3: ScriptedS3) -> None:
    """A trailing slash is fine in a listing: the error is S3's, never "invalid store key"."""
    answer = s3_error(503, "ServiceUnavailable", "Please reduce your request rate.")
    (_, message), _ = same_scripted(
        scripted_s3, [answer], READS["list folder"], StoreUnavailableError
    )
    assert message.startswith("list s3://model-bucket/models/BTC-USD/versions/: S3 unavailable")
    # GET /models lists a ticker's versions exactly so: a 503 there, not a 422
    for client in clients("model-bucket"):
        with pytest.raises(StoreUnavailableError, match="BTC-USD/versions/"):
            Registry(client).version_ids("BTC-USD")


REDIRECT_BODY = s3_error(
    301,
    "PermanentRedirect",
    "The bucket you are attempting to access must be addressed using the specified endpoint.",
    Endpoint="model-bucket.s3.eu-west-1.amazonaws.com",
).body


@pytest.mark.parametrize(
    ("answer", "read"),
    [
        (Answer(301, REDIRECT_BODY, {"x-amz-bucket-region": "eu-west-1"}), "get"),
        (Answer(301, REDIRECT_BODY, {"x-amz-bucket-region": "eu-west-1"}), "list"),
        (Answer(301, b"", {"x-amz-bucket-region": "eu-west-1"}), "head"),
        (
            s3_error(
                400,
                "AuthorizationHeaderMalformed",
                "The authorization header is malformed; the region 'us-east-1' is wrong; "
                "expecting 'eu-west-1'",
                Region="eu-west-1",
            ),
            "get",
        ),
    ],
    ids=["GET 301", "list 301", "HEAD 301", "wrong signing region"],
)
def test_a_region_redirect_names_the_bucket_region(
    scripted_s3: ScriptedS3, answer: Answer, read: str
) -> None:
    """botocore follows the redirect once (a second request, here answered alike); the reader
    does not, and both then say where the bucket is."""
    (_, message), _ = same_scripted(
        scripted_s3, [answer], READS[read], StoreError, same_requests=False
    )
    assert (
        "S3 bucket 'model-bucket' is in region eu-west-1, not us-east-1: set AWS_REGION=eu-west-1"
        in message
    )


def test_a_redirect_without_a_region_says_so(scripted_s3: ScriptedS3) -> None:
    """botocore cannot follow a redirect that names no region either: the HEAD of the bucket it
    then asks does not tell (the reader does not ask)."""
    answer = s3_error(301, "PermanentRedirect", "Use the specified endpoint.")
    (_, message), _ = same_scripted(
        scripted_s3, [answer, Answer(403)], READS["get"], StoreError, same_requests=False
    )
    assert "is not in region us-east-1 and S3 did not say which region it is in" in message
