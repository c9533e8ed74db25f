"""S3Store against moto's server: endpoint from the environment, prefixes, error mapping."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    NotFoundError,
    StoreError,
    StoreUnavailableError,
)
from cryptonic.store import S3Store, open_store
from cryptonic.store.budget import BATCH
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
