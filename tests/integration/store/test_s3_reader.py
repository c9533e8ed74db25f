"""The serving S3 reader against moto's S3 server: same answers as the botocore store, and
signatures that a verifying server accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from cryptonic.errors import (
    AccessDeniedError,
    BucketNotFoundError,
    NotFoundError,
    StoreUnavailableError,
)
from cryptonic.store.budget import Budget
from cryptonic.store.s3 import S3Store
from cryptonic.store.s3_reader import S3ReadOnlyStore
from cryptonic.store.sigv4 import Credentials
from cryptonic.store.uri import open_store
from tests.fixtures.s3 import free_port, moto_auth_enforced
from tests.fixtures.s3_fakes import Answer, GatheringS3, s3_error

KEYS = [
    "BTC-USD/champion.json",
    "BTC-USD/versions/v1/model.tflite",
    "^GSPC/prices.csv",
    "EURUSD=X/versions/v+1/a b",
    "x y/z",
    "top.json",
]
FOLDERS = ["", "BTC-USD/", "BTC-USD/versions/", "EURUSD=X/versions/", "x", "nothing/"]


PATIENT = Budget(connect_s=1, read_s=30, attempts=1)
"""Reads that wait as long as a gathering server may hold a request back (its 503 comes first)."""
QUEUED = Budget(connect_s=30, read_s=30, attempts=1)
"""Like PATIENT, for reads queued behind others for a connection: the wait for a free connection
takes its time from ``connect_s``, and the last of twelve waits for three rounds before it."""


def reader(
    bucket: str, prefix: str, endpoint: str, *, budget: Budget | None = None, **creds: str
) -> S3ReadOnlyStore:
    credentials = Credentials(creds.get("key", "testing"), creds.get("secret", "testing"))
    return S3ReadOnlyStore(
        bucket,
        prefix,
        credentials=credentials,
        region="us-east-1",
        endpoint=endpoint,
        **({"budget": budget} if budget else {}),
    )


@pytest.fixture
def gathering() -> Iterator[type[GatheringS3]]:
    servers: list[GatheringS3] = []

    def start(together: int) -> GatheringS3:
        servers.append(GatheringS3(together))
        return servers[-1]

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()


@pytest.fixture
def filled(s3_store: S3Store) -> S3Store:
    for i, key in enumerate(KEYS):
        s3_store.put_bytes(key, f"payload {i}".encode())
    s3_store.put_json("BTC-USD/versions/v1/manifest.json", {"version": "v1"})
    return s3_store


def test_reads_agree_with_the_botocore_store(filled, aws_env):
    light = reader(filled.bucket, filled.prefix, aws_env)
    for key in [*KEYS, "BTC-USD/versions/v1/manifest.json"]:
        assert light.get_with_etag(key) == filled.get_with_etag(key)
        assert light.head(key).etag == filled.head(key).etag
        assert light.head(key).size == filled.head(key).size
    assert light.get_json("BTC-USD/versions/v1/manifest.json") == {"version": "v1"}
    assert light.list("") == filled.list("")
    assert light.list("BTC-USD/versions/") == filled.list("BTC-USD/versions/")
    assert light.exists("^GSPC/prices.csv")
    assert not light.exists("nope.json")


def test_listing_follows_continuation_tokens(filled, aws_env):
    light = reader(filled.bucket, filled.prefix, aws_env)
    light.page_size = 2
    assert light.list("") == filled.list("")
    assert len(light.list("")) == len(KEYS) + 1


@pytest.mark.parametrize("page_size", [1000, 1])
def test_folder_listings_agree_with_the_botocore_store(filled, aws_env, page_size):
    """Every page size: S3 counts keys and folders alike against max-keys, so at 1 each page
    holds one of either and the continuation tokens carry the rest."""
    light = reader(filled.bucket, filled.prefix, aws_env)
    light.page_size = filled.page_size = page_size
    for prefix in FOLDERS:
        assert light.list_folder(prefix) == filled.list_folder(prefix), prefix
    root = light.list_folder("")
    assert root.folders == ("BTC-USD/", "EURUSD=X/", "^GSPC/", "x y/")
    assert root.keys == ("top.json",)
    assert light.list_folder("EURUSD=X/versions/").folders == ("EURUSD=X/versions/v+1/",)


def test_missing_key_and_missing_bucket_are_told_apart(filled, aws_env):
    light = reader(filled.bucket, filled.prefix, aws_env)
    with pytest.raises(NotFoundError, match="not found") as missing:
        light.get_bytes("BTC-USD/nope.json")
    assert not isinstance(missing.value, BucketNotFoundError)
    with pytest.raises(BucketNotFoundError, match="does not exist"):
        reader("no-such-bucket-here", "", aws_env).get_bytes("BTC-USD/champion.json")


def test_writes_are_refused(filled, aws_env):
    light = reader(filled.bucket, filled.prefix, aws_env)
    with pytest.raises(AccessDeniedError, match="read-only"):
        light.put_json("BTC-USD/champion.json", {"version": "evil"})
    with pytest.raises(AccessDeniedError, match="read-only"):
        light.delete("BTC-USD/champion.json")
    assert json.loads(filled.get_bytes("BTC-USD/versions/v1/manifest.json")) == {"version": "v1"}


def test_unreachable_endpoint_is_unavailable_fast():
    light = reader("bucket", "", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailableError, match="cannot reach S3"):
        light.get_bytes("BTC-USD/champion.json")


def test_a_verifying_server_accepts_our_signatures(filled, aws_env):
    """moto checks SigV4 signatures (with botocore) once auth is enforced."""
    import boto3

    client = boto3.client("iam", endpoint_url=aws_env, region_name="us-east-1")
    client.create_user(UserName="serving")
    client.put_user_policy(
        UserName="serving",
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    key = client.create_access_key(UserName="serving")["AccessKey"]
    good = reader(
        filled.bucket, filled.prefix, aws_env, key=key["AccessKeyId"], secret=key["SecretAccessKey"]
    )
    bad = reader(filled.bucket, filled.prefix, aws_env, key=key["AccessKeyId"], secret="wrong")
    with moto_auth_enforced(aws_env):
        assert good.get_bytes("^GSPC/prices.csv") == b"payload 2"
        assert good.head("x y/z").size == len(b"payload 3")
        assert len(good.list("")) == len(KEYS) + 1
        assert len(good.list_folder("").folders) == 4
        with pytest.raises(AccessDeniedError):
            bad.get_bytes("^GSPC/prices.csv")


def test_serving_opens_the_reader_only_with_env_credentials(s3_store_uri, monkeypatch):
    assert isinstance(open_store(s3_store_uri, read_only=True), S3ReadOnlyStore)
    assert isinstance(open_store(s3_store_uri), S3Store)
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "")
    assert isinstance(open_store(s3_store_uri, read_only=True), S3Store)


def test_a_connection_closed_while_idle_is_replaced_without_using_an_attempt(scripted_s3):
    """S3 closes idle keep-alive connections; the next request finds out by failing at once.
    That costs no attempt: three 503s after it still leave the third attempt to succeed."""
    light = S3ReadOnlyStore.from_environment("model-bucket", "models")
    slow_down = s3_error(503, "SlowDown", "Please reduce your request rate.")
    scripted_s3.answer(
        Answer(200, b"first", hang_up=True), slow_down, slow_down, Answer(200, b"second")
    )
    assert light.get_bytes("a") == b"first"
    assert light.get_bytes("b") == b"second"
    assert [r.path for r in scripted_s3.requests] == ["/model-bucket/models/a"] + [
        "/model-bucket/models/b"
    ] * 3


def test_requests_from_several_threads_are_in_flight_together(gathering):
    """The server answers only once 8 requests are in flight at once: a reader that ran one
    request at a time would get its 503 NeverTogether instead."""
    server = gathering(8)
    light = reader("model-bucket", "models", server.url, budget=PATIENT)
    keys = [f"BTC-USD/k{i}" for i in range(8)]
    with ThreadPoolExecutor(len(keys)) as pool:
        bodies = list(pool.map(light.get_bytes, keys))
    assert bodies == [f"/model-bucket/models/{key}".encode() for key in keys]
    assert server.peak == 8


def test_the_connections_in_use_are_bounded(gathering):
    """Twelve threads, a pool of three: requests go three at a time, never more, and the
    connections are kept alive for the next ones."""
    server = gathering(3)
    credentials = Credentials("testing", "testing")
    light = S3ReadOnlyStore(
        "model-bucket",
        "models",
        credentials=credentials,
        region="us-east-1",
        endpoint=server.url,
        budget=QUEUED,
        max_connections=3,
    )
    keys = [f"BTC-USD/k{i}" for i in range(12)]
    with ThreadPoolExecutor(len(keys)) as pool:
        bodies = list(pool.map(light.get_bytes, keys))
    assert bodies == [f"/model-bucket/models/{key}".encode() for key in keys]
    assert server.peak == 3
