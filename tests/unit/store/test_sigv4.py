"""The reader signs exactly as botocore does (the reference SigV4 implementation): the same
URI encoding, query encoding, canonical request and signature."""

from __future__ import annotations

import datetime as dt
import string
import urllib.parse
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from cryptonic.store.contract import validate_key
from cryptonic.store.sigv4 import (
    Credentials,
    canonical_query,
    canonical_request,
    env_credentials,
    sign,
    uri_encode_key,
)


@pytest.mark.parametrize("token", [None, "session-token/with+chars="])
@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/models/BTC-USD/champion.json", {}),
        ("/models/%5EGSPC/versions/20261123T192000Z-abc1234/model.tflite", {}),
        ("/", {"list-type": "2", "prefix": "models/BTC-USD/versions/", "max-keys": "1000"}),
        ("/", {"list-type": "2", "prefix": "a b/^x", "continuation-token": "1/2+3=="}),
    ],
)
def test_signature_equals_botocore(path, query, token):
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    host = "models-bucket.s3.eu-west-1.amazonaws.com"
    url = f"https://{host}{path}" + (f"?{canonical_query(query)}" if query else "")
    request = AWSRequest(method="GET", url=url, headers={})
    boto = BotoCredentials("AKIDEXAMPLE", credentials.secret_key, token)
    S3SigV4Auth(boto, "s3", "eu-west-1").add_auth(request)
    when = dt.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")

    ours = sign("GET", host, path, query, credentials, "eu-west-1", when.replace(tzinfo=dt.UTC))

    assert ours["authorization"] == request.headers["Authorization"]
    if token:
        assert ours["x-amz-security-token"] == request.headers["X-Amz-Security-Token"]


def test_credentials_and_region_come_from_the_environment():
    env = {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b", "AWS_REGION": "us-east-2"}
    assert env_credentials(env) == (Credentials("a", "b", None), "us-east-2")
    assert env_credentials({**env, "AWS_SESSION_TOKEN": "t"})[0].token == "t"
    assert env_credentials({k: v for k, v in env.items() if k != "AWS_REGION"}) is None
    assert env_credentials({"AWS_REGION": "x"}) is None


# -- property tests: random keys, prefixes and tokens, GET / HEAD / ListObjectsV2 ----------------

AWKWARD = " +=&%~-_.!*'()$@,;:?#[]^`{}|\"<>éüß€中文😀\u00a0"
key_segments = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + AWKWARD),
    min_size=1,
    max_size=12,
).filter(lambda s: not s.startswith(".") and s.isprintable())
keys = st.lists(key_segments, min_size=1, max_size=4).map("/".join)
prefixes = st.one_of(st.just(""), keys, keys.map(lambda k: k + "/"))
tokens = st.one_of(
    st.none(),
    st.text(alphabet=string.ascii_letters + string.digits + "+/=", min_size=16, max_size=120),
)
HOST = "model-bucket.s3.eu-west-1.amazonaws.com"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class CapturedError(Exception):
    """Raised from before-send: botocore built and signed the request, nothing is sent."""

    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


@pytest.fixture(scope="module")
def botocore_client() -> Any:
    """A virtual-hosted eu-west-1 client that never reaches the network."""
    import os

    import botocore.session
    from botocore.config import Config

    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):
            if name.startswith("AWS_"):
                env.delenv(name)
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        client = botocore.session.Session().create_client(
            "s3",
            region_name="eu-west-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key=SECRET,
            config=Config(s3={"addressing_style": "virtual"}),
        )

    def capture(request: Any, **_: Any) -> None:
        raise CapturedError(request)

    client.meta.events.register("before-send.s3", capture)
    return client


def sent_by_botocore(client: Any, operation: str, **params: Any) -> Any:
    with pytest.raises(CapturedError) as captured:
        getattr(client, operation)(Bucket="model-bucket", **params)
    return captured.value.request


@settings(max_examples=150, deadline=None)
@given(key=keys)
def test_keys_are_uri_encoded_as_botocore_sends_them(botocore_client: Any, key: str) -> None:
    validate_key(key)
    for operation in ("get_object", "head_object"):
        url = urllib.parse.urlsplit(sent_by_botocore(botocore_client, operation, Key=key).url)
        assert url.netloc == HOST
        assert url.path == "/" + uri_encode_key(key)


@settings(max_examples=150, deadline=None)
@given(prefix=prefixes, token=st.one_of(st.none(), keys))
def test_listing_queries_are_encoded_as_botocore_sends_them(
    botocore_client: Any, prefix: str, token: str | None
) -> None:
    """The reader's ListObjectsV2 parameters, spelled as botocore spells them."""
    ours = {"list-type": "2", "prefix": prefix, "max-keys": "1000", "encoding-type": "url"}
    params: dict[str, Any] = {"Prefix": prefix, "MaxKeys": 1000}
    if token is not None:
        ours["continuation-token"] = token
        params["ContinuationToken"] = token
    sent = sent_by_botocore(botocore_client, "list_objects_v2", **params)
    auth = S3SigV4Auth(BotoCredentials("AKIDEXAMPLE", SECRET), "s3", "eu-west-1")
    assert canonical_query(ours) == auth.canonical_query_string(AWSRequest("GET", sent.url))


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "HEAD"]),
    key=st.one_of(st.none(), keys),
    prefix=prefixes,
    list_token=st.one_of(st.none(), keys),
    token=tokens,
)
def test_canonical_request_and_signature_equal_botocore(
    method: str, key: str | None, prefix: str, list_token: str | None, token: str | None
) -> None:
    """GET/HEAD of a key, or (no key) a ListObjectsV2 page; with or without a session token."""
    path = "/" + (uri_encode_key(key) if key else "")
    query: dict[str, str] = {}
    if key is None:
        query = {"list-type": "2", "prefix": prefix, "max-keys": "1000", "encoding-type": "url"}
        if list_token is not None:
            query["continuation-token"] = list_token
    url = f"https://{HOST}{path}" + (f"?{canonical_query(query)}" if query else "")
    request = AWSRequest(method=method, url=url, headers={})
    auth = S3SigV4Auth(BotoCredentials("AKIDEXAMPLE", SECRET, token), "s3", "eu-west-1")
    auth.add_auth(request)
    authorization = request.headers["Authorization"]
    del request.headers["Authorization"]  # what was signed, without the signature itself
    when = dt.datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=dt.UTC
    )

    ours = sign(
        method, HOST, path, query, Credentials("AKIDEXAMPLE", SECRET, token), "eu-west-1", when
    )

    signed = {name: value for name, value in ours.items() if name != "authorization"}
    assert canonical_request(method, path, query, signed) == auth.canonical_request(request)
    assert ours["authorization"] == authorization
    assert ours.get("x-amz-security-token") == request.headers.get("X-Amz-Security-Token")
