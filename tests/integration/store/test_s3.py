"""S3Store against moto's server: endpoint from the environment, prefixes, error mapping."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    ConflictError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store.budget import BATCH
from cryptonic.store.s3 import S3Store
from cryptonic.store.uri import open_store
from tests.fixtures.s3 import free_port, moto_auth_enforced, s3_client


def test_endpoint_comes_from_aws_endpoint_url_s3(s3_store: S3Store, aws_env: str) -> None:
    # boto3 >= 1.28 (botocore >= 1.31) reads AWS_ENDPOINT_URL_S3 itself; we do not pass it.
    assert s3_store.client.meta.endpoint_url == aws_env
    config = s3_store.client.meta.config
    assert s3_store.budget == BATCH  # training and the CLI: long reads for model uploads
    assert config.connect_timeout == BATCH.connect_s <= 3  # an unreachable endpoint fails fast
    assert config.read_timeout == BATCH.read_s
    assert config.s3["addressing_style"] == "path"  # what MinIO/LocalStack/moto expect


def test_keys_live_under_the_uri_prefix(s3_store: S3Store, s3_bucket: str) -> None:
    etag = s3_store.put_bytes("BTC-USD/champion.json", b"{}", content_type="application/json")
    raw = s3_client().head_object(Bucket=s3_bucket, Key="models/BTC-USD/champion.json")
    assert raw["ETag"] == f'"{etag}"'  # S3 quotes ETags; the store strips them
    assert raw["ContentType"] == "application/json"
    assert s3_store.list() == ["BTC-USD/champion.json"]


def test_store_without_prefix(s3_bucket: str) -> None:
    store = open_store(f"s3://{s3_bucket}")
    store.put_bytes("a/b", b"1")
    assert store.list() == ["a/b"]
    assert store.uri == f"s3://{s3_bucket}"


def test_moto_honours_conditional_puts(s3_bucket: str) -> None:
    """Documents the server behaviour the S3Store relies on (raw boto3, no cryptonic code)."""
    client = s3_client()
    etag = client.put_object(Bucket=s3_bucket, Key="k", Body=b"1")["ETag"]
    with pytest.raises(ClientError) as exc:
        client.put_object(Bucket=s3_bucket, Key="k", Body=b"2", IfNoneMatch="*")
    assert exc.value.response["Error"]["Code"] == "PreconditionFailed"
    with pytest.raises(ClientError) as exc:
        client.put_object(Bucket=s3_bucket, Key="k", Body=b"2", IfMatch='"0000"')
    assert exc.value.response["Error"]["Code"] == "PreconditionFailed"
    client.put_object(Bucket=s3_bucket, Key="k", Body=b"3", IfMatch=etag)
    with pytest.raises(ClientError) as exc:
        client.put_object(Bucket=s3_bucket, Key="missing", Body=b"2", IfMatch=etag)
    assert exc.value.response["Error"]["Code"] == "NoSuchKey"


@pytest.mark.usefixtures("aws_env")
def test_missing_bucket_is_named() -> None:
    store = open_store("s3://cryptonic-no-such-bucket/models")
    for call in (
        lambda: store.get_bytes("BTC-USD/champion.json"),
        lambda: store.head("BTC-USD/champion.json"),
        lambda: store.list("BTC-USD/"),
        lambda: store.put_bytes("BTC-USD/champion.json", b"{}"),
    ):
        with pytest.raises(BucketNotFoundError, match="bucket 'cryptonic-no-such-bucket'") as exc:
            call()
        assert isinstance(exc.value, StoreError)
        assert not isinstance(exc.value, NotFoundError)
        assert isinstance(exc.value.__cause__, ClientError)  # chained, not leaked


def test_unreachable_endpoint_fails_fast(monkeypatch: pytest.MonkeyPatch, aws_env: str) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", closed)
    store = open_store("s3://some-bucket/models")
    started = time.monotonic()
    with pytest.raises(
        StoreUnavailableError, match=r"cannot reach S3 at http://127\.0\.0\.1"
    ) as exc:
        store.get_bytes("BTC-USD/champion.json")
    assert time.monotonic() - started < 5
    assert isinstance(exc.value.__cause__, BotoCoreError)
    with pytest.raises(StoreUnavailableError):
        store.list()


def test_no_credentials_is_access_denied(monkeypatch: pytest.MonkeyPatch, s3_bucket: str) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = open_store(f"s3://{s3_bucket}/models")
    started = time.monotonic()
    with pytest.raises(AccessDeniedError, match="no AWS credentials"):
        store.get_bytes("BTC-USD/champion.json")
    assert time.monotonic() - started < 5


def test_bad_credentials_are_access_denied(
    monkeypatch: pytest.MonkeyPatch, s3_bucket: str, aws_env: str
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG0")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong")
    store = open_store(f"s3://{s3_bucket}/models")
    with moto_auth_enforced(aws_env):
        with pytest.raises(AccessDeniedError, match="InvalidAccessKeyId") as exc:
            store.put_bytes("BTC-USD/champion.json", b"{}")
        assert isinstance(exc.value.__cause__, ClientError)
        with pytest.raises(AccessDeniedError):
            store.get_bytes("BTC-USD/champion.json")
        with pytest.raises(AccessDeniedError):
            store.list()


# -- conditional writes that survive botocore's retries ---------------------------------------


class LoseAnswers:
    """A before-send hook: for the first ``n`` PutObjects, do ``action`` (by default send the
    request for real), then fail as if the answer were lost, so botocore retries.

    botocore's public event hooks only: the real request goes out through botocore's own HTTP
    session class, the loss is botocore's ReadTimeoutError, which its retry logic handles.
    """

    def __init__(self, store: S3Store, n: int = 1, action: Any = None) -> None:
        from botocore.httpsession import URLLib3Session

        self.sent = 0
        self._left = n
        self._action = action or (lambda request: URLLib3Session().send(request))
        store.client.meta.events.register("before-send.s3.PutObject", self)

    def __call__(self, request: Any, **_: Any) -> None:
        from botocore.exceptions import ReadTimeoutError

        self.sent += 1
        if self._left > 0:
            self._left -= 1
            self._action(request)
            raise ReadTimeoutError(endpoint_url=request.url)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def test_a_create_whose_answer_was_lost_is_not_reported_as_a_conflict(s3_store: S3Store) -> None:
    lost = LoseAnswers(s3_store)
    assert s3_store.put_bytes("v1/model.tflite", b"model", if_none_match="*") == md5(b"model")
    assert lost.sent == 2  # the retry got 412: our own first attempt had created it
    assert s3_store.get_bytes("v1/model.tflite") == b"model"


def test_a_swap_whose_answer_was_lost_is_not_reported_as_a_conflict(s3_store: S3Store) -> None:
    old = s3_store.put_bytes("champion.json", b'{"version": "v1"}')
    lost = LoseAnswers(s3_store)
    new = s3_store.put_bytes("champion.json", b'{"version": "v2"}', if_match=old)
    assert new == md5(b'{"version": "v2"}')
    assert lost.sent == 2
    assert s3_store.get_with_etag("champion.json") == (b'{"version": "v2"}', new)


def test_a_retry_that_finds_someone_elses_bytes_is_a_conflict(
    s3_store: S3Store, s3_bucket: str
) -> None:
    def they_win(request: Any) -> None:  # our request is lost; another writer gets in first
        s3_client().put_object(Bucket=s3_bucket, Key="models/champion.json", Body=b"theirs")

    lost = LoseAnswers(s3_store, action=they_win)
    with pytest.raises(ConflictError, match=r"champion\.json already exists"):
        s3_store.put_bytes("champion.json", b"ours", if_none_match="*")
    assert lost.sent == 2
    assert s3_store.get_bytes("champion.json") == b"theirs"


def test_without_a_retry_equal_bytes_are_still_a_conflict(s3_store: S3Store) -> None:
    """Two writers creating the same bytes: exactly one wins, as on the local store."""
    s3_store.put_bytes("v1/manifest.json", b"same", if_none_match="*")
    with pytest.raises(ConflictError, match="already exists"):
        s3_store.put_bytes("v1/manifest.json", b"same", if_none_match="*")


class Conflicting:
    """A before-send hook answering S3's 409 ConditionalRequestConflict ``n`` times."""

    def __init__(self, store: S3Store, n: int) -> None:
        self.sent = 0
        self._left = n
        store.client.meta.events.register("before-send.s3.PutObject", self)

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse

        self.sent += 1
        if self._left <= 0:
            return None
        self._left -= 1
        body = (
            b"<Error><Code>ConditionalRequestConflict</Code><Message>A conflicting conditional "
            b"operation is currently in progress against this resource.</Message></Error>"
        )
        return AWSResponse(request.url, 409, {"Content-Type": "application/xml"}, _Raw(body))


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def test_a_conditional_request_conflict_is_retried(s3_store: S3Store) -> None:
    conflicts = Conflicting(s3_store, n=1)
    assert s3_store.put_bytes("k", b"1", if_none_match="*") == md5(b"1")
    assert conflicts.sent == 2


def test_a_lasting_conditional_request_conflict_is_a_conflict(s3_store: S3Store) -> None:
    conflicts = Conflicting(s3_store, n=99)
    with pytest.raises(ConflictError, match=r"k already exists \(If-None-Match: \*\)"):
        s3_store.put_bytes("k", b"1", if_none_match="*")
    assert conflicts.sent == BATCH.attempts
    assert not s3_store.exists("k")
